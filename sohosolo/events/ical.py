"""iCalendar feeds (RFC 5545) of the public agenda: one per territory, one per series.

A recurring series is one VEVENT with its RRULE and EXDATEs, DTSTART in the series' local time with
its TZID (so 18:00 stays 18:00 across daylight-saving changes), and a VTIMEZONE for that zone. An
occurrence that no longer follows the series (moved, edited, cancelled) is the same UID with a
RECURRENCE-ID (STATUS:CANCELLED when cancelled); an occurrence outside the rule (kept after the rule
changed) is a VEVENT of its own, with the UID of its single-occurrence .ics. A one-off series is a
single VEVENT. UIDs are stable, so a subscribed calendar updates events instead of duplicating them.

The .ics of one occurrence (a registrant's "add to my calendar") is series_services.occurrence_ics.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr
from django.utils import timezone
from django.utils.translation import gettext as _

from .agenda import local_naive, zone_of
from .models import Audience, Occurrence, OccurrenceStatus, Series
from .series_services import PRODID, occurrence_uid, vtimezone

CONTENT_TYPE = "text/calendar; charset=utf-8"
REFRESH = timedelta(hours=6)  # how often subscribed clients should read the feed again
UTC = ZoneInfo("UTC")


def series_uid(series: Series) -> str:
    return f"series-{series.pk}@{series.territory.slug}.soho-solo"


def public_location(occurrence) -> str:
    """The address, else the online link for public events (members and prospects get the link of a
    restricted event in their confirmation), else « En ligne »."""
    if occurrence.address:
        return occurrence.address
    if occurrence.online_url:
        return occurrence.online_url if occurrence.audience == Audience.PUBLIC else _("En ligne")
    return ""


def normalised_rrule(value: str, zone: ZoneInfo) -> icalendar.vRecur:
    """The series' RRULE as a vRecur, UNTIL in UTC as RFC 5545 requires with a DTSTART in a zone."""
    value = value.strip()
    if value.upper().startswith("RRULE:"):
        value = value[6:]
    recur = icalendar.vRecur.from_ical(value)
    if "UNTIL" in recur:
        until = recur["UNTIL"][0]
        if not isinstance(until, datetime):
            until = datetime.combine(until, time(23, 59, 59))
        if timezone.is_naive(until):
            until = until.replace(tzinfo=zone)
        recur["UNTIL"] = [until.astimezone(UTC)]
    return recur


def excluded_dates(series: Series, dtstart: datetime) -> list[datetime]:
    """``Series.exdates`` (local ISO dates, or local date-times) as aware instance start times."""
    result = []
    for value in series.exdates or []:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            continue
        if len(str(value)) <= 10:  # a date: the instance of that day
            parsed = datetime.combine(parsed.date(), dtstart.timetz().replace(tzinfo=None))
        if timezone.is_aware(parsed):
            parsed = parsed.astimezone(dtstart.tzinfo).replace(tzinfo=None)
        result.append(parsed.replace(tzinfo=dtstart.tzinfo))
    return sorted(set(result))


