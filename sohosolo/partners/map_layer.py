"""The "partners" layer of the map: published partners of the territory that have a position.

Registered in PartnersConfig.ready() through the map's hook (sohosolo.maps.layers.register_source).
"""

from collections.abc import Sequence

from django.db.models import CharField, F, QuerySet, Value
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .models import Partner

SOURCE = "partner"


def partner_points(filters, kinds: Sequence[str]) -> QuerySet:
    """Points as the map reads them (map_lat, map_lon, map_kind, map_label); the village and housing
    criteria of the filters do not hide partners (like services, they are context)."""
    return (
        Partner.objects.of_territory(filters.territory)
        .published()
        .filter(lat__isnull=False, lon__isnull=False)
        .annotate(
            map_lat=F("lat"),
            map_lon=F("lon"),
            map_kind=Value(SOURCE, output_field=CharField()),
            map_label=F("name"),
        )
    )


def partner_for_popup(territory, pk: int) -> Partner:
    return get_object_or_404(
        Partner.objects.of_territory(territory)
        .published()
        .filter(lat__isnull=False, lon__isnull=False)
        .select_related("commune"),
        pk=pk,
    )


def register() -> None:
    from sohosolo.maps.layers import Layer, Source, register_source

    register_source(
        Source(
            key=SOURCE,
            points=partner_points,
            popup_object=partner_for_popup,
            popup_template="partners/_map_popup.html",
        ),
        [Layer(key=SOURCE, label=_("Partenaires du passeport"), source=SOURCE, group=_("Accompagnement"))],
        alias="partners",
    )
