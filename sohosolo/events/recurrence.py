"""Materialise the occurrences of recurring series (RFC 5545) for the coming months.

Times. A series' rule runs in *local* time: ``Series.dtstart`` stands for a wall-clock time in
``Series.timezone`` and every instance keeps that wall-clock time (18:00 in Paris stays 18:00 when
daylight-saving time starts or ends; the UTC hour changes). The database stores aware datetimes
(``USE_TZ``), so the naive local values (``Series.dtstart``, ``Occurrence.recurrence_id``) are saved
as the instant of that wall-clock time in the series' zone: read them back with ``to_local_naive``
and write them with ``from_local_naive``. A local time that does not exist (the skipped hour in
March) is taken with the offset before the change (02:30 becomes 03:30); an ambiguous one (the
repeated hour in October) is the first of the two (``fold=0``).

``materialise`` is idempotent and safe when two workers run it at once: rows are keyed by
(series, recurrence_id), unique in the database, and each insert runs in its own savepoint.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from sohosolo.core.scheduler import register_job

from .models import Occurrence, OccurrenceStatus, Registration, Series

logger = logging.getLogger(__name__)

HORIZON = timedelta(days=183)  # about six months
# No rule may produce more instances than this in one expansion (a guard against FREQ=MINUTELY…).
MAX_INSTANCES = 1000
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# Fields copied from the series to its occurrences (and kept in step while untouched).
TRANSLATED_DESCRIPTIONS = tuple(f"description_{code}" for code in LANGUAGE_CODES)
COPIED_FIELDS = ("capacity", "address", "lat", "lon", "online_url", "audience", "questions")
REMOVED_REASON = _("Cette date a été retirée du calendrier.")


class RecurrenceError(ValueError):
    """The recurrence rule cannot be read; ``message`` is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- Local times ------------------------------------------------------------------------------------


def zone_of(series: Series) -> ZoneInfo:
    return ZoneInfo(series.timezone or "Europe/Paris")


def from_local_naive(value: datetime, tzname: str) -> datetime:
    """The aware instant of a wall-clock time in ``tzname`` (fold=0; see the module docstring)."""
    if timezone.is_aware(value):
        return value
    return value.replace(tzinfo=ZoneInfo(tzname), fold=0)


def to_local_naive(value: datetime, tzname: str) -> datetime:
    """The wall-clock time in ``tzname`` of a stored datetime (aware from the database)."""
    if timezone.is_naive(value):
        return value
    return value.astimezone(ZoneInfo(tzname)).replace(tzinfo=None)


def series_local_start(series: Series) -> datetime:
    """The series' first date as a naive local time."""
    return to_local_naive(series.dtstart, series.timezone)


# --- The rule ---------------------------------------------------------------------------------------

_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def _normalise(text: str, tzname: str) -> str:
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]

    # dateutil wants UNTIL naive when DTSTART is naive: turn a UTC UNTIL into local time.
    def local_until(match: re.Match) -> str:
        instant = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo("UTC"))
        return "UNTIL=" + instant.astimezone(ZoneInfo(tzname)).strftime("%Y%m%dT%H%M%S")

    return _UNTIL_UTC.sub(local_until, text)


def parse_rule(text: str, dtstart_local: datetime, tzname: str = "Europe/Paris") -> rrule:
    """A dateutil rule from an RRULE value (with or without the ``RRULE:`` prefix).

    Raises RecurrenceError with a message for the user when it cannot be read, or when it repeats
    more often than daily.
    """
    value = _normalise(text, tzname)
    if "\n" in value or ":" in value:
        raise RecurrenceError(
            _("Indiquez une seule règle RRULE, par exemple FREQ=WEEKLY;INTERVAL=2;BYDAY=WE.")
        )
    try:
        rule = rrulestr(value, dtstart=dtstart_local)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise RecurrenceError(
            _("Règle de récurrence illisible (%(error)s). Exemple : FREQ=WEEKLY;INTERVAL=2;BYDAY=WE.")
            % {"error": error}
        ) from error
    frequency = re.search(r"FREQ=([A-Z]+)", value.upper())
    if not frequency or frequency.group(1) not in ALLOWED_FREQUENCIES:
        raise RecurrenceError(
            _(
                "La fréquence doit être quotidienne, hebdomadaire, mensuelle ou annuelle (FREQ=DAILY, WEEKLY, MONTHLY ou YEARLY)."
            )
        )
    return rule


