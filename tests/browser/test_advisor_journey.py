"""Journey 2 of the design, in Chromium: an advisor opens a new contact (sent through the project form,
with a chosen village and the consent to share), qualifies her, logs a call (after a form error),
proposes the next information meeting (an email in the outbox) and moves her to candidate: her passport
opens.

axe-core finds no WCAG 2.1 A/AA violation on the prospect page, with and without a form error, nor at
a phone's width (where nothing overflows); no console error or CSP violation.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.passports.models import Passport
from sohosolo.prospects.models import (
    Activity,
    ActivityKind,
    ConsentPurpose,
    ConsentSource,
    Prospect,
    Stage,
)
from sohosolo.prospects.services import activity_record, consent_record
from sohosolo.territories.models import Commune
from sohosolo.villages.models import Village
from tests.accounts.staff_factories import member
from tests.browser.conftest import ConsoleLog
from tests.prospects.factories import ProspectFactory

from .test_village_pages import assert_clean, assert_error_tied_to, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

ADVISOR_EMAIL = "claire.conseil@gers.test"
LEA_EMAIL = "lea.garnier@exemple.fr"


@pytest.fixture
def advisor(gers_live):
    return member(gers_live, Role.ADVISOR, email=ADVISOR_EMAIL, first_name="Claire", last_name="Dupuy")


@pytest.fixture
def lea(gers_live) -> Prospect:
    """A designer from Lyon who left her project on the form: she chose Lavardens and agreed to share."""
    lavardens = Village.objects.create(
        territory=gers_live,
        commune=Commune.objects.get(code="32204"),
        slug="lavardens",
        status="published",
        presentation_fr="Lavardens, son château et ses coteaux.",
    )
    prospect = ProspectFactory(
        territory=gers_live,
        first_name="Léa",
        last_name="Garnier",
        email=LEA_EMAIL,
        phone="06 12 34 56 78",
        current_location="Lyon",
        activity="Designer graphique indépendante",
        message="Nous cherchons une maison avec la fibre, près d'une école.",
        needs=["rent", "coworking"],
        heard_from="search",
        utm_source="google",
        consent_contact=False,
    )
    prospect.villages.set([lavardens])
    sent = timezone.now() - timedelta(hours=2)
    activity_record(prospect=prospect, kind=ActivityKind.FORM, occurred_at=sent)
    for purpose in (ConsentPurpose.CONTACT, ConsentPurpose.SHARE_VILLAGES, ConsentPurpose.NEWSLETTER):
        consent_record(
            prospect=prospect,
            purpose=purpose,
            granted=purpose != ConsentPurpose.NEWSLETTER,
            source=ConsentSource.PROJECT_FORM,
            at=sent,
        )
    prospect.refresh_from_db()
    assert prospect.consent_contact and prospect.consent_share_villages
    return prospect


def status_says(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def test_journey_two_the_advisor_qualifies_follows_invites_and_makes_her_a_candidate(
    site: str, page: Page, console: ConsoleLog, network, guarded_context, advisor, lea
):
    prospect_url = f"{site}/fr/suivi/porteurs/{lea.pk}/"

    # The advisor logs in and opens the new contact.
    log_in(page, site, ADVISOR_EMAIL)
    page.goto(prospect_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Léa Garnier")
    expect(page.locator(".prospect-summary")).to_contain_text("Contact")
    project = page.get_by_role("region", name="Le projet")
    expect(project).to_contain_text("Designer graphique indépendante")
    expect(project).to_contain_text("Lavardens")
    timeline = page.get_by_role("region", name="Historique")
    expect(timeline).to_contain_text("Nouveau contact via le formulaire")
    expect(timeline).to_contain_text("Consentement donné : partager le projet")
    assert_no_axe_violations(page, "prospect page")

    # She is qualified.
    page.get_by_role("button", name="Passer à « qualifié »").click()
    status_says(page, "Léa Garnier est maintenant à l'étape « qualifié ».")
    expect(page.locator(".prospect-summary")).to_contain_text("Qualifié")

    # A note without text is refused; the page with its error is accessible and keeps the answers.
    form = page.get_by_role("form", name="Ajouter une action de suivi")
    form.get_by_role("radio", name="Note", exact=True).check()
    form.get_by_label("Prochaine action (facultatif)").fill("Envoyer le guide d'installation")
    form.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_error_tied_to(page, "id_activity-text", "Écrivez le contenu de la note.")
    assert_error_tied_to(page, "id_activity-next_action_on", "Indiquez la date de la prochaine action.")
    expect(page.get_by_label("Prochaine action (facultatif)")).to_have_value(
        "Envoyer le guide d'installation"
    )
    assert_no_axe_violations(page, "prospect page with a form error")

    # The call is logged, with the next action.
    form = page.get_by_role("form", name="Ajouter une action de suivi")
    form.get_by_role("radio", name="Appel", exact=True).check()
    form.get_by_label("Résultat").select_option("done")
    form.get_by_label("Compte rendu").fill("Projet clair : atelier de graphisme, deux enfants, la fibre.")
    next_week = timezone.localdate() + timedelta(days=7)
    form.get_by_label("Prochaine action le (facultatif)").fill(next_week.isoformat())
    form.get_by_role("button", name="Enregistrer l'action").click()
    status_says(page, "Action de suivi et prochaine action enregistrées.")
    expect(page).to_have_url(re.compile(rf"/fr/suivi/porteurs/{lea.pk}/#historique$"))
    timeline = page.get_by_role("region", name="Historique")
    expect(timeline.get_by_role("heading", name="Appel", exact=True)).to_be_visible()
    expect(timeline).to_contain_text("Projet clair : atelier de graphisme")
    expect(timeline).to_contain_text("par Claire Dupuy")
    call = Activity.objects.get(prospect=lea, kind=ActivityKind.CALL)
    assert call.author == advisor and call.outcome == "done"
    lea.refresh_from_db()
    assert (lea.next_action_on, lea.next_action) == (next_week, "Envoyer le guide d'installation")

    # She is invited to the next "Mercredi de l'installation".
    page.get_by_role("button", name="Proposer la prochaine réunion d'information").click()
    status_says(page, f"Invitation à la prochaine réunion d'information envoyée à {LEA_EMAIL}.")
    invitation = OutboxMessage.objects.get(to=LEA_EMAIL, kind="prospect_meeting_invitation")
    assert invitation.language == "fr"
    assert f"{site}/fr/agenda/" in invitation.body_text
    assert Activity.objects.filter(prospect=lea, kind=ActivityKind.EMAIL).count() == 1

    # She becomes a candidate: her passport opens.
    page.get_by_role("button", name="Passer à « candidat »").click()
    status_says(page, "Léa Garnier est maintenant à l'étape « candidat ».")
    lea.refresh_from_db()
    assert lea.stage == Stage.CANDIDATE
    assert Passport.objects.filter(prospect=lea).exists()
    expect(page.get_by_role("region", name="Historique")).to_contain_text("Étape : qualifié → candidat")
    assert_no_axe_violations(page, "prospect page of a candidate")

    # On a phone, the page fits the screen and stays accessible.
    phone = guarded_context(viewport={"width": 390, "height": 844}).new_page()
    phone_console = ConsoleLog().watch(phone)
    log_in(phone, site, ADVISOR_EMAIL)
    phone.goto(prospect_url)
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the prospect page overflows by {overflow}px at 390 px"
    assert_no_axe_violations(phone, "prospect page at 390 px")

    assert_clean(console, network, expected_status=400)
    assert_clean(phone_console, network)
