"""Journey 3's passport part, in Chromium: the candidate shows her passport's QR code; the notary's
staff member opens its URL on a phone, logs in, comes back to the scan page and redeems the free first
consultation; the advisor then sees the redemption on the prospect's timeline.

The URL the partner opens is the one the QR code holds: the test finds it by drawing the QR codes of
the passport's scan URL and comparing it with the one on the page. Also: the partner's referrals, marked
« rendez-vous pris », and the desk lookup by number and check code.

axe-core finds no WCAG 2.1 A/AA violation on the scan page (before and after the redemption), the
desk page, the invalid-code page and the partner's referral pages; at a phone's width nothing
overflows; no console error or CSP violation.
"""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Role
from sohosolo.partners.models import Referral
from sohosolo.partners.referrals import referral_create
from sohosolo.passports.models import Passport, Redemption
from sohosolo.passports.qr import qr_svg
from sohosolo.passports.tokens import passport_token
from sohosolo.prospects.models import Prospect
from sohosolo.prospects.services import prospect_transition
from tests.accounts.staff_factories import MembershipFactory, member, verified_user
from tests.browser.conftest import ConsoleLog
from tests.partners.factories import OfferFactory, partner_in, partner_staff
from tests.prospects.factories import ProspectFactory

from .test_village_pages import assert_clean, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

LEA_EMAIL = "lea.garnier@exemple.fr"
NOTARY_EMAIL = "accueil@notaire-lafitte.test"
ADVISOR_EMAIL = "claire.conseil@gers.test"
FREE_CONSULTATION = "Première consultation gratuite"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def advisor(gers_live):
    return member(gers_live, Role.ADVISOR, email=ADVISOR_EMAIL, first_name="Claire", last_name="Dupuy")


@pytest.fixture
def notary(gers_live):
    notary = partner_in(gers_live, name="Étude de Maître Lafitte", slug="etude-lafitte")
    OfferFactory(partner=notary, title_fr=FREE_CONSULTATION, conditions_fr="Sur rendez-vous, à l'étude.")
    partner_staff(notary, email=NOTARY_EMAIL, first_name="Paul")
    return notary


@pytest.fixture
def lea(gers_live, advisor) -> Prospect:
    """A designer from Lyon, now a candidate: her passport is open, and she has an account."""
    user = verified_user(email=LEA_EMAIL, first_name="Léa", last_name="Garnier")
    MembershipFactory(user=user, territory=gers_live, role=Role.PROSPECT)
    prospect = ProspectFactory(
        territory=gers_live,
        user=user,
        first_name="Léa",
        last_name="Garnier",
        email=LEA_EMAIL,
        stage="qualified",
        advisor=advisor,
        activity="Designer graphique",
    )
    prospect_transition(prospect=prospect, to="candidate", by=advisor)
    return prospect


def _path_data(svg: str) -> str:
    return re.search(r' d="([^"]+)"', svg).group(1)


def url_in_qr(page_svg: str, site: str, passport: Passport, since: float, until: float) -> str:
    """The scan URL whose QR code is the one shown (a passport's code is the same at every display)."""
    url = f"{site}/fr/passeport/scan/{passport_token(passport)}/"
    if _path_data(qr_svg(url, label="")) == _path_data(page_svg):
        return url
    raise AssertionError("The QR code holds no scan URL of this passport.")


