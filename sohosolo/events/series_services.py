"""Writes on event series and occurrences (staff), and the .ics of one occurrence.

A series is edited by staff; right after, its occurrences are materialised again (``recurrence``).
One occurrence may be edited (capacity, place, description…), moved or cancelled on its own: it is
then marked ``is_modified`` so the materialising job leaves it alone. Cancelling or moving emails
every active registrant (confirmed or waitlisted), in their language, through the outbox.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from sohosolo.core.outbox import outbox_enqueue

from .agenda import occurrence_path
from .models import Occurrence, OccurrenceStatus, Registration, Series
from .recurrence import COPIED_FIELDS, LANGUAGE_CODES, TRANSLATED_DESCRIPTIONS

ICS_FILENAME = "rendez-vous.ics"
ICS_MIMETYPE = "text/calendar"
PRODID = "-//Soho Solo//Agenda//FR"
# Candidate names of the public page of one occurrence (owned by the agenda); the agenda otherwise.


class SeriesError(Exception):
    """A business rule refused the action; ``message`` is for the user, ``field`` the form field concerned."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- Links and calendar ------------------------------------------------------------------------------


def base_url_of(territory, base_url: str | None = None) -> str:
    """The request's host when given, else the territory's first host name (jobs, emails)."""
    if not base_url:
        hosts = territory.hostnames or ["localhost"]
        base_url = f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{hosts[0]}"
    return base_url.rstrip("/")


def occurrence_url(
    occurrence: Occurrence, *, language: str | None = None, base_url: str | None = None
) -> str:
    """Absolute link to the public page of an occurrence (the agenda if that page does not exist)."""
    language = language or settings.LANGUAGE_CODE
    base = base_url_of(occurrence.series.territory, base_url)
    with translation.override(language):
        return base + occurrence_path(occurrence)


def occurrence_uid(occurrence: Occurrence) -> str:
    """Stable across edits and moves, so calendar clients update the event instead of adding one."""
    return f"occurrence-{occurrence.pk}@{occurrence.series.territory.slug}.soho-solo"


# Central European Time with the EU rules in force since 1996 (what calendar clients publish).
_EUROPE_PARIS_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Paris
X-LIC-LOCATION:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def vtimezone(tzid: str, around: date | None = None) -> icalendar.Timezone:
    """The VTIMEZONE of ``tzid``: the usual rule-based one for Europe/Paris, else generated."""
    if tzid == "Europe/Paris":
        return icalendar.Timezone.from_ical(_EUROPE_PARIS_VTIMEZONE.replace("\n", "\r\n"))
    around = around or timezone.now().date()
    # The transitions of the year before to the year after: small, and enough for one event.
    return icalendar.Timezone.from_tzid(
        tzid, first_date=date(around.year - 1, 1, 1), last_date=date(around.year + 2, 1, 1)
    )


def occurrence_ics(
    occurrence: Occurrence, *, language: str | None = None, base_url: str | None = None
) -> str:
    """A VCALENDAR (METHOD:PUBLISH) holding one VEVENT for this occurrence, in the series' time zone.

    SEQUENCE grows with every change of the row, so a moved occurrence replaces the previous one
    in the registrant's calendar (same UID); a cancelled one carries STATUS:CANCELLED.
    """
    series = occurrence.series
    tzid = series.timezone
    zone = ZoneInfo(tzid)
    starts = occurrence.starts_at.astimezone(zone)
    ends = occurrence.ends_at.astimezone(zone)
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        title = str(series.title)
        description = str(occurrence.description or series.description or "")

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(vtimezone(tzid, starts.date()))

    event = icalendar.Event()
    event.add("uid", occurrence_uid(occurrence))
    event.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
    event.add("dtstart", starts)  # TZID=<zone> from the aware datetime's ZoneInfo
    event.add("dtend", ends)
    event.add("summary", title)
    location = occurrence.address or occurrence.online_url
    if location:
        event.add("location", location)
    if occurrence.lat is not None and occurrence.lon is not None:
        event.add("geo", (occurrence.lat, occurrence.lon))
    if description:
        event.add("description", description)
    event.add("url", occurrence_url(occurrence, language=language, base_url=base_url))
    created = occurrence.created_at or timezone.now()
    updated = occurrence.updated_at or created
    event.add("sequence", max(int((updated - created).total_seconds()), 0))
    cancelled = occurrence.status == OccurrenceStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def occurrence_ics_attachment(occurrence: Occurrence, *, language: str | None = None, base_url=None) -> dict:
    """The outbox attachment of ``occurrence_ics``."""
    return {
        "filename": ICS_FILENAME,
        "mimetype": ICS_MIMETYPE,
        "content": occurrence_ics(occurrence, language=language, base_url=base_url),
    }


