"""The "événements" layer of the map: the next scheduled occurrence of each published series of the
territory that has a position (an occurrence with an address, not an online one).

Registered through the map's hook (sohosolo.maps.layers.register_source), from EventsConfig.ready():
``from . import map_layer; map_layer.register()``.
"""

from collections.abc import Sequence

from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agenda import with_seats
from .models import Occurrence, OccurrenceStatus

SOURCE = "event"


def _placed_upcoming(territory, now) -> QuerySet:
    return Occurrence.objects.filter(
        series__territory=territory,
        series__is_published=True,
        status=OccurrenceStatus.SCHEDULED,
        ends_at__gte=now,
        lat__isnull=False,
        lon__isnull=False,
    )


def next_placed_occurrences(territory, *, now=None) -> QuerySet:
    """One row per series: its next scheduled occurrence with a position."""
    now = now or timezone.now()
    following = (
        Occurrence.objects.filter(
            series=OuterRef("series"),
            status=OccurrenceStatus.SCHEDULED,
            ends_at__gte=now,
            lat__isnull=False,
            lon__isnull=False,
        )
        .order_by("starts_at", "pk")
        .values("pk")[:1]
    )
    return _placed_upcoming(territory, now).filter(pk=Subquery(following))


def event_points(filters, kinds: Sequence[str]) -> QuerySet:
    """Points as the map reads them (map_lat, map_lon, map_kind, map_label). Village and housing
    criteria do not hide events (like services and partners, they are context)."""
    from sohosolo.maps.layers import translated

    return next_placed_occurrences(filters.territory).annotate(
        map_lat=F("lat"),
        map_lon=F("lon"),
        map_kind=Value(SOURCE, output_field=CharField()),
        map_label=translated("series__title"),
    )


def event_for_popup(territory, pk: int) -> Occurrence:
    """Any upcoming scheduled occurrence with a position (a point shown a moment ago stays openable)."""
    return get_object_or_404(
        with_seats(_placed_upcoming(territory, timezone.now()).select_related("series")).order_by(), pk=pk
    )


def register() -> None:
    from sohosolo.maps.layers import Layer, Source, register_source

    register_source(
        Source(
            key=SOURCE,
            points=event_points,
            popup_object=event_for_popup,
            popup_template="events/_map_popup.html",
        ),
        [Layer(key=SOURCE, label=_("Événements"), source=SOURCE, group=_("Agenda"))],
        alias="events",
    )
