"""The agenda's iCalendar feeds (per territory, per series): valid RFC 5545 that parses back with
icalendar and expands, with python-dateutil, to the right dates, 18:00 Paris across DST changes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from sohosolo.events.models import Audience, EventKind, OccurrenceStatus

from . import agenda_helpers as helpers
from .agenda_helpers import LANDES, PARIS, make_occurrence, make_series, paris

pytestmark = pytest.mark.django_db
frozen = helpers.frozen
scenario = helpers.scenario

FEED = "/fr/agenda/calendrier.ics"
UTC = ZoneInfo("UTC")


def fetch(client, path: str = FEED, **kwargs) -> icalendar.Calendar:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events_of(calendar, uid: str) -> list:
    return [event for event in calendar.walk("VEVENT") if str(event["UID"]) == uid]


def series_uid(series) -> str:
    return f"series-{series.pk}@{series.territory.slug}.soho-solo"


def exdates_of(event) -> set[datetime]:
    value = event.get("EXDATE")
    if value is None:
        return set()
    lists = value if isinstance(value, list) else [value]
    return {item.dt for dates in lists for item in dates.dts}


def expand(calendar, uid: str, start: datetime, end: datetime) -> list[datetime]:
    """The start times a calendar application shows for this UID between start and end: the RRULE
    from DTSTART, less the EXDATEs, with the RECURRENCE-ID overrides applied (cancelled ones gone)."""
    events = events_of(calendar, uid)
    master = next(event for event in events if "RECURRENCE-ID" not in event)
    overrides = {event.decoded("RECURRENCE-ID"): event for event in events if "RECURRENCE-ID" in event}
    dtstart = master.decoded("DTSTART")
    if "RRULE" in master:
        rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=dtstart)
        instances = rule.between(start, end, inc=True)
    else:
        instances = [dtstart] if start <= dtstart <= end else []
    excluded = exdates_of(master)
    result = []
    for instance in instances:
        if instance in excluded:
            continue
        override = overrides.get(instance)
        if override is None:
            result.append(instance)
        elif str(override.get("STATUS")) != "CANCELLED":
            result.append(override.decoded("DTSTART"))
    return sorted(result)


# --- Validity --------------------------------------------------------------------------------------


def test_the_territory_feed_is_valid_rfc5545(client, scenario):
    response = client.get(FEED)
    calendar = icalendar.Calendar.from_ical(response.content)

    text = response.content.decode()
    assert response["Content-Disposition"] == 'inline; filename="agenda-gers.ics"'
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded lines
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"]) == "-//Soho Solo//Agenda//FR"
    assert str(calendar["X-WR-CALNAME"]) == "Agenda Soho Solo Gers"
    assert str(calendar["METHOD"]) == "PUBLISH"
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    assert {component.name for component in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    for event in calendar.walk("VEVENT"):
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS"} <= set(event)
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    # The territory's series and its village's; not another territory's, not unpublished ones.
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert {"Mercredi de l'installation", "Club Soho Solo", "Atelier : choisir son statut"} <= summaries
    assert "Rencontre landaise" not in summaries and "Réunion en préparation" not in summaries


def test_a_recurring_series_is_one_event_with_its_rule(client, scenario):
    calendar = fetch(client)

    master, *overrides = events_of(calendar, series_uid(scenario.mercredis))
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    assert master["DTSTART"].to_ical() == b"20261111T180000"
    assert master["DTEND"].to_ical() == b"20261111T193000"
    assert str(master["LOCATION"]) == helpers.CCI
    assert (master["GEO"].latitude, master["GEO"].longitude) == (43.6465, 0.5855)
    assert str(master["URL"]) == f"http://testserver/fr/agenda/mercredis/{scenario.nov25.pk}/"
    assert [str(event["STATUS"]) for event in overrides] == ["CANCELLED"]  # only the changed date


def test_the_feed_expands_to_the_right_dates(client, scenario):
    s = scenario
    s.mercredis.exdates = ["2027-01-20"]
    s.mercredis.save()
    s.jan6.starts_at, s.jan6.ends_at = paris(2027, 1, 7, 18, 30), paris(2027, 1, 7, 20)
    s.jan6.is_modified = True
    s.jan6.save()

    calendar = fetch(client)

    dates = expand(calendar, series_uid(s.mercredis), paris(2026, 11, 1), paris(2027, 2, 28))
    assert dates == [
        paris(2026, 11, 11),
        paris(2026, 11, 25),
        paris(2026, 12, 9),
        # 23 December: cancelled
        paris(2027, 1, 7, 18, 30),  # moved from 6 January
        # 20 January: excluded
        paris(2027, 2, 3),
        paris(2027, 2, 17),
    ]
    (master,) = [e for e in events_of(calendar, series_uid(s.mercredis)) if "RECURRENCE-ID" not in e]
    assert exdates_of(master) == {paris(2027, 1, 20)}
    moved = next(
        e
        for e in events_of(calendar, series_uid(s.mercredis))
        if "RECURRENCE-ID" in e and e.decoded("RECURRENCE-ID") == paris(2027, 1, 6)
    )
    assert str(moved["STATUS"]) == "CONFIRMED"
    assert str(moved["URL"]) == f"http://testserver/fr/agenda/mercredis/{s.jan6.pk}/"


def test_a_cancelled_date_is_a_cancelled_instance_with_its_reason(client, scenario):
    calendar = fetch(client)

    (cancelled,) = [e for e in events_of(calendar, series_uid(scenario.mercredis)) if "RECURRENCE-ID" in e]
    assert cancelled["RECURRENCE-ID"].params["TZID"] == "Europe/Paris"
    assert cancelled.decoded("RECURRENCE-ID") == paris(2026, 12, 23)
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Annulé : Mercredi de l'installation"
    assert str(cancelled["DESCRIPTION"]).startswith("Congés de fin d'année")


def test_18_00_paris_stays_18_00_across_daylight_saving_changes(client, gers, frozen):
    series = make_series(
        gers, "mercredis-automne", rrule="FREQ=WEEKLY;UNTIL=20270331T235959", dtstart=paris(2026, 10, 14)
    )

    calendar = fetch(client)

    dates = expand(calendar, series_uid(series), paris(2026, 10, 1), paris(2027, 4, 30))
    assert {(d.hour, d.minute) for d in dates} == {(18, 0)}
    by_day = {d.date().isoformat(): d.astimezone(UTC).hour for d in dates}
    assert by_day["2026-10-21"] == 16  # summer time, UTC+2
    assert by_day["2026-10-28"] == 17  # winter time after 25 October, UTC+1
    assert by_day["2027-03-24"] == 17
    assert by_day["2027-03-31"] == 16  # summer time again after 28 March
    assert max(by_day) == "2027-03-31"
    (master,) = events_of(calendar, series_uid(series))
    assert master["RRULE"]["UNTIL"][0] == datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC)  # in UTC, RFC 5545
    assert b"UNTIL=20270331T215959Z" in master["RRULE"].to_ical()


def test_a_one_off_event_is_a_single_event(client, scenario):
    calendar = fetch(client)

    (event,) = events_of(calendar, series_uid(scenario.workshop))
    assert "RRULE" not in event and "RECURRENCE-ID" not in event
    assert event.decoded("DTSTART") == paris(2026, 12, 10, 14)
    assert event.decoded("DTEND") == paris(2026, 12, 10, 16)
    assert str(event["LOCATION"]) == "https://visio.exemple.fr/atelier-statut"  # a public online event
    assert [str(c) for c in event["CATEGORIES"].cats] == ["atelier"]


def test_a_row_outside_the_rule_is_an_event_of_its_own(client, scenario):
    extra = make_occurrence(scenario.mercredis, paris(2026, 12, 16))  # a Wednesday the rule skips

    calendar = fetch(client)

    (event,) = events_of(calendar, f"occurrence-{extra.pk}@gers.soho-solo")
    assert event.decoded("DTSTART") == paris(2026, 12, 16) and "RECURRENCE-ID" not in event


def test_a_restricted_online_event_keeps_its_link_out_of_the_feed(client, scenario):
    scenario.workshop_dec10.audience = Audience.MEMBERS
    scenario.workshop_dec10.save()

    text = client.get(FEED).content.decode()

    assert "visio.exemple.fr" not in text
    (event,) = events_of(icalendar.Calendar.from_ical(text), series_uid(scenario.workshop))
    assert str(event["LOCATION"]) == "En ligne"


def test_uids_are_stable_across_fetches_and_languages(client, scenario):
    scenario.mercredis.title_en = "Moving-in Wednesdays"
    scenario.mercredis.save()

    first = fetch(client)
    again = fetch(client)
    english = fetch(client, "/en/agenda/calendrier.ics")

    def uids(calendar):
        return sorted(
            (str(e["UID"]), e["RECURRENCE-ID"].to_ical() if "RECURRENCE-ID" in e else b"")
            for e in calendar.walk("VEVENT")
        )

    assert uids(first) == uids(again) == uids(english)
    titles = {str(e["SUMMARY"]) for e in english.walk("VEVENT")}
    assert "Moving-in Wednesdays" in titles and "Club Soho Solo" in titles  # French when untranslated


def test_the_feed_follows_the_agenda_filters(client, scenario):
    calendar = fetch(client, FEED + "?type=club")
    village = fetch(client, FEED + f"?village={scenario.village.slug}")

    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} == {"Club Soho Solo"}
    assert {str(e["SUMMARY"]) for e in village.walk("VEVENT")} == {"Club Soho Solo"}


def test_the_agenda_links_its_feed_in_https_and_webcal(client, scenario):
    body = client.get("/fr/agenda/", {"type": EventKind.CLUB}).content.decode()

    assert 'href="webcal://testserver/fr/agenda/calendrier.ics?type=club"' in body
    assert 'href="http://testserver/fr/agenda/calendrier.ics?type=club"' in body
    assert '<link rel="alternate" type="text/calendar"' in body


def test_another_territory_has_its_own_feed(client, scenario):
    calendar = fetch(client, **LANDES)

    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} == {"Rencontre landaise"}
    assert str(calendar["X-WR-CALNAME"]) == "Agenda Soho Solo Landes"


# --- The feed of one series ------------------------------------------------------------------------


def test_the_series_feed_holds_that_series_only(client, scenario):
    response = client.get("/fr/agenda/mercredis/calendrier.ics")
    calendar = icalendar.Calendar.from_ical(response.content)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(calendar["X-WR-CALNAME"]) == "Mercredi de l'installation – Soho Solo Gers"
    assert {str(e["UID"]) for e in calendar.walk("VEVENT")} == {series_uid(scenario.mercredis)}
    assert len(calendar.walk("VTIMEZONE")) == 1
    dates = expand(calendar, series_uid(scenario.mercredis), paris(2026, 12, 1), paris(2026, 12, 31))
    assert dates == [paris(2026, 12, 9)]


@pytest.mark.parametrize(
    "path",
    [
        "/fr/agenda/brouillon/calendrier.ics",
        "/fr/agenda/rencontre-landaise/calendrier.ics",
        "/fr/agenda/inconnue/calendrier.ics",
    ],
)
def test_unpublished_foreign_or_unknown_series_have_no_feed(client, scenario, path):
    assert client.get(path).status_code == 404


def test_a_series_whose_next_date_is_cancelled_still_links_a_coming_date(client, scenario):
    scenario.nov25.status = OccurrenceStatus.CANCELLED
    scenario.nov25.save()

    (master,) = [
        e for e in events_of(fetch(client), series_uid(scenario.mercredis)) if "RECURRENCE-ID" not in e
    ]

    assert str(master["URL"]) == f"http://testserver/fr/agenda/mercredis/{scenario.dec9.pk}/"


def test_a_naive_series_start_is_read_in_paris_time(client, gers, frozen):
    """A series saved with a naive local dtstart (the model's convention) reads back the same."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Django warns about naive datetimes
        series = make_series(
            gers, "naif", rrule="FREQ=MONTHLY;BYDAY=1FR", dtstart=datetime(2026, 12, 4, 8, 30)
        )

    (event,) = events_of(fetch(client), series_uid(series))

    assert event.decoded("DTSTART") == datetime(2026, 12, 4, 8, 30, tzinfo=PARIS)


def test_a_series_in_another_time_zone_gets_its_own_vtimezone(client, gers, frozen):
    dublin = ZoneInfo("Europe/Dublin")
    series = make_series(
        gers,
        "cork-meetup",
        rrule="FREQ=WEEKLY;COUNT=3",
        timezone="Europe/Dublin",
        dtstart=datetime(2026, 10, 15, 18, 0, tzinfo=dublin),
    )

    calendar = fetch(client)

    assert {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")} == {"Europe/Dublin"}
    (event,) = events_of(calendar, series_uid(series))
    assert event["DTSTART"].params["TZID"] == "Europe/Dublin"
    dates = expand(
        calendar, series_uid(series), datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    )
    assert [(d.hour, d.astimezone(UTC).hour) for d in dates] == [
        (18, 17),
        (18, 17),
        (18, 18),
    ]  # GMT from 25 Oct