class FeedBuilder:
    """Builds one VCALENDAR from series and their occurrence rows."""

    def __init__(self, *, name: str, link: Callable[[Occurrence], str], agenda_url: str, tzid: str):
        self.link = link
        self.agenda_url = agenda_url
        self.now = timezone.now().astimezone(UTC)
        self.zones: dict[str, int] = {}  # tzid -> earliest year used
        self.events: list[icalendar.Event] = []
        self.calendar = icalendar.Calendar()
        self.calendar.add("prodid", PRODID)
        self.calendar.add("version", "2.0")
        self.calendar.add("calscale", "GREGORIAN")
        self.calendar.add("method", "PUBLISH")
        self.calendar.add("x-wr-calname", name)
        self.calendar.add("x-wr-timezone", tzid)
        self.calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        self.calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))

    # -- components ---------------------------------------------------------------------------------

    def _use_zone(self, tzid: str, year: int) -> None:
        self.zones[tzid] = min(self.zones.get(tzid, year), year)

    def _base_event(self, series: Series, uid: str) -> icalendar.Event:
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstamp", self.now)
        event.add("summary", str(series.title))
        event.add("categories", [str(series.get_kind_display())])
        return event

    def _describe(self, event: icalendar.Event, *, description: str, url: str) -> None:
        text = (description or "").strip()
        text = f"{text}\n\n{url}" if text else url
        event.add("description", text)
        event.add("url", url)

    def _place(self, event: icalendar.Event, source) -> None:
        location = public_location(source)
        if location:
            event.add("location", location)
        if source.lat is not None and source.lon is not None:
            event.add("geo", (source.lat, source.lon))

    def occurrence_event(self, occurrence: Occurrence, *, uid: str, recurrence_id: datetime | None = None):
        """A VEVENT of one occurrence row: an override of a series' instance, or an event of its own."""
        series = occurrence.series
        zone = zone_of(series.timezone)
        starts = occurrence.starts_at.astimezone(zone)
        self._use_zone(series.timezone, starts.year)
        event = self._base_event(series, uid)
        cancelled = occurrence.status == OccurrenceStatus.CANCELLED
        if cancelled:
            event["summary"] = icalendar.vText(_("Annulé : %(title)s") % {"title": series.title})
        if recurrence_id is not None:
            event.add("recurrence-id", recurrence_id)
        event.add("dtstart", starts)
        event.add("dtend", occurrence.ends_at.astimezone(zone))
        self._place(event, occurrence)
        description = str(occurrence.description or series.description or "")
        if cancelled and occurrence.cancel_reason:
            description = f"{occurrence.cancel_reason}\n\n{description}".strip()
        self._describe(event, description=description, url=self.link(occurrence))
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        self.events.append(event)

    def add_series(self, series: Series, rows: Iterable[Occurrence]) -> None:
        rows = sorted(rows, key=lambda row: (row.starts_at, row.pk))
        for row in rows:
            row.series = series  # one territory/series object for all: no query per row
        if not series.rrule.strip():
            self._add_one_off(series, rows)
        else:
            self._add_recurring(series, rows)

    def _add_one_off(self, series: Series, rows: list[Occurrence]) -> None:
        if rows:
            first, *others = rows
            self.occurrence_event(first, uid=series_uid(series))
            for row in others:  # a one-off series has one row; any other is shown on its own
                self.occurrence_event(row, uid=occurrence_uid(row))
            return
        zone = zone_of(series.timezone)
        starts = local_naive(series.dtstart, series.timezone).replace(tzinfo=zone)
        self._use_zone(series.timezone, starts.year)
        event = self._base_event(series, series_uid(series))
        event.add("dtstart", starts)
        event.add("dtend", starts + timedelta(minutes=series.duration_minutes))
        self._place(event, series)
        self._describe(event, description=str(series.description or ""), url=self.agenda_url)
        event.add("status", "CONFIRMED")
        self.events.append(event)

    def _add_recurring(self, series: Series, rows: list[Occurrence]) -> None:
        zone = zone_of(series.timezone)
        dtstart = local_naive(series.dtstart, series.timezone).replace(tzinfo=zone)
        duration = timedelta(minutes=series.duration_minutes)
        self._use_zone(series.timezone, dtstart.year)
        recur = normalised_rrule(series.rrule, zone)
        exdates = excluded_dates(series, dtstart)

        master = self._base_event(series, series_uid(series))
        master.add("dtstart", dtstart)
        master.add("dtend", dtstart + duration)  # wall-clock: the same local end time every time
        master.add("rrule", recur)
        if exdates:
            master.add("exdate", exdates)
        self._place(master, series)
        following = next(
            (row for row in rows if row.starts_at >= self.now and row.status != "cancelled"), None
        )
        url = self.link(following) if following is not None else self.agenda_url
        self._describe(master, description=str(series.description or ""), url=url)
        master.add("status", "CONFIRMED")
        self.events.append(master)

        rule = rrulestr(recur.to_ical().decode(), dtstart=dtstart)
        excluded = set(exdates)
        for row in rows:
            instant = local_naive(row.recurrence_id, series.timezone).replace(tzinfo=zone)
            in_rule = instant not in excluded and bool(rule.between(instant, instant, inc=True))
            if not in_rule:
                self.occurrence_event(row, uid=occurrence_uid(row))
                continue
            moved = row.starts_at != instant or row.ends_at - row.starts_at != duration
            if row.is_modified or moved or row.status == OccurrenceStatus.CANCELLED:
                self.occurrence_event(row, uid=series_uid(series), recurrence_id=instant)

    # -- output -------------------------------------------------------------------------------------

    def to_ical(self) -> str:
        last = self.now.year + 10  # a subscription outlives the page: cover the coming years
        for tzid, first in sorted(self.zones.items()):
            if tzid == "Europe/Paris":  # the usual rule-based definition (shared with the single .ics)
                self.calendar.add_component(vtimezone(tzid))
                continue
            self.calendar.add_component(
                icalendar.Timezone.from_tzid(
                    tzid, first_date=date(first - 1, 1, 1), last_date=date(last, 1, 1)
                )
            )
        for event in self.events:
            self.calendar.add_component(event)
        return self.calendar.to_ical().decode()


def feed_rows(series_list: list[Series], *, since: datetime | None = None) -> dict[int, list[Occurrence]]:
    """The occurrence rows of these series from a year ago on, in one query, by series."""
    since = since or timezone.now() - timedelta(days=365)
    rows: dict[int, list[Occurrence]] = {series.pk: [] for series in series_list}
    for row in Occurrence.objects.filter(series__in=list(rows), starts_at__gte=since).order_by("starts_at"):
        rows[row.series_id].append(row)
    return rows


def build_feed(
    series_list: list[Series], *, name: str, link: Callable[[Occurrence], str], agenda_url: str, tzid: str
) -> str:
    """The VCALENDAR text of these series (a territory's, or one)."""
    builder = FeedBuilder(name=name, link=link, agenda_url=agenda_url, tzid=tzid)
    rows = feed_rows(series_list)
    for series in series_list:
        builder.add_series(series, rows[series.pk])
    return builder.to_ical()
