"""Read side of the public agenda: occurrences of a territory's published series, seats left, and the
month grid.

One calendar across the territory and its villages: every series belongs to a territory, some also
to one of its villages, so the agenda reads the territory's series and the village filter narrows
them. Seats left come from one annotation (a count of confirmed registrations), so listing 1 or 300
occurrences takes the same number of queries. Times are shown in each series' time zone
(Europe/Paris), whatever the server's or the reader's.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.formats import get_format

from .models import Occurrence, OccurrenceStatus, RegistrationStatus

HORIZON_MONTHS = 6  # the agenda lists, and the job materialises, the coming six months
LIST_LIMIT = 300  # a bound on the list page whatever the number of series
OTHER_DATES = 8  # other dates of a series shown on an occurrence's page


# --- Times -----------------------------------------------------------------------------------------


def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name or "Europe/Paris")


def local_naive(value: datetime, tz: str) -> datetime:
    """A series' local wall-clock time, naive. ``Series.dtstart`` and ``Occurrence.recurrence_id`` are
    meant as naive local times; with USE_TZ the database hands them back aware: convert them."""
    if timezone.is_aware(value):
        return value.astimezone(zone_of(tz)).replace(tzinfo=None)
    return value


def local_start(occurrence: Occurrence) -> datetime:
    """The occurrence's start, aware, in its series' time zone."""
    return occurrence.starts_at.astimezone(zone_of(occurrence.series.timezone))


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date, tz: str) -> tuple[datetime, datetime]:
    """Aware start of the month and of the next one, at local midnight."""
    zone = zone_of(tz)
    start = datetime.combine(month.replace(day=1), time(0), tzinfo=zone)
    end = datetime.combine(add_months(month, 1), time(0), tzinfo=zone)
    return start, end


def today_in(tz: str, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(zone_of(tz)).date()


def occurrence_path(occurrence: Occurrence) -> str:
    """The path of an occurrence's public page, in the active language (/<lang>/agenda/<slug>/<pk>/)."""
    from django.urls import reverse

    return reverse("events:occurrence", args=[occurrence.series.slug, occurrence.pk])


# --- Querysets -------------------------------------------------------------------------------------


def with_seats(occurrences: QuerySet) -> QuerySet:
    """Annotate ``confirmed_count`` and ``seats_left`` (never below 0) in the same query."""
    confirmed = Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
    return occurrences.annotate(
        confirmed_count=confirmed,
        seats_left=Greatest(F("capacity") - confirmed, Value(0), output_field=IntegerField()),
    )


def agenda_occurrences(territory, *, kind: str = "", village: str = "") -> QuerySet:
    """Occurrences of the territory's published series (its own and its villages'), cancelled ones
    included (shown as cancelled), with their series, village and seats left."""
    occurrences = (
        Occurrence.objects.of_territory(territory)
        .filter(series__is_published=True)
        .select_related("series", "series__village__commune")
        .defer("series__village__commune__boundary", "series__village__commune__townhall_opening_hours")
    )
    if kind:
        occurrences = occurrences.filter(series__kind=kind)
    if village:
        occurrences = occurrences.filter(series__village__slug=village)
    return with_seats(occurrences).order_by("starts_at", "pk")


def upcoming(territory, *, kind: str = "", village: str = "", now: datetime | None = None) -> list:
    """What the list shows: occurrences not over yet, starting within the coming six months."""
    now = now or timezone.now()
    end = now + relativedelta(months=HORIZON_MONTHS)
    occurrences = agenda_occurrences(territory, kind=kind, village=village).filter(
        ends_at__gte=now, starts_at__lt=end
    )
    return list(occurrences[:LIST_LIMIT])


def in_month(territory, month: date, *, kind: str = "", village: str = "") -> list:
    start, end = month_bounds(month, territory.time_zone)
    occurrences = agenda_occurrences(territory, kind=kind, village=village).filter(
        starts_at__gte=start, starts_at__lt=end
    )
    return list(occurrences[:LIST_LIMIT])


def public_occurrence(territory, pk: int) -> Occurrence:
    """An occurrence of a published series of the territory (cancelled ones too), or DoesNotExist."""
    return (
        with_seats(
            Occurrence.objects.of_territory(territory)
            .filter(series__is_published=True)
            .select_related("series", "series__territory", "series__village__commune")
            .defer("series__village__commune__boundary", "series__village__commune__townhall_opening_hours")
        )
        .order_by()
        .get(pk=pk)
    )


def other_dates(occurrence: Occurrence, *, now: datetime | None = None) -> list:
    """The next dates of the same series (scheduled, not over), this one excluded."""
    occurrences = (
        Occurrence.objects.filter(series=occurrence.series_id, ends_at__gte=now or timezone.now())
        .exclude(pk=occurrence.pk)
        .select_related("series")
        .order_by("starts_at", "pk")
    )
    return list(with_seats(occurrences)[:OTHER_DATES])


def agenda_villages(territory) -> list[tuple[str, str]]:
    """(slug, name) of the territory's published villages that have published series, by name."""
    from sohosolo.villages.models import Village

    rows = (
        Village.objects.of_territory(territory)
        .published()
        .filter(event_series__is_published=True)
        .order_by("commune__search_name")
        .values_list("slug", "commune__name")
        .distinct()
    )
    return list(rows)


def is_full(occurrence: Occurrence) -> bool:
    return getattr(occurrence, "seats_left", 1) <= 0


def is_cancelled(occurrence: Occurrence) -> bool:
    return occurrence.status == OccurrenceStatus.CANCELLED


# --- Grouping --------------------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    occurrences: list = field(default_factory=list)
    in_month: bool = True
    is_today: bool = False


@dataclass
class Month:
    month: date
    days: list[Day] = field(default_factory=list)


def group_by_month(occurrences: list) -> list[Month]:
    """Months, then days (local dates of each series' time zone), in order."""
    months: list[Month] = []
    for occurrence in occurrences:
        day = local_start(occurrence).date()
        if not months or months[-1].month != day.replace(day=1):
            months.append(Month(day.replace(day=1)))
        days = months[-1].days
        if not days or days[-1].day != day:
            days.append(Day(day))
        days[-1].occurrences.append(occurrence)
    return months


def first_weekday() -> int:
    """The locale's first day of the week, as Python's calendar counts (Monday = 0)."""
    return (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7


def month_grid(month: date, occurrences: list, *, today: date, firstweekday: int | None = None) -> list:
    """Weeks of seven Days for a month table; days of the neighbour months are empty and marked."""
    firstweekday = first_weekday() if firstweekday is None else firstweekday
    by_day: dict[date, list] = {}
    for occurrence in occurrences:
        by_day.setdefault(local_start(occurrence).date(), []).append(occurrence)
    weeks = calendar.Calendar(firstweekday).monthdatescalendar(month.year, month.month)
    return [
        [
            Day(
                day,
                by_day.get(day, []) if day.month == month.month else [],
                in_month=day.month == month.month,
                is_today=day == today,
            )
            for day in week
        ]
        for week in weeks
    ]


def weekday_order(firstweekday: int | None = None) -> list[int]:
    """Python weekday numbers (Monday = 0) in the order of the grid's columns."""
    firstweekday = first_weekday() if firstweekday is None else firstweekday
    return [(firstweekday + i) % 7 for i in range(7)]
