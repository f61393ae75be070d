"""Factories and helpers for housing offers and their photos."""

import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import ExifTags, Image

from sohosolo.housing.models import DEFAULT_VALIDITY, HousingOffer, HousingPhoto, HousingStatus
from tests.villages.factories import VillageFactory

# A precise position, as a phone's GPS would give it (a house in Auch).
PRECISE_LAT, PRECISE_LON = 43.646571, 0.585932


class HousingOfferFactory(DjangoModelFactory):
    """A draft offer in a published village; use the ``published`` trait for a live one."""

    class Meta:
        model = HousingOffer

    village = factory.SubFactory(VillageFactory)
    kind = "house"
    transaction = "rent"
    title_fr = factory.Sequence(lambda n: f"Maison de village n° {n}")
    description_fr = factory.Faker("paragraph", nb_sentences=3, locale="fr_FR")
    price = 850
    surface_m2 = 95
    rooms = 4
    lat = factory.LazyAttribute(lambda o: o.village.commune.lat)
    lon = factory.LazyAttribute(lambda o: o.village.commune.lon)

    class Params:
        published = factory.Trait(
            status=HousingStatus.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            expires_at=factory.LazyFunction(lambda: timezone.now() + DEFAULT_VALIDITY),
        )
        expired = factory.Trait(
            status=HousingStatus.EXPIRED,
            published_at=factory.LazyFunction(lambda: timezone.now() - DEFAULT_VALIDITY - timedelta(days=1)),
            expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )


def image_bytes(fmt: str = "JPEG", size=(64, 48), colour=(31, 92, 61), **save_kwargs) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save_kwargs.pop("transparent", False) else "RGB"
    Image.new(mode, size, colour).save(out, fmt, **save_kwargs)
    return out.getvalue()


def jpeg_with_gps(size=(2000, 1500)) -> bytes:
    """A phone-like JPEG: EXIF with GPS position, camera make, orientation 6 (turn 90° to stand up)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (43.0, 38.0, 47.66),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (0.0, 35.0, 9.35),
    }
    # Left half red, right half blue: after turning, red must be on top.
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"12 chemin des Vignes, Auch")
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def photo_of(offer: HousingOffer, alt_text: str = "La façade côté jardin", **kwargs) -> HousingPhoto:
    """A processed photo attached to the offer (through the images pipeline)."""
    from django.core.files.base import ContentFile

    from sohosolo.core.images import process_upload

    processed = process_upload(ContentFile(image_bytes(**kwargs), name="p.jpg"))
    position = offer.photos.count()
    photo = HousingPhoto(offer=offer, alt_text=alt_text, position=position)
    photo.image.save(processed.image.name, processed.image, save=False)
    photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    photo.save()
    return photo
