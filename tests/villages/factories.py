"""Factories and helpers for welcome villages, their committees and photos."""

import io

import factory
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify
from factory.django import DjangoModelFactory
from PIL import Image

from sohosolo.accounts.models import Role
from sohosolo.villages.models import Village, VillagePhoto
from tests.accounts.staff_factories import MembershipFactory, verified_user
from tests.territories.factories import CommuneFactory


class VillageFactory(DjangoModelFactory):
    """A published village on a fresh commune with a boundary (pass commune__territory=gers to share)."""

    class Meta:
        model = Village

    commune = factory.SubFactory(CommuneFactory, with_boundary=True)
    territory = factory.LazyAttribute(lambda v: v.commune.territory)
    slug = factory.LazyAttribute(lambda v: f"{slugify(v.commune.name)}-{v.commune.code}")
    status = "published"
    presentation_fr = factory.Faker("paragraph", nb_sentences=4, locale="fr_FR")
    product_title_fr = factory.Faker("catch_phrase", locale="fr_FR")
    product_text_fr = factory.Faker("paragraph", locale="fr_FR")

    class Params:
        draft = factory.Trait(status="draft")


def village_in(territory, **kwargs) -> Village:
    return VillageFactory(commune__territory=territory, **kwargs)


def village_of_commune(commune, **kwargs) -> Village:
    return VillageFactory(commune=commune, territory=commune.territory, **kwargs)


def committee_member(village: Village, **user_fields):
    """A new user holding the committee role for this village."""
    user = verified_user(**user_fields)
    MembershipFactory(
        user=user,
        territory=village.territory,
        role=Role.COMMITTEE,
        scope_type=ContentType.objects.get_for_model(Village),
        scope_id=village.pk,
    )
    return user


def image_bytes(fmt: str = "PNG", size=(40, 30), colour=(31, 92, 61), **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, **save_kwargs)
    return out.getvalue()


def image_upload(name: str = "halle.png", fmt: str = "PNG", **kwargs) -> SimpleUploadedFile:
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type=content_type)


class VillagePhotoFactory(DjangoModelFactory):
    class Meta:
        model = VillagePhoto

    village = factory.SubFactory(VillageFactory)
    image = factory.LazyFunction(lambda: image_upload())
    alt_text = factory.Faker("sentence", nb_words=5, locale="fr_FR")
