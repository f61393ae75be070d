"""`manage.py load_sample_partners`: eight labelled sample partners per sample territory, with offers,
placed at real communes' centres; idempotent; the sample partner account becomes the notary's staff."""

from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from sohosolo.accounts.models import Membership, Role
from sohosolo.accounts.sample import accounts_load_sample
from sohosolo.partners.models import Offer, Partner, PartnerKind
from sohosolo.partners.sample import PARTNERS
from sohosolo.partners.services import partners_managed_by
from tests.open_data import AUCH

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("load_sample_partners", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return Partner.objects.count(), Offer.objects.count(), Membership.objects.count()


def test_loading_twice_creates_everything_once(gers_communes, landes):
    accounts_load_sample(password="x")

    first = load()
    after_first = counts()
    second = load()

    assert counts() == after_first
    assert "rien de nouveau" in second and "partenaires créé(s) : 8" in first
    for territory in (gers_communes, landes):
        partners = Partner.objects.filter(territory=territory)
        assert partners.count() == len(PARTNERS) == 8
        assert all(p.is_sample and p.is_published for p in partners)
        assert {p.kind for p in partners} >= {
            PartnerKind.CHAMBER,
            PartnerKind.URSSAF,
            PartnerKind.NOTARY,
            PartnerKind.LAWYER,
            PartnerKind.BANK,
            PartnerKind.COWORKING,
        }
        offers = Offer.objects.filter(partner__territory=territory)
        assert all(o.is_sample for o in offers)
        assert all(1 <= p.offers.count() <= 2 for p in partners)
        assert all(p.description_fr.startswith("Texte d'exemple.") for p in partners)
        assert all(p.logo for p in partners)


def test_partners_sit_at_the_centre_of_real_communes(gers_communes):
    load()

    cci = Partner.objects.get(territory=gers_communes, slug="cci-exemple")
    assert cci.name == "CCI du Gers"
    assert cci.commune.code == AUCH
    assert (cci.lat, cci.lon) == (cci.commune.lat, cci.commune.lon)
    for partner in Partner.objects.filter(territory=gers_communes, commune__isnull=False):
        assert partner.commune.territory == gers_communes
        assert (partner.lat, partner.lon) == (partner.commune.lat, partner.commune.lon)


def test_the_notary_offers_a_free_first_consultation_once(gers_communes):
    load()

    notary = Partner.objects.get(territory=gers_communes, kind=PartnerKind.NOTARY)
    offer = notary.offers.get()
    assert offer.title_fr == "Première consultation gratuite" and offer.title_en
    assert offer.uses_per_passport == 1 and offer.is_active


def test_the_sample_partner_account_becomes_the_notarys_staff(gers_communes, landes):
    accounts_load_sample(password="x")
    load()
    load()

    for territory in (gers_communes, landes):
        user = Membership.objects.get(
            user__email=f"partenaire@{territory.slug}.soho-solo.example", role=Role.PARTNER, scope_id=None
        ).user
        scoped = Membership.objects.filter(
            user=user,
            territory=territory,
            role=Role.PARTNER,
            scope_type=ContentType.objects.get_for_model(Partner),
        )
        assert scoped.count() == 1
        notary = Partner.objects.get(territory=territory, kind=PartnerKind.NOTARY)
        assert scoped.get().scope_id == notary.pk
        assert list(partners_managed_by(user, territory)) == [notary]


def test_staff_edits_survive_a_reload(gers_communes):
    load()
    cci = Partner.objects.get(territory=gers_communes, slug="cci-exemple")
    cci.description_fr = "Décrit par l'équipe."
    cci.save()
    cci.offers.first().delete()

    load()

    cci.refresh_from_db()
    assert cci.description_fr == "Décrit par l'équipe."
    assert cci.offers.count() == 2  # the missing sample offer is back, nothing doubled


def test_the_command_refuses_to_run_outside_development(gers):
    with pytest.raises(CommandError, match="development only"):
        call_command("load_sample_partners", stdout=StringIO())
    assert not Partner.objects.exists()
