"""Partners' pages in Chromium: the public directory and a partner's page (French, English, a 390 px
phone), a partner's staff managing its offers through « Mon partenaire » (also in the form's error
state), and the staff's partner form with its point picker.

axe-core finds no WCAG 2.1 A/AA violation on any of them, and none logs a console error or a CSP
violation. Logos live in the tests' InMemoryStorage, served to the browser by `serve_media`.
"""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Membership, Role
from sohosolo.partners.models import Offer, Partner, PartnerKind
from sohosolo.partners.sample import sample_logo
from sohosolo.territories.models import Commune
from tests.accounts.staff_factories import verified_user
from tests.browser.conftest import ConsoleLog

from .test_village_pages import (
    assert_clean,
    assert_error_tied_to,
    assert_no_axe_violations,
    log_in,
    serve_media,
)

pytestmark = pytest.mark.browser

NOTARY_STAFF = "clerc@notaire-condom.test"
ADMIN = "admin@gers.test"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(page: Page) -> Page:
    serve_media(page)
    return page


@pytest.fixture
def partners(gers_live) -> dict:
    condom = Commune.objects.get(territory=gers_live, code="32107")
    auch = Commune.objects.get(territory=gers_live, code="32013")
    notary = Partner(
        territory=gers_live,
        name="Étude notariale de Condom",
        slug="etude-condom",
        kind=PartnerKind.NOTARY,
        commune=condom,
        lat=condom.lat,
        lon=condom.lon,
        address="2 place Saint-Pierre",
        description_fr="Achat d'une maison ou d'un local, création de société, transmission.",
        description_en="Buying a house or premises, setting up a company, succession.",
        website="https://notaire.example",
        phone="05 62 28 00 00",
        email="etude@notaire.example",
    )
    notary.logo = sample_logo(notary.name, notary.kind, notary.slug)
    notary.save()
    Offer.objects.create(
        partner=notary,
        title_fr="Première consultation gratuite",
        title_en="First consultation free of charge",
        description_fr="Une heure pour faire le point sur votre projet.",
        conditions_fr="Sur rendez-vous.",
    )
    cci = Partner.objects.create(
        territory=gers_live,
        name="CCI du Gers",
        slug="cci",
        kind=PartnerKind.CHAMBER,
        commune=auch,
        lat=auch.lat,
        lon=auch.lon,
        description_fr="Texte d'exemple. La chambre de commerce accompagne la création d'entreprise.",
        is_sample=True,
    )
    Offer.objects.create(
        partner=cci,
        title_fr="Ateliers « prévisionnel financier »",
        uses_per_passport=3,
        valid_until=datetime.date.today() + datetime.timedelta(days=90),
        is_sample=True,
    )
    Partner.objects.create(
        territory=gers_live, name="Coworking de Marciac", slug="coworking", kind=PartnerKind.COWORKING
    )
    staff = verified_user(email=NOTARY_STAFF, first_name="Paul")
    Membership.objects.create(
        user=staff,
        territory=gers_live,
        role=Role.PARTNER,
        scope_type=ContentType.objects.get_for_model(Partner),
        scope_id=notary.pk,
    )
    admin = verified_user(email=ADMIN, first_name="Marc")
    Membership.objects.create(user=admin, territory=gers_live, role=Role.TERRITORY_ADMIN)
    return {"notary": notary, "cci": cci}


def assert_fits_a_phone(page: Page, where: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where} overflows by {overflow}px at 390 px"


