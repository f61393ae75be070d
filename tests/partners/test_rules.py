"""Permissions of partners' pages (rules on the territory) and which partners a user manages."""

import pytest
from django.contrib.contenttypes.models import ContentType

from sohosolo.accounts.models import Role
from sohosolo.partners.models import Partner
from sohosolo.partners.rules import can_see_my_partner
from sohosolo.partners.services import offers_managed_by, partners_managed_by
from tests.accounts.staff_factories import MembershipFactory, member

from .factories import OfferFactory, partner_in, partner_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "manage_partners", "manage_offers", "my_partner"),
    [
        (Role.TERRITORY_ADMIN, True, True, False),
        (Role.ADVISOR, True, True, False),
        (Role.PARTNER, False, True, True),
        (Role.COMMITTEE, False, False, False),
        (Role.MEMBER, False, False, False),
        (Role.PROSPECT, False, False, False),
    ],
)
def test_permissions_by_role(gers, landes, role, manage_partners, manage_offers, my_partner):
    user = member(gers, role)

    assert user.has_perm("partners.manage_partners", gers) is manage_partners
    assert user.has_perm("partners.manage_offers", gers) is manage_offers
    assert can_see_my_partner(user, gers) is my_partner
    assert not user.has_perm("partners.manage_offers", landes)


def test_partner_staff_manage_only_the_partners_they_are_scoped_to(gers, landes):
    notary, bank, other = partner_in(gers), partner_in(gers), partner_in(gers)
    user = partner_staff(notary)
    MembershipFactory(
        user=user,
        territory=gers,
        role=Role.PARTNER,
        scope_type=ContentType.objects.get_for_model(Partner),
        scope_id=bank.pk,
    )
    mine = OfferFactory(partner=bank)
    OfferFactory(partner=other)

    assert set(partners_managed_by(user, gers)) == {notary, bank}
    assert list(offers_managed_by(user, gers)) == [mine]
    assert not partners_managed_by(user, landes).exists()


def test_territory_staff_manage_every_partner_of_their_territory_only(gers, landes):
    ours, theirs = partner_in(gers), partner_in(landes)
    advisor = member(gers, Role.ADVISOR)

    assert list(partners_managed_by(advisor, gers)) == [ours]
    assert theirs not in partners_managed_by(advisor, landes)