def agenda_url(territory, *, language: str | None = None, base_url: str | None = None) -> str:
    language = language or settings.LANGUAGE_CODE
    base = base_url_of(territory, base_url)
    with translation.override(language):
        for name in ("events:agenda", "events:list", "events:index"):
            try:
                return base + reverse(name)
            except NoReverseMatch:
                continue
    return f"{base}/{language}/agenda/"


# --- Series ------------------------------------------------------------------------------------------

SERIES_FIELDS = (
    "kind",
    "rrule",
    "dtstart",
    "duration_minutes",
    "exdates",
    *COPIED_FIELDS,
    "village",
    "is_published",
    *(f"title_{code}" for code in LANGUAGE_CODES),
    *TRANSLATED_DESCRIPTIONS,
)
# What staff may change on one occurrence: what the series copies to it.
OCCURRENCE_FIELDS = (*COPIED_FIELDS, *TRANSLATED_DESCRIPTIONS)


def _unique_slug(territory, title: str, *, exclude_pk=None) -> str:
    base = slugify(title)[:100] or "rendez-vous"
    others = Series.objects.filter(territory=territory)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _check_series(territory, data: dict) -> None:
    from .recurrence import RecurrenceError, occurrence_times, parse_rule, to_local_naive

    village = data.get("village")
    if village is not None and village.territory_id != territory.pk:
        raise SeriesError(_("Ce village n'appartient pas au territoire."), field="village")
    if (data.get("lat") is None) != (data.get("lon") is None):
        raise SeriesError(_("Indiquez la latitude et la longitude, ou aucune des deux."), field="lat")
    tzname = data.get("timezone") or territory.time_zone or "Europe/Paris"
    if data.get("rrule"):
        try:
            parse_rule(data["rrule"], to_local_naive(data["dtstart"], tzname), tzname)
        except RecurrenceError as error:
            raise SeriesError(error.message, field="rrule") from error
        probe = Series(
            rrule=data["rrule"], dtstart=data["dtstart"], timezone=tzname, exdates=[], duration_minutes=1
        )
        start = from_local(to_local_naive(data["dtstart"], tzname), tzname)
        if not occurrence_times(probe, start, start + timedelta(days=3 * 366)):
            raise SeriesError(
                _("Cette règle ne donne aucune date dans les trois ans qui suivent la première date."),
                field="rrule",
            )


def from_local(value: datetime, tzname: str) -> datetime:
    from .recurrence import from_local_naive

    return from_local_naive(value, tzname)


def _apply(series: Series, data: dict) -> None:
    tzname = series.timezone or "Europe/Paris"
    for name in SERIES_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "dtstart":
            value = from_local(value, tzname)
        elif name in ("exdates",):
            value = sorted({str(item)[:10] for item in value or []})
        elif name == "questions":
            value = list(value or [])
        setattr(series, name, value)


def series_create(*, territory, data: dict, by=None, base_url: str | None = None, now=None):
    """Create a series from the form's data (``dtstart`` naive local) and materialise it.

    Returns (series, MaterialiseResult).
    """
    from .recurrence import materialise

    data = {**data, "timezone": data.get("timezone") or territory.time_zone or "Europe/Paris"}
    _check_series(territory, data)
    with transaction.atomic():
        series = Series(territory=territory, timezone=data["timezone"])
        _apply(series, data)
        title = data.get(f"title_{settings.LANGUAGE_CODE}") or data.get("title") or ""
        series.slug = _unique_slug(territory, title)
        series.save()
        result = materialise(series, now=now, base_url=base_url)
    return series, result


def series_update(*, series: Series, data: dict, by=None, base_url: str | None = None, now=None):
    """Apply the form's data to a series, then bring its future occurrences in line.

    Occurrences edited one by one, or with registrations, keep their values (see ``materialise``).
    Returns (series, MaterialiseResult).
    """
    from .recurrence import materialise

    _check_series(series.territory, {**data, "timezone": series.timezone})
    with transaction.atomic():
        series = Series.objects.select_for_update().get(pk=series.pk)
        _apply(series, data)
        series.save()
        result = materialise(series, now=now, base_url=base_url)
    return series, result


# --- One occurrence ------------------------------------------------------------------------------------


def _locked(occurrence: Occurrence) -> Occurrence:
    return (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("series__territory")
        .get(pk=occurrence.pk)
    )


def _active_registrations(occurrence: Occurrence):
    return list(Registration.objects.filter(occurrence=occurrence).active().select_related("prospect"))


def _email(
    registration: Registration, occurrence: Occurrence, template: str, *, extra: dict, ics: bool, base_url
):
    from .registration import email_context

    languages = dict(settings.LANGUAGES)
    language = registration.language if registration.language in languages else settings.LANGUAGE_CODE
    registration.occurrence = occurrence
    context = {
        **email_context(registration, language=language, base_url=base_url),
        "agenda_url": agenda_url(occurrence.series.territory, language=language, base_url=base_url),
        **extra,
    }
    attachments = (
        [occurrence_ics_attachment(occurrence, language=language, base_url=base_url)] if ics else None
    )
    outbox_enqueue(
        to=registration.email,
        template=template,
        context=context,
        language=language,
        territory=occurrence.series.territory,
        kind=template,
        attachments=attachments,
    )


