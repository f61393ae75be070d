""" "Mon passeport" in Chromium: the candidate logs in, opens their passport from "Mon espace", ticks a
step, opens the print view and prints it: exactly one A4 page. axe-core finds no WCAG 2.1 A/AA violation
on the passport page and its print view; no console error or CSP violation (the QR code is an inline SVG
without style attributes); nothing overflows at 390 px.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Membership, Role
from sohosolo.passports.models import Passport, StepDone
from sohosolo.passports.services import passport_open, redeem
from sohosolo.prospects.models import Prospect, Stage
from tests.accounts.staff_factories import verified_user
from tests.browser.conftest import ConsoleLog
from tests.partners.factories import OfferFactory, PartnerFactory

from .test_village_pages import assert_clean, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

EMAIL = "camille@projet.test"


@pytest.fixture
def passport(gers_live) -> Passport:
    user = verified_user(email=EMAIL, first_name="Camille")
    Membership.objects.create(user=user, territory=gers_live, role=Role.PROSPECT)
    advisor = verified_user(email="mathilde@conseil.test", first_name="Mathilde")
    prospect = Prospect.objects.create(
        territory=gers_live,
        user=user,
        first_name="Camille",
        last_name="Martin",
        email=EMAIL,
        stage=Stage.CANDIDATE,
        advisor=advisor,
        consent_contact=True,
    )
    passport = passport_open(prospect=prospect)
    notary = PartnerFactory(territory=gers_live, name="Étude Dupont, notaires", slug="etude-dupont")
    used = OfferFactory(partner=notary, title_fr="Première consultation gratuite")
    OfferFactory(
        partner=PartnerFactory(territory=gers_live, name="Chambre de Métiers", slug="cma", kind="chamber"),
        title_fr="Atelier « Créer son entreprise »",
        uses_per_passport=2,
    )
    for n in range(9):  # a territory with many partners: the sheet still fits one page
        OfferFactory(
            partner=PartnerFactory(territory=gers_live, name=f"Partenaire {n}", slug=f"p-{n}"),
            title_fr=f"Une offre d'accueil avec un titre assez long, numéro {n}",
        )
    redeem(passport=passport, offer=used, by=None)
    return passport


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))


def test_the_candidate_shows_and_prints_their_passport(
    site: str, page: Page, console: ConsoleLog, network, passport
):
    log_in(page, site, EMAIL)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon espace"
    ).click()
    section = page.get_by_role("region", name="Mon passeport")
    expect(section).to_contain_text(passport.number)
    section.get_by_role("link", name="Ouvrir mon passeport").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mon Passeport Entreprendre")
    qr = page.get_by_role("img", name=f"QR code du passeport {passport.number}")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 200 and abs(box["width"] - box["height"]) < 1
    expect(page.locator("figure")).to_contain_text(passport.check_code)
    offers = page.get_by_role("region", name="Les offres des partenaires")
    expect(offers).to_contain_text("Utilisée le")
    expect(offers).to_contain_text("Atelier « Créer son entreprise »")
    steps = page.get_by_role("region", name="Mes étapes")
    expect(steps.get_by_role("progressbar")).to_have_attribute("value", "0")
    assert_no_axe_violations(page, "passport page")

    steps.get_by_role("button", name="Cocher : Projet défini").click()
    expect(page.get_by_role("status")).to_contain_text("Étape « Projet défini » cochée.")
    steps = page.get_by_role("region", name="Mes étapes")
    expect(steps).to_contain_text("1 étape sur 7")
    expect(steps.get_by_role("progressbar")).to_have_attribute("value", "1")
    expect(steps.get_by_role("button", name="Décocher : Projet défini")).to_be_visible()
    assert StepDone.objects.filter(passport=passport).count() == 1
    assert_no_axe_violations(page, "passport page after a tick")

    page.get_by_role("link", name="Imprimer mon passeport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passeport Entreprendre en Soho Solo")
    expect(page.locator(".passport-sheet")).to_contain_text("Camille Martin")
    expect(page.get_by_role("img", name=f"QR code du passeport {passport.number}")).to_be_visible()
    assert_no_axe_violations(page, "print view")

    # The button (shown by the script) opens the print dialog.
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    page.get_by_role("button", name="Imprimer").click()
    assert page.evaluate("() => window.printed === true")

    # On paper: only the sheet, on exactly one A4 page.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".print-tools")).to_be_hidden()
    expect(page.locator(".passport-sheet")).to_be_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    assert pdf_pages(pdf) == 1
    page.emulate_media(media="screen")

    assert_clean(console, network)


def test_the_passport_pages_fit_a_phone(site: str, guarded_context, network, passport):
    context = guarded_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    console = ConsoleLog().watch(page)
    log_in(page, site, EMAIL)
    for path in ("/fr/mon-espace/passeport/", "/fr/mon-espace/passeport/imprimer/"):
        page.goto(site + path)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} overflows by {overflow}px at 390 px"
    qr = page.get_by_role("img", name=f"QR code du passeport {passport.number}").bounding_box()
    assert qr is not None and qr["width"] >= 180  # big enough for a phone camera across a desk
    assert_clean(console, network)


def test_the_administrator_lists_passports_and_edits_the_checklist(
    site: str, page: Page, console: ConsoleLog, network, passport
):
    admin = verified_user(email="direction@gers.test", first_name="Hélène")
    Membership.objects.create(user=admin, territory=passport.territory, role=Role.TERRITORY_ADMIN)
    log_in(page, site, admin.email)
    page.goto(site + "/fr/suivi/passeports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Passeports")
    expect(page.get_by_role("table")).to_contain_text(passport.number)
    assert_no_axe_violations(page, "passports list")

    page.get_by_role("link", name="Configurer les étapes du passeport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Étapes du passeport")
    page.get_by_role("button", name="Ajouter l'étape").click()
    expect(page.get_by_role("alert")).to_contain_text("Intitulé en français")
    assert_no_axe_violations(page, "checklist configuration with an error")
    page.get_by_label("Intitulé en français").fill("Étude de marché")
    page.get_by_label("Intitulé (English)").fill("Market study")
    page.get_by_role("button", name="Ajouter l'étape").click()
    expect(page.get_by_role("status")).to_contain_text("Étape « Étude de marché » ajoutée.")
    page.get_by_role("button", name="Monter : Étude de marché").click()
    expect(page.locator(".step-config > li").nth(6)).to_contain_text("Étude de marché")
    assert_no_axe_violations(page, "checklist configuration")
    assert_clean(console, network, expected_status=400)