def test_the_public_directory_and_a_partner_page_are_accessible(
    site: str, page: Page, console: ConsoleLog, network, guarded_context, partners
):
    response = page.goto(site + "/fr/partenaires/")
    assert response is not None and response.status == 200

    expect(page.get_by_role("heading", level=1)).to_have_text("Les partenaires : Gers")
    notaries = page.get_by_role("region", name="Notaire")
    expect(notaries.get_by_role("link", name="Étude notariale de Condom", exact=True)).to_be_visible()
    expect(notaries).to_contain_text("Offres réservées aux titulaires du passeport")
    expect(notaries).to_contain_text("Première consultation gratuite")
    expect(page.get_by_role("region", name="Chambre consulaire")).to_contain_text("Donnée d'exemple")
    expect(page.get_by_role("link", name="Présenter mon projet")).to_have_attribute("href", "/fr/projet/")
    logo = page.locator(".partner-card img.partner-logo")
    expect(logo).to_have_count(1)
    assert logo.evaluate("(img) => img.complete && img.naturalWidth > 0"), "the logo did not load"
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, "/fr/partenaires/")

    page.get_by_role("link", name="Étude notariale de Condom", exact=True).click()
    expect(page).to_have_url(re.compile(r"/fr/partenaires/etude-condom/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Étude notariale de Condom")
    offers = page.get_by_role("region", name="Offres réservées aux titulaires du passeport")
    expect(offers.get_by_role("heading", name="Première consultation gratuite")).to_be_visible()
    expect(offers).to_contain_text("Sur rendez-vous.")
    expect(page.get_by_role("link", name="05 62 28 00 00")).to_have_attribute("href", "tel:0562280000")
    assert_no_axe_violations(page, "/fr/partenaires/etude-condom/")

    page.goto(site + "/en/partenaires/etude-condom/")
    expect(page.get_by_text("Buying a house or premises, setting up a company, succession.")).to_be_visible()
    expect(page.get_by_role("heading", name="First consultation free of charge")).to_be_visible()
    assert_no_axe_violations(page, "/en/partenaires/etude-condom/")

    phone = guarded_context(viewport=PHONE).new_page()
    serve_media(phone)
    phone_console = ConsoleLog().watch(phone)
    for path in ("/fr/partenaires/", "/fr/partenaires/etude-condom/"):
        phone.goto(site + path)
        phone.wait_for_load_state("load")
        assert_fits_a_phone(phone, path)
        assert_no_axe_violations(phone, f"{path} at 390 px")

    assert_clean(console, network)
    assert_clean(phone_console, network)


def test_a_partners_staff_manages_its_offers(
    site: str, page: Page, console: ConsoleLog, network, guarded_context, partners
):
    log_in(page, site, NOTARY_STAFF)
    page.goto(site + "/fr/suivi/partenaires/mes-offres/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon partenaire")
    section = page.get_by_role("region", name="Étude notariale de Condom")
    expect(section.get_by_role("heading", name="Première consultation gratuite", exact=True)).to_be_visible()
    expect(page.get_by_text("Ateliers « prévisionnel financier »")).to_have_count(0)  # another partner's
    assert_no_axe_violations(page, "Mon partenaire")

    # A new offer whose end comes before its start: the error is explained and tied to the field.
    section.get_by_role("link", name="Ajouter une offre – Étude notariale de Condom").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle offre")
    assert_no_axe_violations(page, "new offer form")
    page.get_by_role("textbox", name="Titre", exact=True).fill("Rendez-vous « achat immobilier »")
    page.get_by_label("Conditions", exact=True).fill("Pour un premier achat dans le Gers.")
    page.get_by_label("Valable à partir du").fill("2026-09-30")
    page.get_by_label("Valable jusqu'au").fill("2026-09-01")
    page.get_by_label("Utilisations par passeport").fill("2")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("est avant la date de début")
    assert_error_tied_to(page, "id_valid_until", "La date de fin de validité (01/09/2026)")
    expect(page.get_by_role("textbox", name="Titre", exact=True)).to_have_value(
        "Rendez-vous « achat immobilier »"
    )
    assert_no_axe_violations(page, "new offer form with an error")

    # Translations are optional, folded away until needed.
    page.get_by_text("Traductions (facultatif)").click()
    page.get_by_label("Titre (English)").fill("Home buying appointment")
    page.get_by_label("Valable jusqu'au").fill("2026-12-31")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Offre « Rendez-vous « achat immobilier » » ajoutée.")
    offer = Offer.objects.get(title_fr="Rendez-vous « achat immobilier »")
    assert offer.partner == partners["notary"] and offer.title_en == "Home buying appointment"
    assert offer.uses_per_passport == 2 and offer.valid_until == datetime.date(2026, 12, 31)

    # Deactivated in one tap; the list says so.
    page.get_by_role("button", name="Désactiver « Première consultation gratuite »").click()
    expect(page.get_by_role("status")).to_contain_text("désactivée")
    expect(page.get_by_role("button", name="Réactiver « Première consultation gratuite »")).to_be_visible()
    assert_no_axe_violations(page, "Mon partenaire after changes")

    # Another partner's offer answers the 404 page.
    other = partners["cci"].offers.get()
    response = page.goto(site + f"/fr/suivi/partenaires/offres/{other.pk}/modifier/")
    assert response is not None and response.status == 404

    phone = guarded_context(viewport=PHONE).new_page()
    phone_console = ConsoleLog().watch(phone)
    log_in(phone, site, NOTARY_STAFF)
    phone.goto(site + "/fr/suivi/partenaires/mes-offres/")
    assert_fits_a_phone(phone, "Mon partenaire")
    assert_no_axe_violations(phone, "Mon partenaire at 390 px")

    # Chromium logs the form's 400 and the other offer's 404: expected, and only those.
    console.errors[:] = [e for e in console.errors if "status of 404" not in e]
    assert_clean(console, network, expected_status=400)
    assert_clean(phone_console, network)


def test_the_staff_partner_pages_are_accessible(
    site: str, page: Page, console: ConsoleLog, network, partners
):
    log_in(page, site, ADMIN)
    page.goto(site + "/fr/suivi/partenaires/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partenaires")
    assert_no_axe_violations(page, "partners list")

    page.get_by_role("link", name="Ajouter un partenaire").click()
    page.wait_for_function("() => window.pointPickerReady === true")
    assert_no_axe_violations(page, "new partner form")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Banque de Lectoure")
    page.get_by_label("Latitude").fill("43.9")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Type")
    assert_error_tied_to(page, "id_lat", "Indiquez la latitude et la longitude, ou laissez les deux vides.")
    page.wait_for_function("() => window.pointPickerReady === true")
    assert_no_axe_violations(page, "new partner form with errors")

    page.get_by_role("combobox", name="Type", exact=True).select_option("bank")
    page.get_by_role("combobox", name="Commune").select_option(label="Lectoure (32700)")
    page.get_by_label("Latitude").fill("")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Banque de Lectoure")
    partner = Partner.objects.get(name="Banque de Lectoure")
    assert partner.commune.code == "32208" and partner.lat == partner.commune.lat
    expect(page.get_by_role("link", name="Inviter une personne de l'équipe")).to_have_attribute(
        "href", f"/fr/suivi/equipe/inviter/?role=partner&scope=partner:{partner.pk}"
    )
    assert_no_axe_violations(page, "staff partner page")

    assert_clean(console, network, expected_status=400)
