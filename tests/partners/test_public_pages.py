"""Public pages (/<lang>/partenaires/): the published partners of the request's territory, by kind,
with their offers valid today, in the reader's language (French when not translated)."""

import datetime

import pytest
import time_machine
from django.test import override_settings

from sohosolo.partners.models import PartnerKind
from tests.territories.factories import CommuneFactory

from .factories import OfferFactory, partner_in

pytestmark = pytest.mark.django_db

DIRECTORY = "/fr/partenaires/"
LANDES = {"HTTP_HOST": "landes.localhost"}
TODAY = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)


def detail_url(partner, lang: str = "fr") -> str:
    return f"/{lang}/partenaires/{partner.slug}/"


@pytest.fixture
def directory(gers, landes):
    """Published and unpublished partners of the Gers, one of the Landes, offers in every state."""
    condom = CommuneFactory(territory=gers, name="Condom", code="32107", postcodes=["32100"])
    notary = partner_in(
        gers,
        name="Étude notariale de Condom",
        slug="etude-condom",
        kind=PartnerKind.NOTARY,
        commune=condom,
        address="2 place Saint-Pierre",
        description_fr="Achat d'une maison, création de société.",
        description_en="Buying a house, setting up a company.",
        website="https://notaire.example",
        phone="05 62 28 00 00",
        email="etude@notaire.example",
    )
    cci = partner_in(gers, name="CCI du Gers", slug="cci", kind=PartnerKind.CHAMBER, is_sample=True)
    OfferFactory(
        partner=notary,
        title_fr="Première consultation gratuite",
        title_en="First consultation free of charge",
        conditions_fr="Sur rendez-vous.",
    )
    OfferFactory(partner=notary, title_fr="Offre désactivée", is_active=False)
    OfferFactory(partner=notary, title_fr="Offre expirée", valid_until=datetime.date(2026, 3, 9))
    OfferFactory(partner=notary, title_fr="Offre à venir", valid_from=datetime.date(2026, 3, 11))
    OfferFactory(
        partner=cci,
        title_fr="Rendez-vous création offert",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 3, 10),
        uses_per_passport=3,
    )
    hidden = partner_in(gers, name="Banque pas encore publiée", slug="banque", is_published=False)
    OfferFactory(partner=hidden, title_fr="Offre d'un partenaire caché")
    landes_partner = partner_in(landes, name="Notaire de Dax", slug="notaire-dax")
    return {"notary": notary, "cci": cci, "hidden": hidden, "landes": landes_partner}


@time_machine.travel(TODAY, tick=False)
def test_the_directory_lists_published_partners_of_the_territory_by_kind(client, directory):
    response = client.get(DIRECTORY)

    body = response.content.decode()
    assert response.status_code == 200
    assert "INVALID_TEMPLATE_VARIABLE" not in body
    assert "Étude notariale de Condom" in body and "CCI du Gers" in body
    assert "Banque pas encore publiée" not in body and "Offre d&#x27;un partenaire caché" not in body
    assert "Notaire de Dax" not in body
    # Grouped by kind, chambers before notaries (PartnerKind's order).
    assert body.index('id="kind-chamber"') < body.index('id="kind-notary"')
    assert ">Chambre consulaire</h2>" in body and ">Notaire</h2>" in body
    assert "Offres réservées aux titulaires du passeport" in body
    assert "2 partenaires" in body and "2 offres réservées aux titulaires du passeport" in body
    assert "Donnée d'exemple" in body
    # The passport is explained, with the way to it: the project form.
    assert 'href="/fr/projet/"' in body


@time_machine.travel(TODAY, tick=False)
def test_only_active_offers_valid_today_are_shown(client, directory):
    body = client.get(DIRECTORY).content.decode()

    assert "Première consultation gratuite" in body
    assert "Rendez-vous création offert" in body  # its last day
    assert "Du 1 janvier 2026 au 10 mars 2026 · 3 utilisations par passeport" in body
    for title in ("Offre désactivée", "Offre expirée", "Offre à venir"):
        assert title not in body


@time_machine.travel(TODAY, tick=False)
def test_the_other_territory_sees_its_own_partners(client, directory):
    body = client.get(DIRECTORY, **LANDES).content.decode()

    assert "Notaire de Dax" in body and "Étude notariale de Condom" not in body


@time_machine.travel(TODAY, tick=False)
def test_translated_fields_follow_the_reader_and_fall_back_to_french(client, directory):
    english = client.get("/en/partenaires/").content.decode()

    assert 'lang="en"' in english
    assert "Buying a house, setting up a company." in english
    assert "First consultation free of charge" in english
    assert "Première consultation gratuite" not in english
    assert "Rendez-vous création offert" in english  # not translated: French
    spanish = client.get(detail_url(directory["notary"], "es")).content.decode()
    assert "Achat d&#x27;une maison, création de société." in spanish
    assert "Première consultation gratuite" in spanish


@time_machine.travel(TODAY, tick=False)
def test_a_partner_page_shows_its_offers_and_contact(client, directory):
    response = client.get(detail_url(directory["notary"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "INVALID_TEMPLATE_VARIABLE" not in body
    assert "<h1>Étude notariale de Condom</h1>" in body
    assert "Notaire · Condom" in body
    assert "Première consultation gratuite" in body and "Sur rendez-vous." in body
    assert "Offre expirée" not in body and "Offre désactivée" not in body
    assert "2 place Saint-Pierre<br>32100 Condom" in body
    assert 'href="tel:0562280000"' in body and 'href="mailto:etude@notaire.example"' in body
    assert 'href="/fr/projet/"' in body


def test_a_partner_without_offers_says_so(client, gers):
    partner = partner_in(gers, name="Coworking de Marciac", slug="coworking", kind=PartnerKind.COWORKING)

    body = client.get(detail_url(partner)).content.decode()

    assert "Ce partenaire ne propose pas d'offre en ce moment." in body
    assert "INVALID_TEMPLATE_VARIABLE" not in body


def test_an_unpublished_or_other_territorys_partner_is_not_found(client, directory):
    assert client.get(detail_url(directory["hidden"])).status_code == 404
    assert client.get(detail_url(directory["landes"])).status_code == 404
    assert client.get(detail_url(directory["landes"]), **LANDES).status_code == 200
    assert client.get("/fr/partenaires/n-existe-pas/").status_code == 404


def test_an_empty_directory_says_so(client, gers):
    body = client.get(DIRECTORY).content.decode()

    assert "Aucun partenaire n'est encore publié ici." in body


@override_settings(PAGE_CACHE_ENABLED=True)
def test_the_cached_directory_is_forgotten_when_a_partner_or_an_offer_changes(
    client, gers, django_capture_on_commit_callbacks
):
    partner = partner_in(gers, name="Étude notariale de Condom")
    first = client.get(DIRECTORY)
    assert "X-Page-Cache" not in first
    assert client.get(DIRECTORY)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        OfferFactory(partner=partner, title_fr="Première consultation gratuite")
    fresh = client.get(DIRECTORY)
    assert "X-Page-Cache" not in fresh
    assert "Première consultation gratuite" in fresh.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        partner.is_published = False
        partner.save()
    assert "Étude notariale de Condom" not in client.get(DIRECTORY).content.decode()


def test_the_directory_and_a_partner_page_take_a_constant_number_of_queries(
    client, gers, django_assert_max_num_queries
):
    for _n in range(12):
        partner = partner_in(gers, commune=CommuneFactory(territory=gers))
        OfferFactory(partner=partner)
        OfferFactory(partner=partner)
    with django_assert_max_num_queries(8):
        assert client.get(DIRECTORY).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(detail_url(partner)).status_code == 200
