"""« Contacts des villages » in Chromium: a committee member logs in, finds the project a prospect
shared with their village, opens it and notes that the committee contacted them.

axe-core finds no WCAG 2.1 A/AA violation on the list, the prospect's page, and the page with the
note's error; no console error or CSP violation. A prospect of the same village who did not consent
to share is not listed, and their page answers the 404 page.
"""

import pytest
from playwright.sync_api import Page, expect

from sohosolo.prospects.models import Activity, ActivityKind
from sohosolo.territories.models import Commune
from sohosolo.villages.models import Village
from tests.browser.conftest import ConsoleLog
from tests.prospects.factories import ProspectFactory
from tests.villages.factories import committee_member

from .test_village_pages import COMMITTEE_EMAIL, assert_clean, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

LIST = "/fr/suivi/contacts-villages/"


@pytest.fixture
def lavardens(gers_live) -> Village:
    village = Village.objects.create(
        territory=gers_live,
        commune=Commune.objects.get(code="32204"),
        slug="lavardens",
        status="published",
        presentation_fr="Lavardens, son château et ses coteaux.",
    )
    committee_member(village, email=COMMITTEE_EMAIL, first_name="Jeanne")
    return village


@pytest.fixture
def prospects(lavardens):
    shared = ProspectFactory(
        territory=lavardens.territory,
        first_name="Alice",
        last_name="Martin",
        email="alice.martin@exemple.fr",
        phone="06 11 22 33 44",
        activity="Illustratrice jeunesse",
        message="Nous cherchons une maison avec un atelier.",
        consent_share_villages=True,
    )
    shared.villages.set([lavardens])
    private = ProspectFactory(
        territory=lavardens.territory, first_name="Bruno", last_name="Petit", consent_share_villages=False
    )
    private.villages.set([lavardens])
    return shared, private


def test_a_committee_member_opens_a_shared_project_and_notes_the_contact(
    site: str, page: Page, console: ConsoleLog, network, lavardens, prospects
):
    shared, private = prospects
    log_in(page, site, COMMITTEE_EMAIL)

    response = page.goto(site + LIST)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts des villages")
    expect(page.get_by_role("heading", level=2, name="Lavardens")).to_be_visible()
    expect(page.get_by_role("link", name="Bruno Petit")).to_have_count(0)
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, LIST)

    page.get_by_role("link", name="Alice Martin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Martin")
    expect(page.get_by_role("link", name="alice.martin@exemple.fr")).to_be_visible()
    expect(page.get_by_text("Nous cherchons une maison avec un atelier.")).to_be_visible()
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, f"{LIST}{shared.pk}/")

    # The field stops typing at 1000 characters (maxlength); past it (an old browser, a pasted text
    # without the limit), the page comes back with the error tied to the field, and stays accessible.
    form = page.get_by_role("form", name="Vous avez contacté cette personne ?")
    note_field = form.get_by_label("Note (facultative)")
    expect(note_field).to_have_attribute("maxlength", "1000")
    note_field.evaluate("(field) => field.removeAttribute('maxlength')")
    note_field.fill("a" * 1001)
    with page.expect_response(lambda r: r.url.endswith("/contacte/")) as answer:
        form.get_by_role("button", name="Comité contacté").click()
    assert answer.value.status == 400
    expect(page.locator("#id_note")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page, f"{LIST}{shared.pk}/contacte/ (error)")

    form = page.get_by_role("form", name="Vous avez contacté cette personne ?")
    form.get_by_label("Note (facultative)").fill("Appelée : visite du village le 12 mai.")
    form.get_by_role("button", name="Comité contacté").click()
    expect(page.get_by_role("status")).to_contain_text("C'est noté")
    expect(page.get_by_text("Appelée : visite du village le 12 mai.")).to_be_visible()
    note = Activity.objects.get(prospect=shared, kind=ActivityKind.COMMITTEE)
    assert note.village == lavardens

    # The prospect who did not consent: the 404 page.
    response = page.goto(f"{site}{LIST}{private.pk}/")
    assert response is not None and response.status == 404
    # Chromium logs the 400 and the 404 answers as console errors: those two are expected, nothing else.
    console.errors = [e for e in console.errors if "status of 400" not in e and "status of 404" not in e]
    assert_clean(console, network)