def occurrence_update(
    *, occurrence: Occurrence, data: dict, by=None, base_url: str | None = None
) -> Occurrence:
    """Edit one occurrence; it becomes ``is_modified`` (the series no longer overwrites it).

    The capacity may not go below the confirmed registrations; raised, it promotes people waiting.
    """
    with transaction.atomic():
        occurrence = _locked(occurrence)
        if "capacity" in data:
            confirmed = Registration.objects.filter(occurrence=occurrence).confirmed().count()
            if data["capacity"] < confirmed:
                raise SeriesError(
                    _(
                        "%(count)s personnes sont déjà inscrites : la capacité ne peut pas être inférieure à "
                        "%(count)s. Annulez d'abord des inscriptions si nécessaire."
                    )
                    % {"count": confirmed},
                    field="capacity",
                )
        if (data.get("lat") is None) != (data.get("lon") is None) and ("lat" in data or "lon" in data):
            raise SeriesError(_("Indiquez la latitude et la longitude, ou aucune des deux."), field="lat")
        previous_capacity = occurrence.capacity
        for name in OCCURRENCE_FIELDS:
            if name in data:
                setattr(occurrence, name, list(data[name] or []) if name == "questions" else data[name])
        occurrence.is_modified = True
        occurrence.save()
        if occurrence.capacity > previous_capacity:
            from .registration import fill_from_waitlist

            fill_from_waitlist(occurrence, base_url=base_url)
    return occurrence


def occurrence_cancel(*, occurrence: Occurrence, reason: str, by=None, base_url: str | None = None) -> bool:
    """Cancel an occurrence and email every active registrant (their language). Once only.

    Returns False when it was already cancelled. Registrations keep their status: the occurrence
    being cancelled is what tells reminders, check-in and figures to leave them aside.
    """
    reason = (reason or "").strip()
    if not reason:
        raise SeriesError(
            _("Indiquez le motif de l'annulation : il est envoyé aux inscrits."), field="reason"
        )
    with transaction.atomic():
        occurrence = _locked(occurrence)
        if occurrence.status == OccurrenceStatus.CANCELLED:
            return False
        if occurrence.ends_at <= timezone.now():
            raise SeriesError(_("Ce rendez-vous est passé : il ne peut plus être annulé."))
        occurrence.status = OccurrenceStatus.CANCELLED
        occurrence.cancel_reason = reason[:300]
        occurrence.is_modified = True
        occurrence.save(update_fields=["status", "cancel_reason", "is_modified", "updated_at"])
        for registration in _active_registrations(occurrence):
            _email(
                registration,
                occurrence,
                "event_cancelled",
                extra={"reason": reason},
                ics=True,
                base_url=base_url,
            )
    return True


def occurrence_move(
    *,
    occurrence: Occurrence,
    starts_at_local: datetime,
    duration_minutes: int | None = None,
    by=None,
    base_url: str | None = None,
    now: datetime | None = None,
) -> Occurrence:
    """Move an occurrence to a new local date and time; registrants get the new time and an .ics."""
    now = now or timezone.now()
    with transaction.atomic():
        occurrence = _locked(occurrence)
        if occurrence.status == OccurrenceStatus.CANCELLED:
            raise SeriesError(_("Ce rendez-vous est annulé : il ne peut plus être déplacé."))
        if occurrence.ends_at <= now:
            raise SeriesError(_("Ce rendez-vous est passé : il ne peut plus être déplacé."))
        tzname = occurrence.series.timezone
        starts_at = from_local(starts_at_local, tzname)
        if starts_at <= now:
            raise SeriesError(_("Choisissez une date et une heure à venir."), field="date")
        if duration_minutes is None:
            duration = occurrence.ends_at - occurrence.starts_at
        else:
            duration = timedelta(minutes=duration_minutes)
        ends_at = from_local(starts_at_local + duration, tzname)
        previous = occurrence.starts_at
        if starts_at == previous and ends_at == occurrence.ends_at:
            return occurrence
        occurrence.starts_at, occurrence.ends_at = starts_at, ends_at
        occurrence.is_modified = True
        occurrence.save(update_fields=["starts_at", "ends_at", "is_modified", "updated_at"])
        # A reminder sent for the former time is due again before the new one.
        Registration.objects.filter(occurrence=occurrence).active().update(reminder_sent_at=None)
        for registration in _active_registrations(occurrence):
            _email(
                registration,
                occurrence,
                "event_moved",
                extra={"previous_starts_at": previous},
                ics=True,
                base_url=base_url,
            )
    return occurrence
