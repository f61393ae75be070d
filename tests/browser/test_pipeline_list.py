"""The advisors' pipeline list in Chromium: an advisor logs in, opens the list, reads the funnel,
filters by stage (a plain form, no script needed) and sorts; axe-core finds no violation."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Role
from sohosolo.prospects.models import Sector, Stage
from tests.accounts.staff_factories import member
from tests.browser.conftest import ConsoleLog
from tests.prospects.factories import ProspectFactory

from .test_village_pages import assert_clean, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

ADVISOR_EMAIL = "conseillere@gers.test"


@pytest.fixture
def pipeline(gers_live):
    advisor = member(gers_live, Role.ADVISOR, email=ADVISOR_EMAIL, first_name="Claire", last_name="Bordes")
    today = timezone.localdate()
    people = [
        ("Camille", "Durand", Stage.CONTACT, Sector.DIGITAL, today - timedelta(days=2)),
        ("Hugo", "Martin", Stage.CONTACT, Sector.CRAFT, None),
        ("Léa", "Bernard", Stage.QUALIFIED, Sector.CREATIVE, today),
        ("Manon", "Costes", Stage.CANDIDATE, Sector.DIGITAL, today + timedelta(days=3)),
        ("Nathan", "Arnaud", Stage.CANDIDATE, Sector.CONSULTING, None),
        ("Inès", "Dupré", Stage.INSTALLED, Sector.HEALTH, None),
        ("Théo", "Lafont", Stage.LOST, Sector.TRADE, None),
    ]
    for first, last, stage, sector, next_on in people:
        ProspectFactory(
            territory=gers_live,
            first_name=first,
            last_name=last,
            stage=stage,
            sector=sector,
            advisor=advisor,
            lost_reason="unreachable" if stage == Stage.LOST else "",
            next_action_on=next_on,
            next_action="Rappeler" if next_on else "",
        )
    return advisor


def test_an_advisor_filters_the_pipeline_by_stage_and_reads_the_funnel(
    site: str, page: Page, console: ConsoleLog, network, pipeline
):
    log_in(page, site, ADVISOR_EMAIL)
    response = page.goto(site + "/fr/suivi/porteurs/")
    assert response is not None and response.status == 200

    expect(page.get_by_role("heading", level=1)).to_have_text("Porteurs de projet")
    funnel = page.get_by_role("region", name="Par étape")
    expect(funnel).to_contain_text("1. Contact")
    expect(funnel.get_by_role("link", name="2 porteurs de projet à l'étape « candidat »")).to_be_visible()
    expect(funnel.get_by_role("link", name="1 porteur de projet perdu")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(8)  # the header and 7 prospects
    # An overdue next action is said in words.
    expect(table.get_by_role("row", name="Camille Durand")).to_contain_text("En retard")
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, "/fr/suivi/porteurs/")

    # Filter by stage with the form.
    page.get_by_label("Étape", exact=True).select_option("candidate")
    page.get_by_role("search").get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"/fr/suivi/porteurs/\?.*\bstage=candidate\b"))
    expect(page.get_by_role("status").first).to_contain_text("2 porteurs de projet")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Nathan Arnaud")  # newest first: Nathan was created after Manon
    # The funnel keeps every stage's count, and marks the one shown.
    expect(funnel.get_by_role("link", name="2 porteurs de projet à l'étape « contact »")).to_be_visible()
    expect(funnel.locator('a[aria-current="true"]')).to_have_count(1)

    # Sort by name from the column header; the header says how the table is sorted.
    name_header = page.get_by_role("columnheader", name="Nom")
    name_header.get_by_role("link").click()
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_role("table").get_by_role("row").nth(1)).to_contain_text("Nathan Arnaud")
    name_header.get_by_role("link").click()
    expect(name_header).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_role("table").get_by_role("row").nth(1)).to_contain_text("Manon Costes")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)  # still filtered

    # The funnel's link to a stage opens the list of that stage.
    funnel.get_by_role("link", name="1 porteur de projet à l'étape « qualifié »").click()
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(2)
    expect(page.get_by_role("table")).to_contain_text("Léa Bernard")
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, "/fr/suivi/porteurs/?stage=qualified")
    assert_clean(console, network)


def test_the_todo_list_is_accessible(site: str, page: Page, console: ConsoleLog, network, pipeline):
    log_in(page, site, ADVISOR_EMAIL)
    response = page.goto(site + "/fr/suivi/porteurs/a-faire/")
    assert response is not None and response.status == 200

    expect(page.get_by_role("heading", level=1)).to_have_text("À faire")
    expect(page.get_by_role("region", name="En retard (1)")).to_contain_text("Camille Durand")
    expect(page.get_by_role("region", name="Aujourd'hui (1)")).to_contain_text("Léa Bernard")
    expect(page.get_by_role("region", name="Dans les 7 prochains jours (1)")).to_contain_text("Manon Costes")
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, "/fr/suivi/porteurs/a-faire/")
    assert_clean(console, network)
