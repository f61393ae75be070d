"""The public agenda in Chromium: the list and its filters, the month view (a table on a desktop, a
list on a 390 px phone), and an event page with its map.

axe-core finds no WCAG 2.1 A/AA violation on the agenda (both views) and an event page, and none
logs a console error or a CSP violation.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sohosolo.events.models import Audience, EventKind, Occurrence, OccurrenceStatus, Registration, Series
from sohosolo.territories.models import Commune
from sohosolo.villages.models import Village
from tests.browser.conftest import ConsoleLog

from .test_village_pages import assert_clean, assert_no_axe_violations

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
PHONE = {"width": 390, "height": 844}


def next_weekday(weekday: int, at: time, weeks: int = 0) -> datetime:
    """The next such weekday (Monday = 0) at a Paris time, at least two days ahead."""
    today = timezone.now().astimezone(PARIS).date() + timedelta(days=2)
    day = today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)
    return datetime.combine(day, at, tzinfo=PARIS)


def occurrence(series: Series, starts_at: datetime, **fields) -> Occurrence:
    return Occurrence.objects.create(
        series=series,
        recurrence_id=starts_at,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=series.duration_minutes),
        capacity=fields.pop("capacity", series.capacity),
        address=series.address,
        lat=series.lat,
        lon=series.lon,
        online_url=series.online_url,
        audience=series.audience,
        **fields,
    )


@pytest.fixture
def agenda(gers_live) -> dict:
    first = next_weekday(2, time(18, 0))
    mercredis = Series.objects.create(
        territory=gers_live,
        slug="mercredis",
        kind=EventKind.INFO_MEETING,
        title_fr="Mercredi de l'installation",
        title_en="Moving-in Wednesday",
        description_fr="Une heure pour découvrir l'accompagnement, puis vos questions.",
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        dtstart=first,
        address="CCI du Gers, 1 place Jean David, 32000 Auch",
        lat=43.6465,
        lon=0.5855,
        capacity=2,
    )
    meetings = [occurrence(mercredis, first + timedelta(weeks=2 * i)) for i in range(4)]
    Registration.objects.create(
        occurrence=meetings[0], name="Anne", email="anne@exemple.fr", status="confirmed"
    )
    meetings[2].status = OccurrenceStatus.CANCELLED
    meetings[2].cancel_reason = "Salle indisponible"
    meetings[2].save()

    lavardens = Commune.objects.get(code="32204")
    village = Village.objects.create(
        territory=gers_live, commune=lavardens, slug="lavardens", status="published"
    )
    club = Series.objects.create(
        territory=gers_live,
        village=village,
        slug="club-soho-solo",
        kind=EventKind.CLUB,
        title_fr="Club Soho Solo",
        rrule="FREQ=MONTHLY;BYDAY=1FR",
        dtstart=next_weekday(4, time(8, 30)),
        address="Café de la Halle, Lavardens",
        lat=lavardens.lat,
        lon=lavardens.lon,
        audience=Audience.MEMBERS,
    )
    occurrence(club, next_weekday(4, time(8, 30)))
    workshop = Series.objects.create(
        territory=gers_live,
        slug="atelier-statut",
        kind=EventKind.WORKSHOP,
        title_fr="Atelier : choisir son statut",
        dtstart=next_weekday(3, time(14, 0), weeks=1),
        duration_minutes=120,
        online_url="https://visio.exemple.fr/atelier",
    )
    occurrence(workshop, next_weekday(3, time(14, 0), weeks=1))
    return {"first": meetings[0], "cancelled": meetings[2]}


def test_the_agenda_list_filters_and_month_view(
    site: str, page: Page, console: ConsoleLog, network, guarded_context, agenda
):
    response = page.goto(site + "/fr/agenda/")
    assert response is not None and response.status == 200

    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda : Gers")
    items = page.locator(".agenda-item")
    expect(items).to_have_count(6)
    expect(page.get_by_role("link", name="Mercredi de l'installation").first).to_be_visible()
    expect(page.locator(".agenda-item.is-cancelled")).to_contain_text("Annulé")
    expect(page.locator(".agenda-item").filter(has_text="Club Soho Solo")).to_contain_text(
        "Réservé aux membres"
    )
    expect(page.locator(".agenda-item").filter(has_text="Atelier")).to_contain_text("en ligne")
    expect(page.get_by_role("link", name="S'abonner avec mon application de calendrier")).to_have_attribute(
        "href", re.compile(r"^webcal://localhost:\d+/fr/agenda/calendrier\.ics$")
    )
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, "/fr/agenda/")

    # Filters: a GET form, no JavaScript needed.
    page.get_by_label("Type de rendez-vous").select_option("club")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"type=club"))
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Club Soho Solo")
    page.get_by_label("Type de rendez-vous").select_option("")
    page.get_by_label("Village", exact=True).select_option("lavardens")
    page.get_by_role("button", name="Filtrer").click()
    expect(items).to_have_count(1)

    # The month view of the first meeting's month: a table with the events in their days.
    month = agenda["first"].starts_at.astimezone(PARIS).strftime("%Y-%m")
    page.goto(site + f"/fr/agenda/?vue=mois&mois={month}")
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_contain_text("Rendez-vous de")
    expect(table.get_by_role("columnheader")).to_have_count(7)
    expect(table.get_by_role("link", name=re.compile("Mercredi de l'installation")).first).to_be_visible()
    expect(page.get_by_role("link", name="Mois", exact=True)).to_have_attribute("aria-current", "page")
    assert_no_axe_violations(page, f"/fr/agenda/?vue=mois&mois={month}")
    page.get_by_role("link", name=re.compile("mois suivant")).click()
    expect(page).to_have_url(re.compile(r"vue=mois&mois=\d{4}-\d{2}"))
    expect(page.get_by_role("table")).to_be_visible()
    assert_no_axe_violations(page, "the next month")

    # On a phone the month degrades to the list and nothing overflows.
    phone = guarded_context(viewport=PHONE).new_page()
    phone_console = ConsoleLog().watch(phone)
    phone.goto(site + f"/fr/agenda/?vue=mois&mois={month}")
    expect(phone.get_by_role("table")).to_be_hidden()
    expect(phone.locator(".month-list .agenda-item").first).to_be_visible()
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the month view overflows by {overflow}px at 390 px"
    assert_no_axe_violations(phone, "month view on a phone")
    phone.goto(site + "/fr/agenda/")
    assert phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_clean(phone_console, network)
    assert_clean(console, network)


def test_an_event_page_with_its_map(site: str, page: Page, console: ConsoleLog, network, agenda):
    page.goto(site + "/fr/agenda/")
    page.get_by_role("link", name="Mercredi de l'installation").first.click()

    first = agenda["first"]
    expect(page).to_have_url(re.compile(rf"/fr/agenda/mercredis/{first.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mercredi de l'installation")
    expect(page.get_by_text("1 place restante sur 2")).to_be_visible()
    expect(page.get_by_text("Une heure pour découvrir l'accompagnement")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Ajouter à mon agenda"))).to_have_attribute(
        "href", f"/fr/agenda/{first.pk}.ics"
    )
    page.wait_for_function("() => window.mapReady === true")
    expect(page.locator(".occurrence-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.get_by_role("region", name="Autres dates")).to_contain_text("Annulé")
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, f"/fr/agenda/mercredis/{first.pk}/")

    cancelled = agenda["cancelled"]
    page.goto(site + f"/fr/agenda/mercredis/{cancelled.pk}/")
    expect(page.get_by_text("Ce rendez-vous est annulé.")).to_be_visible()
    expect(page.get_by_text("Motif : Salle indisponible")).to_be_visible()
    page.wait_for_function("() => window.mapReady === true")
    assert_no_axe_violations(page, "a cancelled event page")

    page.goto(site + f"/en/agenda/mercredis/{first.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moving-in Wednesday")
    page.wait_for_function("() => window.mapReady === true")
    assert_no_axe_violations(page, f"/en/agenda/mercredis/{first.pk}/")
    assert_clean(console, network)
