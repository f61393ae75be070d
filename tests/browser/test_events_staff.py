"""Staff pages of the agenda in Chromium: an advisor creates « every other Wednesday » with the
recurrence builder and sees the next dates; the series form (empty, and with its errors) and the
series' page pass axe-core, also on a phone.
"""

from datetime import date, datetime, timedelta

import pytest
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Role
from sohosolo.events.models import Series
from tests.accounts.staff_factories import member
from tests.browser.conftest import ConsoleLog

from .test_village_pages import assert_clean, assert_error_tied_to, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

ADVISOR_EMAIL = "conseillere@gers.test"
TITLE = "Les Mercredis de l'installation"


@pytest.fixture
def advisor(gers_live):
    return member(gers_live, Role.ADVISOR, email=ADVISOR_EMAIL)


def next_wednesday() -> date:
    today = date.today() + timedelta(days=2)
    return today + timedelta(days=(2 - today.weekday()) % 7)


def french_date(day: date) -> str:
    with translation.override("fr"):
        return formats.date_format(datetime.combine(day, datetime.min.time()), "l j F Y")


def test_an_advisor_creates_every_other_wednesday_and_sees_the_next_dates(
    site: str, page: Page, console: ConsoleLog, network, advisor
):
    first = next_wednesday()
    log_in(page, site, ADVISOR_EMAIL)
    page.goto(site + "/fr/suivi/agenda/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda : séries de rendez-vous")
    page.get_by_role("link", name="Nouvelle série").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle série de rendez-vous")
    assert_no_axe_violations(page, "the empty series form")

    # The RRULE text is for « Règle personnalisée » only: hidden until that frequency is chosen.
    rule = page.get_by_label("Règle RRULE (RFC 5545)")
    page.get_by_label("Une seule fois").check()
    expect(rule).to_be_hidden()
    expect(page.get_by_label("Dernière date (facultatif)")).to_be_hidden()
    page.get_by_label("Règle personnalisée (RRULE, pour les experts)").check()
    expect(rule).to_be_visible()
    page.get_by_label("Toutes les deux semaines, le même jour").check()
    expect(rule).to_be_hidden()

    page.locator("#id_title_fr").fill(TITLE)
    page.get_by_label("Type de rendez-vous").select_option("info_meeting")
    page.locator("#id_description_fr").fill("Réunion d'information gratuite, ouverte à tous.")
    page.get_by_label("Première date").fill(first.isoformat())
    page.get_by_label("Heure de début (heure locale)").fill("18:00")
    page.locator("#id_address").fill("CCI du Gers, 1 place Jean David, 32000 Auch")
    page.locator("#id_lat").fill("43,6465")
    page.locator("#id_lon").fill("0,5855")
    page.get_by_label("Nombre de places").fill("25")
    page.get_by_label("Question 1").fill("Où en est votre projet ?")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".messages")).to_contain_text("six prochains mois")
    expect(page.get_by_text("Un mercredi sur deux à 18:00")).to_be_visible()
    rows = page.get_by_role("list", name="Prochains rendez-vous").locator(":scope > li")
    expect(rows.first).to_contain_text(french_date(first))
    expect(rows.nth(1)).to_contain_text(french_date(first + timedelta(days=14)))
    expect(rows.first).to_contain_text("18:00")
    expect(rows.first).to_contain_text("0 sur 25")
    series = Series.objects.get()
    assert series.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    assert series.occurrences.count() >= 12
    assert_no_axe_violations(page, "the series' page")

    # Back on the list, the series shows with its next dates.
    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name="Agenda").click()
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    assert_no_axe_violations(page, "the series list")
    assert_clean(console, network)


def test_the_series_form_with_errors_is_accessible_on_a_phone(site: str, guarded_context, network, advisor):
    context = guarded_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    console = ConsoleLog().watch(page)
    log_in(page, site, ADVISOR_EMAIL)
    page.goto(site + "/fr/suivi/agenda/series/nouvelle/")
    page.get_by_label("Règle personnalisée (RRULE, pour les experts)").check()
    page.get_by_label("Règle RRULE (RFC 5545)").fill("FREQ=WEEKLY;BYDAY=XX")
    page.get_by_label("Première date").fill(next_wednesday().isoformat())
    page.get_by_label("Heure de début (heure locale)").fill("18:00")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    assert_error_tied_to(page, "id_custom_rrule", "Règle de récurrence illisible")
    assert_error_tied_to(page, "id_title_fr", "Ce champ est obligatoire.")
    assert_error_tied_to(page, "id_address", "Indiquez une adresse, ou un lien de réunion en ligne.")
    expect(page.get_by_label("Règle RRULE (RFC 5545)")).to_have_value("FREQ=WEEKLY;BYDAY=XX")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways on a phone ({width} px)"
    assert_no_axe_violations(page, "the series form with errors, on a phone")
    assert_clean(console, network, expected_status=400)