def _excluded(series: Series) -> set[date]:
    dates = set()
    for value in series.exdates or []:
        try:
            dates.add(date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return dates


def occurrence_times(
    series: Series, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, datetime]]:
    """The instances of the series starting in [start, end), exdates left out.

    Returns (recurrence_id as a naive local time, starts_at aware, ends_at aware), in order. Each
    instance is computed in local time, then given the series' zone, so its wall-clock time is that
    of ``dtstart`` whatever the daylight-saving period.
    """
    tzname = series.timezone or "Europe/Paris"
    zone = ZoneInfo(tzname)
    if timezone.is_naive(start):
        start = from_local_naive(start, tzname)
    if timezone.is_naive(end):
        end = from_local_naive(end, tzname)
    dtstart_local = series_local_start(series)
    if series.rrule.strip():
        rule = parse_rule(series.rrule, dtstart_local, tzname)
        # A day of margin each side: the local/UTC offset is at most a few hours.
        low = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
        high = end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
        candidates = []
        for instance in rule.xafter(max(low, dtstart_local), inc=True):
            if instance > high or len(candidates) >= MAX_INSTANCES:
                break
            candidates.append(instance)
    else:
        candidates = [dtstart_local]
    excluded = _excluded(series)
    duration = timedelta(minutes=series.duration_minutes)
    result = []
    for local in candidates:
        if local.date() in excluded:
            continue
        starts_at = from_local_naive(local, tzname)
        if not start <= starts_at < end:
            continue
        # The end also keeps its wall-clock time (a meeting over the change lasts an hour less or more).
        ends_at = from_local_naive(local + duration, tzname)
        result.append((local, starts_at, ends_at))
    return result


def next_times(series: Series, count: int = 5, *, now: datetime | None = None) -> list[datetime]:
    """The next ``count`` start times (aware) of the rule from now, for previews."""
    now = now or timezone.now()
    times = occurrence_times(series, now, now + timedelta(days=3 * 366))
    return [starts_at for _rid, starts_at, _ends in times[:count]]


# --- Materialising ----------------------------------------------------------------------------------


@dataclass
class MaterialiseResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    cancelled: int = 0
    # Rows kept as they are though the series changed: staff edited them, or people registered.
    kept: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "removed": self.removed,
            "cancelled": self.cancelled,
            "kept": len(self.kept),
        }


def series_defaults(series: Series) -> dict:
    """The values an occurrence takes from its series."""
    values = {name: getattr(series, name) for name in COPIED_FIELDS}
    values["questions"] = list(series.questions or [])
    for name in TRANSLATED_DESCRIPTIONS:
        values[name] = getattr(series, name, None)
    return values


def _has_registrations(occurrence: Occurrence) -> bool:
    return Registration.objects.active().filter(occurrence=occurrence).exists()


def _differs(occurrence: Occurrence, values: dict) -> bool:
    return any(getattr(occurrence, name) != value for name, value in values.items())


def materialise(
    series: Series, *, horizon: timedelta = HORIZON, now: datetime | None = None, base_url=None
) -> MaterialiseResult:
    """Bring the future occurrences of ``series`` in line with its rule, for ``horizon`` ahead.

    - creates the missing rows (values copied from the series);
    - updates rows not yet started, not edited by staff (``is_modified``) and without registrations;
    - a row whose instance the rule no longer produces: if the rule now gives another time on the
      same day, the row follows it (or, with registrations or staff edits, keeps its time and is
      marked edited, for staff to move it); otherwise it is deleted, or cancelled with an email to
      its registrants if it has any.
    """
    now = now or timezone.now()
    tzname = series.timezone or "Europe/Paris"
    result = MaterialiseResult()
    future = list(
        Occurrence.objects.filter(series=series, recurrence_id__gt=now, starts_at__gt=now).order_by(
            "recurrence_id"
        )
    )
    end = now + horizon
    if future:
        end = max(end, max(o.recurrence_id for o in future) + timedelta(days=1))
    wanted = {
        from_local_naive(local, tzname): (starts_at, ends_at)
        for local, starts_at, ends_at in occurrence_times(series, now, end)
    }
    defaults = series_defaults(series)
    existing_keys = set(
        Occurrence.objects.filter(series=series, recurrence_id__in=list(wanted)).values_list(
            "recurrence_id", flat=True
        )
    )

    # 1. Rows the rule no longer produces: follow a new time on the same day, else go.
    handled: set[int] = set()
    free_by_day: dict[date, datetime] = {}
    for key in sorted(wanted):
        if key not in existing_keys:
            free_by_day.setdefault(to_local_naive(key, tzname).date(), key)
    for occurrence in future:
        if occurrence.recurrence_id in wanted:
            continue
        day = to_local_naive(occurrence.recurrence_id, tzname).date()
        new_key = free_by_day.pop(day, None)
        handled.add(occurrence.pk)
        if new_key is not None and _rekey(occurrence, new_key, wanted[new_key], defaults, result):
            existing_keys.add(new_key)
            continue
        _remove(occurrence, result, base_url=base_url)

    # 2. Rows that stay: keep untouched ones in step with the series.
    for occurrence in future:
        if occurrence.pk in handled or occurrence.recurrence_id not in wanted:
            continue
        starts_at, ends_at = wanted[occurrence.recurrence_id]
        _update(occurrence, {"starts_at": starts_at, "ends_at": ends_at, **defaults}, result)

    # 3. Missing rows within the horizon.
    horizon_end = now + horizon
    for key, (starts_at, ends_at) in sorted(wanted.items()):
        if key in existing_keys or starts_at >= horizon_end:
            continue
        try:
            with transaction.atomic():
                Occurrence.objects.create(
                    series=series, recurrence_id=key, starts_at=starts_at, ends_at=ends_at, **defaults
                )
        except IntegrityError:
            continue  # created meanwhile by another run
        result.created += 1
    if result.updated:
        # Rows changed through QuerySet.update() send no signal: refresh the cached public pages.
        from sohosolo.core.page_cache import page_cache_bump

        transaction.on_commit(page_cache_bump, robust=True)
    return result


