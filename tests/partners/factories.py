"""Factories and helpers for partners, their offers and their staff."""

import factory
from django.contrib.contenttypes.models import ContentType
from factory.django import DjangoModelFactory

from sohosolo.accounts.models import Role
from sohosolo.partners.models import Offer, Partner, PartnerKind
from tests.accounts.staff_factories import MembershipFactory, verified_user
from tests.territories.factories import TerritoryFactory


class PartnerFactory(DjangoModelFactory):
    """A published partner with a position (pass territory=gers to share the sample territory)."""

    class Meta:
        model = Partner

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Partenaire {n}")
    slug = factory.Sequence(lambda n: f"partenaire-{n}")
    kind = PartnerKind.NOTARY
    description_fr = "Conseils aux nouveaux arrivants."
    lat = 43.65
    lon = 0.59
    is_published = True


class OfferFactory(DjangoModelFactory):
    """An active offer without dates, one use per passport."""

    class Meta:
        model = Offer

    partner = factory.SubFactory(PartnerFactory)
    title_fr = factory.Sequence(lambda n: f"Offre {n}")
    uses_per_passport = 1
    is_active = True


def partner_in(territory, **kwargs) -> Partner:
    return PartnerFactory(territory=territory, **kwargs)


def partner_staff(partner: Partner, **user_fields):
    """A new user holding the partner role scoped to this partner."""
    user = verified_user(**user_fields)
    MembershipFactory(
        user=user,
        territory=partner.territory,
        role=Role.PARTNER,
        scope_type=ContentType.objects.get_for_model(Partner),
        scope_id=partner.pk,
    )
    return user
