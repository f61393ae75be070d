"""GET /api/v1/events: occurrences of published event series (the public agenda), and one by id."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from sohosolo.core.page_cache import cache_for_anonymous
from sohosolo.events.agenda import with_seats
from sohosolo.events.models import EventKind, Occurrence, OccurrenceStatus

from ..schemas import ErrorOut
from .common import PageFilters, absolute_url, field_error, paginate, territory_from_slug

router = Router(tags=["events"])

PARIS = ZoneInfo("Europe/Paris")


class EventFilters(PageFilters):
    from_: date | None = Field(
        None,
        alias="from",
        description="First day (YYYY-MM-DD, Paris time), inclusive. Default: events not over yet.",
    )
    to: date | None = Field(None, description="Last day (YYYY-MM-DD, Paris time), inclusive.")
    kind: EventKind | None = Field(None, description="Only events of this kind.")
    village: str | None = Field(None, max_length=120, description="Slug of a village: its events only.")


class EventOut(Schema):
    id: int
    series: str = Field(description="Slug of the series (a one-off event is a series of one).")
    title: str = Field(description="In the language of the request, else French.")
    description: str
    kind: str
    kind_label: str
    territory: str
    village: str | None = Field(description="Slug of the village the event belongs to, if any.")
    starts_at: datetime = Field(description="ISO 8601 with the offset of the event's time zone.")
    ends_at: datetime
    timezone: str
    place: str = Field(description="Address; empty for an online event.")
    lat: float | None
    lon: float | None
    online: bool = Field(description="True when the event takes place online (the link goes to registrants).")
    audience: str = Field(description="public, prospects (project holders) or members (installed Solos).")
    capacity: int
    seats_left: int = Field(description="Seats not yet confirmed; 0: registrations go to the waiting list.")
    status: str = Field(description="scheduled or cancelled.")
    cancel_reason: str
    url: str | None = Field(description="The event's public page.")
    ics_url: str | None = Field(description="The event as an iCalendar file.")
    is_sample: bool


class EventPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    items: list[EventOut]


def _event_out(request: HttpRequest, occurrence: Occurrence) -> dict:
    series = occurrence.series
    zone = ZoneInfo(series.timezone or "Europe/Paris")
    return {
        "id": occurrence.pk,
        "series": series.slug,
        "title": series.title or "",
        "description": occurrence.description or series.description or "",
        "kind": series.kind,
        "kind_label": str(series.get_kind_display()),
        "territory": series.territory.slug,
        "village": series.village.slug if series.village_id else None,
        "starts_at": occurrence.starts_at.astimezone(zone),
        "ends_at": occurrence.ends_at.astimezone(zone),
        "timezone": series.timezone,
        "place": occurrence.address,
        "lat": occurrence.lat,
        "lon": occurrence.lon,
        "online": bool(occurrence.online_url),
        "audience": occurrence.audience,
        "capacity": occurrence.capacity,
        "seats_left": occurrence.seats_left,
        "status": occurrence.status,
        "cancel_reason": occurrence.cancel_reason if occurrence.status == OccurrenceStatus.CANCELLED else "",
        "url": absolute_url(request, "events:occurrence", series.slug, occurrence.pk),
        "ics_url": absolute_url(request, "events:occurrence_ics", occurrence.pk),
        "is_sample": series.is_sample,
    }


def _published() -> QuerySet:
    return with_seats(
        Occurrence.objects.filter(series__is_published=True).select_related(
            "series", "series__territory", "series__village"
        )
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PARIS)


@router.get("", response={200: EventPage, 422: ErrorOut}, summary="Events")
@decorate_view(cache_for_anonymous(300))
def list_events(request: HttpRequest, filters: Query[EventFilters]):
    """Occurrences of published event series, soonest first, paginated: by default those not over yet.

    Cancelled occurrences are listed with `status: cancelled`, so a calendar built on this API can
    show the cancellation. Members-only and project-holders-only events are listed (their page says
    who may register)."""
    if filters.from_ and filters.to and filters.to < filters.from_:
        raise field_error("to", "`to` must not be before `from`.")
    occurrences = _published().order_by("starts_at", "pk")
    territory = territory_from_slug(filters.territory)
    if territory is not None:
        occurrences = occurrences.filter(series__territory=territory)
    if filters.from_:
        occurrences = occurrences.filter(ends_at__gt=_day_start(filters.from_))
    else:
        occurrences = occurrences.filter(ends_at__gte=timezone.now())
    if filters.to:
        occurrences = occurrences.filter(starts_at__lt=_day_start(filters.to + timedelta(days=1)))
    if filters.kind:
        occurrences = occurrences.filter(series__kind=filters.kind)
    if filters.village:
        occurrences = occurrences.filter(series__village__slug=filters.village)
    page = paginate(request, occurrences, page=filters.page, page_size=filters.page_size)
    page["items"] = [_event_out(request, occurrence) for occurrence in page["items"]]
    return page


@router.get("/{occurrence_id}", response={200: EventOut, 404: ErrorOut}, summary="One event")
@decorate_view(cache_for_anonymous(300))
def get_event(request: HttpRequest, occurrence_id: int):
    """One occurrence of a published series, past or upcoming, cancelled or not."""
    occurrence = get_object_or_404(_published().order_by(), pk=occurrence_id)
    return _event_out(request, occurrence)