def _update(occurrence: Occurrence, values: dict, result: MaterialiseResult) -> None:
    if not _differs(occurrence, values):
        return
    if (
        occurrence.is_modified
        or occurrence.status != OccurrenceStatus.SCHEDULED
        or _has_registrations(occurrence)
    ):
        result.kept.append(occurrence.pk)
        return
    updated = (
        Occurrence.objects.filter(pk=occurrence.pk, is_modified=False, status=OccurrenceStatus.SCHEDULED)
        .exclude(pk__in=Registration.objects.active().values("occurrence_id"))
        .update(**values, updated_at=timezone.now())
    )
    result.updated += updated


def _rekey(occurrence: Occurrence, key: datetime, times, defaults: dict, result: MaterialiseResult) -> bool:
    """Attach a row to the rule's new instance on the same day (a change of time of the series)."""
    starts_at, ends_at = times
    untouched = not occurrence.is_modified and occurrence.status == OccurrenceStatus.SCHEDULED
    untouched = untouched and not _has_registrations(occurrence)
    values = {"recurrence_id": key}
    if untouched:
        values.update(starts_at=starts_at, ends_at=ends_at, **defaults)
    else:
        values["is_modified"] = True  # keeps its own time: staff decide whether to move it
    try:
        with transaction.atomic():
            Occurrence.objects.filter(pk=occurrence.pk).update(**values, updated_at=timezone.now())
    except IntegrityError:
        return False
    occurrence.recurrence_id = key
    if untouched:
        result.updated += 1
    else:
        result.kept.append(occurrence.pk)
    return True


def _remove(occurrence: Occurrence, result: MaterialiseResult, *, base_url=None) -> None:
    from .series_services import occurrence_cancel  # avoids an import cycle (it materialises)

    with transaction.atomic():
        locked = Occurrence.objects.select_for_update().filter(pk=occurrence.pk).first()
        if locked is None:
            return
        if not Registration.objects.filter(occurrence=locked).exists():
            locked.delete()
            result.removed += 1
            return
    if occurrence.status == OccurrenceStatus.SCHEDULED:
        if occurrence_cancel(occurrence=occurrence, reason=str(REMOVED_REASON), base_url=base_url):
            result.cancelled += 1


def materialise_published(*, now: datetime | None = None) -> dict[str, int]:
    """Materialise every published series (the scheduled job); one series failing stops no other."""
    totals = {"series": 0, "created": 0, "updated": 0, "removed": 0, "cancelled": 0, "kept": 0}
    for series in Series.objects.published().select_related("territory").iterator():
        try:
            counts = materialise(series, now=now).as_dict()
        except Exception:  # a bad rule in one series must not stop the others
            logger.exception("events: could not materialise series %s", series.pk)
            continue
        totals["series"] += 1
        for name, value in counts.items():
            totals[name] += value
    return totals


@task()
def materialise_occurrences() -> dict[str, int]:
    """Every six hours: occurrences of the published series for the coming six months."""
    return materialise_published()


register_job(name="events.materialise", task=materialise_occurrences, every=timedelta(hours=6))
