"""Factories for services, and small helpers to make villages and their committee members.

Villages are created directly (not through the villages app's factories) so these tests only depend on
the Village model and VillageQuerySet.editable_by.
"""

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from sohosolo.accounts.models import Membership, Role
from sohosolo.services.models import Service
from sohosolo.villages.models import Village
from tests.accounts.staff_factories import verified_user
from tests.territories.factories import CommuneFactory


class ServiceFactory(DjangoModelFactory):
    """A service placed on its commune's centre (inside it by construction)."""

    class Meta:
        model = Service

    commune = factory.SubFactory(CommuneFactory)
    category = "bakery"
    name = factory.Faker("company", locale="fr_FR")
    address = factory.Faker("street_address", locale="fr_FR")
    lat = factory.LazyAttribute(lambda s: s.commune.lat)
    lon = factory.LazyAttribute(lambda s: s.commune.lon)

    class Params:
        market = factory.Trait(category="market", market_day=5)
        sample = factory.Trait(is_sample=True)


def make_village(commune, *, status: str = "published", slug: str | None = None) -> Village:
    return Village.objects.create(
        territory=commune.territory, commune=commune, slug=slug or slugify(commune.name), status=status
    )


def committee_member(village: Village, user=None, **user_fields):
    """A user on the welcome committee of `village` (role committee scoped to it)."""
    user = user or verified_user(**user_fields)
    Membership.objects.create(
        user=user,
        territory=village.territory,
        role=Role.COMMITTEE,
        scope_type=ContentType.objects.get_for_model(Village),
        scope_id=village.pk,
    )
    return user
