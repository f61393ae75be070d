"""Journey 1's form part, in Chromium: a designer in Lyon opens /fr/projet/, fills the short form,
chooses a village, ticks the consents and sends; she sees the confirmation, the outbox holds her
welcome email, and its one-time link opens "Mon espace".

axe-core finds no WCAG 2.1 A/AA violation on the form, empty and with errors; the page has no console
error nor CSP violation and fits a 390 px wide phone.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.prospects.models import ConsentRecord, Prospect
from sohosolo.territories.models import Commune
from sohosolo.villages.models import Village
from tests.browser.conftest import ConsoleLog

from .test_village_pages import assert_clean, assert_error_tied_to, assert_no_axe_violations

pytestmark = pytest.mark.browser

EMAIL = "lea.martin@exemple.fr"
LINK = re.compile(r"https?://[^/\s]+(/fr/projet/connexion/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def lavardens(gers_live) -> Village:
    return Village.objects.create(
        territory=gers_live,
        commune=Commune.objects.get(code="32204"),
        slug="lavardens",
        status="published",
        presentation_fr="Lavardens, son château et ses coteaux.",
    )


def a_person_took_their_time():
    """The form refuses posts sent less than 3 s after the page was shown: move the clock on (the
    live server runs in this process, so it sees the same clock)."""
    return time_machine.travel(timezone.now() + timedelta(seconds=10))


def test_journey_one_a_visitor_leaves_her_project_and_opens_mon_espace(
    site: str, page: Page, console: ConsoleLog, network, lavardens
):
    page.goto(site + "/fr/projet/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déposer mon projet")
    expect(page.get_by_role("group", name="Précisez votre projet (facultatif)")).to_be_visible()
    assert_no_axe_violations(page, "empty project form")

    page.get_by_role("textbox", name="Prénom").fill("Léa")
    page.get_by_role("textbox", name="Nom de famille", exact=True).fill("Martin")
    page.get_by_role("textbox", name="Adresse e-mail").fill(EMAIL)
    page.get_by_label("Téléphone (facultatif)").fill("06 12 34 56 78")
    page.get_by_label("Où vivez-vous aujourd'hui ?").fill("Lyon")
    page.get_by_label("Votre activité").fill("Graphiste indépendante")
    page.get_by_label("Secteur d'activité").select_option("creative")
    page.get_by_role("radio", name="indépendant·e / freelance").check()
    page.get_by_role("group", name="Les villages qui vous intéressent").get_by_role(
        "checkbox", name="Lavardens"
    ).check()
    page.get_by_role("radio", name="dans 6 à 12 mois").check()
    page.get_by_role("checkbox", name="un espace de coworking").check()
    page.get_by_role("checkbox", name=re.compile("transmis aux comités d'accueil")).check()
    with a_person_took_their_time():
        page.get_by_role("button", name="Envoyer mon projet").click()

        # Forgot the required consent: the answers stay, the error is tied to the box.
        expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
        assert_error_tied_to(page, "id_consent_contact", "sans votre accord")
        expect(page.get_by_role("textbox", name="Prénom")).to_have_value("Léa")
        expect(page.get_by_role("checkbox", name="Lavardens")).to_be_checked()
        expect(page.locator("#form-errors")).to_be_focused()
        assert_no_axe_violations(page, "project form with errors")

        page.get_by_role("checkbox", name=re.compile("être contacté·e par les conseillers")).check()
        page.get_by_role("button", name="Envoyer mon projet").click()

    expect(page).to_have_url(site + "/fr/projet/merci/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre projet est bien arrivé")
    prospect = Prospect.objects.get()
    assert prospect.email == EMAIL and list(prospect.villages.all()) == [lavardens]
    assert prospect.user.memberships.filter(role=Role.PROSPECT, territory=lavardens.territory).exists()
    assert ConsentRecord.objects.filter(prospect=prospect).count() == 3

    # The welcome email is in the outbox; its link opens "Mon espace".
    message = OutboxMessage.objects.get(to=EMAIL, kind="prospect_welcome")
    link = LINK.search(message.body_text).group(1)
    page.goto(site + link)
    page.get_by_role("button", name="Me connecter et ouvrir Mon espace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    expect(page.get_by_text(f"Vous êtes connecté avec l'adresse {EMAIL}.")).to_be_visible()

    # The link served once.
    page.goto(site + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien de connexion ne fonctionne plus")

    assert_clean(console, network, expected_status=400)


def test_the_project_form_fits_a_phone(site: str, guarded_context, network, lavardens):
    page = guarded_context(viewport={"width": 390, "height": 844}).new_page()
    console = ConsoleLog().watch(page)
    page.goto(site + "/fr/projet/")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the form overflows by {overflow}px at 390 px"
    page.get_by_role("button", name="Envoyer mon projet").click()
    expect(page.get_by_role("alert")).to_be_visible()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the form with errors overflows by {overflow}px at 390 px"
    assert_clean(console, network, expected_status=400)
