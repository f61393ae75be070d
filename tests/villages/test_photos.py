"""Photos sent by a committee: checked by content, 10 MB at most, stored without metadata, always
with a text alternative; a refused upload keeps everything else that was typed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sohosolo.villages.images import MAX_UPLOAD_BYTES
from sohosolo.villages.models import VillagePhoto

from .factories import committee_member, image_bytes, image_upload, village_in

pytestmark = pytest.mark.django_db

MINE = "/fr/suivi/villages/mes-villages/"


@pytest.fixture
def village(gers):
    return village_in(gers, commune__name="Lectoure")


@pytest.fixture
def committee_client(client, village):
    client.force_login(committee_member(village))
    return client


def photos_url(village) -> str:
    return f"{MINE}{village.slug}/photos/"


def edit_url(village) -> str:
    return f"{MINE}{village.slug}/"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90° clockwise
    gps = {1: "N", 2: (43.0, 56.0, 0.0), 3: "E", 4: (0.0, 37.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "halle.jpg", b"%PDF-1.7 this is a document, not a photo", content_type="image/jpeg"
    )


def oversize() -> SimpleUploadedFile:
    # A real PNG header followed by padding: the size is refused before anything is decoded.
    return SimpleUploadedFile(
        "grande.png", image_bytes() + b"\0" * MAX_UPLOAD_BYTES, content_type="image/png"
    )


def test_a_committee_adds_a_photo_with_its_description(committee_client, village):
    response = committee_client.post(photos_url(village), {"image": image_upload(), "alt_text": "La halle"})

    assert response.status_code == 302
    assert response["Location"].endswith("#photos")
    photo = VillagePhoto.objects.get()
    assert (photo.village, photo.alt_text) == (village, "La halle")
    assert photo.image.name.startswith("villages/photos/")
    assert 'alt="La halle"' in committee_client.get(f"/fr/villages/{village.slug}/").content.decode()


def test_a_phone_photo_is_turned_upright_and_stored_without_exif_or_gps(committee_client, village):
    upload = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")

    committee_client.post(photos_url(village), {"image": upload, "alt_text": "Le lavoir"})

    stored = VillagePhoto.objects.get().image
    stored.open("rb")
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert image.size == (48, 64)  # the orientation tag was applied, then dropped
        assert not image.getexif()
        assert "exif" not in image.info


def test_a_phone_s_heic_photo_is_accepted_and_stored_as_jpeg(committee_client, village):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    upload = SimpleUploadedFile("IMG_0002.HEIC", image_bytes("HEIF"), content_type="image/heic")

    response = committee_client.post(photos_url(village), {"image": upload, "alt_text": "Le marché"})

    assert response.status_code == 302
    stored = VillagePhoto.objects.get().image
    assert stored.name.endswith(".jpg")
    stored.open("rb")
    with Image.open(stored) as image:
        assert image.format == "JPEG"


def test_a_file_that_is_not_an_image_is_refused_and_the_description_is_kept(committee_client, village):
    response = committee_client.post(
        photos_url(village), {"image": not_an_image(), "alt_text": "Le lavoir du bas"}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Ce fichier n&#x27;est pas une image reconnue (JPEG, PNG, WebP ou HEIC)." in body
    assert 'value="Le lavoir du bas"' in body
    assert 'aria-describedby="id_image_helptext id_image_error"' in body
    assert not VillagePhoto.objects.exists()


def test_a_file_over_10_mb_is_refused_with_its_size_and_the_description_is_kept(committee_client, village):
    response = committee_client.post(
        photos_url(village), {"image": oversize(), "alt_text": "Le lavoir du bas"}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "La photo dépasse 10 Mo." in body
    assert 'value="Le lavoir du bas"' in body
    assert not VillagePhoto.objects.exists()


def test_a_photo_without_a_description_is_refused(committee_client, village):
    response = committee_client.post(photos_url(village), {"image": image_upload(), "alt_text": ""})

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not VillagePhoto.objects.exists()


def test_a_gif_is_refused_with_the_accepted_formats(committee_client, village):
    upload = SimpleUploadedFile("anim.gif", image_bytes("GIF"), content_type="image/gif")

    response = committee_client.post(photos_url(village), {"image": upload, "alt_text": "Animation"})

    assert response.status_code == 400
    assert (
        "Ce fichier n&#x27;est pas une image reconnue (JPEG, PNG, WebP ou HEIC)." in response.content.decode()
    )


def test_a_committee_removes_a_photo(committee_client, village):
    committee_client.post(photos_url(village), {"image": image_upload(), "alt_text": "La halle"})
    photo = VillagePhoto.objects.get()

    response = committee_client.post(f"{photos_url(village)}{photo.pk}/retirer/")

    assert response.status_code == 302
    assert not VillagePhoto.objects.exists()


# --- The product photo, on the main form ------------------------------------------------------------


def main_form(village, **changes) -> dict:
    return {
        "version": village.version,
        "presentation_fr": "Une présentation toute neuve, longue et soignée.",
        "product_title_fr": "Le melon",
        "product_text_fr": "Sucré.",
        "product_photo_alt": "Des melons sur un étal",
        **changes,
    }


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (not_an_image, "Ce fichier n&#x27;est pas une image reconnue"),
        (oversize, "La photo dépasse 10 Mo."),
    ],
)
def test_a_bad_product_photo_is_refused_and_every_text_field_is_kept(
    committee_client, village, upload, message
):
    before = village.presentation_fr

    response = committee_client.post(edit_url(village), main_form(village, product_photo=upload()))

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert "Une présentation toute neuve, longue et soignée." in body
    assert 'value="Le melon"' in body
    assert 'value="Des melons sur un étal"' in body
    village.refresh_from_db()
    assert village.presentation_fr == before and not village.product_photo


def test_a_product_photo_is_saved_with_its_description_and_shown(committee_client, village):
    response = committee_client.post(
        edit_url(village), main_form(village, product_photo=image_upload("melon.webp", "WEBP"))
    )

    assert response.status_code == 302
    village.refresh_from_db()
    # Re-encoded as JPEG whatever was sent (the same pipeline as housing photos, metadata stripped).
    assert village.product_photo.name.endswith(".jpg")
    body = committee_client.get(f"/fr/villages/{village.slug}/").content.decode()
    assert f'src="{village.product_photo.url}" alt="Des melons sur un étal"' in body


def test_a_product_photo_needs_a_description(committee_client, village):
    response = committee_client.post(
        edit_url(village), main_form(village, product_photo=image_upload(), product_photo_alt="")
    )

    assert response.status_code == 400
    assert "Décrivez la photo du produit en quelques mots." in response.content.decode()


def test_the_product_photo_can_be_removed(committee_client, village):
    committee_client.post(edit_url(village), main_form(village, product_photo=image_upload()))
    village.refresh_from_db()
    assert village.product_photo

    committee_client.post(
        edit_url(village), main_form(village, remove_product_photo="on", product_photo_alt="")
    )

    village.refresh_from_db()
    assert not village.product_photo