def no_overflow(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_notary_redeems_the_free_consultation_shown_by_the_candidate(
    site: str, page: Page, console: ConsoleLog, network, guarded_context, advisor, notary, lea
):
    passport = Passport.objects.get(prospect=lea)

    # 1. Léa opens her passport in « Mon espace »: the QR code, the number and the check code.
    log_in(page, site, LEA_EMAIL)
    since = time.time()
    response = page.goto(site + "/fr/mon-espace/passeport/")
    until = time.time()
    assert response is not None and response.status == 200
    qr = page.locator("svg.passport-qr")
    expect(qr).to_be_visible()
    expect(page.get_by_text(passport.check_code).first).to_be_visible()
    url = url_in_qr(qr.evaluate("node => node.outerHTML"), site, passport, since, until)

    # 2. The notary's staff member opens it on a phone, not logged in: login, then back to the scan page.
    partner_page = guarded_context(viewport=PHONE).new_page()
    partner_console = ConsoleLog().watch(partner_page)
    partner_page.goto(url)
    expect(partner_page).to_have_url(re.compile(r"/fr/compte/connexion/\?next="))
    partner_page.get_by_label("Courriel").fill(NOTARY_EMAIL)
    partner_page.get_by_label("Mot de passe").fill("un mot de passe solide")
    partner_page.get_by_role("button", name="Connexion").click()
    expect(partner_page).to_have_url(url)
    expect(partner_page.get_by_role("heading", level=1)).to_have_text("Passeport de Léa")
    expect(partner_page.get_by_text(passport.number)).to_be_visible()
    expect(partner_page.get_by_text("Garnier")).to_have_count(0)
    partner_page.wait_for_load_state("load")
    assert_no_axe_violations(partner_page, "scan page")
    assert no_overflow(partner_page), "the scan page overflows a phone's width"

    # 3. One tap redeems the free consultation; the page says so, and the offer is now used.
    partner_page.get_by_role("button", name=f"Utiliser : {FREE_CONSULTATION}").click()
    expect(partner_page).to_have_url(url)
    expect(partner_page.get_by_role("status")).to_contain_text(
        f"C'est enregistré : « {FREE_CONSULTATION} » utilisée par Léa"
    )
    expect(partner_page.get_by_text(re.compile(r"Déjà utilisée le \d\d/\d\d/\d{4}"))).to_be_visible()
    expect(partner_page.get_by_role("button", name=re.compile("Utiliser"))).to_have_count(0)
    assert Redemption.objects.filter(passport=passport).count() == 1
    assert_no_axe_violations(partner_page, "scan page after the redemption")
    assert no_overflow(partner_page)

    # 4. The advisor sees the redemption on Léa's timeline.
    advisor_page = guarded_context().new_page()
    advisor_console = ConsoleLog().watch(advisor_page)
    log_in(advisor_page, site, ADVISOR_EMAIL)
    advisor_page.goto(f"{site}/fr/suivi/porteurs/{lea.pk}/")
    expect(advisor_page.locator(".timeline")).to_contain_text(
        f"Offre utilisée chez Étude de Maître Lafitte : {FREE_CONSULTATION}"
    )

    for log in (console, partner_console, advisor_console):
        assert_clean(log, network)


def test_the_partner_desk_and_referral_pages(
    site: str, page: Page, console: ConsoleLog, network, advisor, notary, lea
):
    passport = Passport.objects.get(prospect=lea)
    referral = referral_create(
        prospect=lea,
        partner=notary,
        message="Léa crée une SARL de design : un conseil sur les statuts et le bail.",
        consent=True,
        basis="par téléphone le 12 mars",
        by=advisor,
    )
    log_in(page, site, NOTARY_EMAIL)

    # The desk without a camera: a wrong code, then the right pair typed loosely.
    page.goto(site + "/fr/passeport/guichet/")
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, "desk")
    page.get_by_label("Numéro du passeport").fill(passport.number.lower().replace("-", " "))
    page.get_by_label("Code de contrôle").fill("ZZZZZZ")
    page.get_by_role("button", name="Ouvrir le passeport").click()
    expect(page.get_by_role("alert")).to_contain_text("Aucun passeport ne correspond")
    assert_no_axe_violations(page, "desk (error)")
    page.get_by_label("Code de contrôle").fill(passport.check_code.lower())
    page.get_by_role("button", name="Ouvrir le passeport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passeport de Léa")

    # A forged code: a clear page, not an error of the server.
    response = page.goto(site + "/fr/passeport/scan/pas-un-vrai-code/")
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Code de passeport non valide")
    assert_no_axe_violations(page, "invalid code")

    # The referrals: the list, the page, « rendez-vous pris » with a note.
    response = page.goto(site + "/fr/suivi/orientations/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Orientations")
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, "referrals list")
    page.get_by_role("link", name="Léa Garnier").click()
    expect(page.get_by_text("Léa crée une SARL de design")).to_be_visible()
    expect(page.get_by_role("link", name=LEA_EMAIL)).to_be_visible()
    assert_no_axe_violations(page, "referral page")
    form = page.get_by_role("form", name="Où en êtes-vous ?")
    form.get_by_role("button", name="Enregistrer").click()  # nothing chosen: the error, tied to the group
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_axe_violations(page, "referral page (error)")
    form = page.get_by_role("form", name="Où en êtes-vous ?")
    form.get_by_label("rendez-vous pris").check()
    form.get_by_label("Note (facultative)").fill("Rendez-vous le 3 avril à 10 h.")
    form.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("C'est noté")
    expect(page.get_by_text("Étude de Maître Lafitte : rendez-vous pris.")).to_be_visible()
    referral.refresh_from_db()
    assert referral.status == "appointment"
    assert Referral.objects.count() == 1

    assert_clean(console, network, expected_status=400)
