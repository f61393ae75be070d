"""The map's layers, in a registry that later apps extend.

A *source* reads the points of one model with one query, for one or more *layers* (the toggles a
visitor sees): the village source has one layer, the service source one per category. Each point is
read as (id, lat, lon, kind, label), where `kind` is the key of the layer it belongs to.

Hook for later apps (work spaces, issue to come): in the app's `AppConfig.ready()`, call

    from sohosolo.maps.layers import Layer, Source, register_source
    register_source(
        Source(key="workspace", points=workspace_points, popup_object=workspace_for_popup,
               popup_template="workspaces/_map_popup.html"),
        [Layer(key="workspace", label=_("espace de travail"), source="workspace")],
    )

where `workspace_points(filters, kinds)` returns a QuerySet annotated with map_lat, map_lon, map_kind
and map_label (see the sources below), and `workspace_for_popup(territory, pk)` returns the object
shown in the popup or raises Http404. The endpoint, the page's toggles and the popups follow.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import CharField, F, Model, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sohosolo.housing.models import HousingOffer
from sohosolo.services.models import Category, Service
from sohosolo.territories.models import Territory
from sohosolo.villages.models import Village

from .filters import MapFilters, housing_matching, services_matching, villages_matching
from .selectors import attach_row_facts, with_list_facts
from .service_reader import ServiceIndexReader


@dataclass(frozen=True)
class Layer:
    """One toggle of the map; its key is also the kind code of its points."""

    key: str
    label: Promise
    source: str
    group: Promise = field(default=_("Autres"))
    default: bool = False


@dataclass(frozen=True)
class Source:
    """Where the points of some layers come from, and what their popup shows."""

    key: str
    points: Callable[[MapFilters, Sequence[str]], QuerySet]
    popup_object: Callable[[Territory, int], Model]
    popup_template: str
    # How the map endpoint reads the source in a box (maps.readers.Reader); None: from `points`.
    reader: Callable | None = None


SOURCES: dict[str, Source] = {}
LAYERS: dict[str, Layer] = {}
# Names a request may use for several layers at once.
ALIASES: dict[str, list[str]] = {}


def register_source(source: Source, layers: Sequence[Layer], alias: str = "") -> None:
    """Add a source and its layers; `alias` (e.g. "services") names all of them in ?layers=."""
    SOURCES[source.key] = source
    for layer in layers:
        LAYERS[layer.key] = layer
    if alias:
        ALIASES[alias] = [layer.key for layer in layers]


def expand_layers(names: Sequence[str]) -> list[str]:
    """Layer keys from the names of a request (keys or aliases); KeyError names the unknown one."""
    keys: dict[str, None] = {}  # ordered, without repeats
    for name in names:
        if name in ALIASES:
            keys.update(dict.fromkeys(ALIASES[name]))
        elif name in LAYERS:
            keys[name] = None
        else:
            raise KeyError(name)
    return list(keys)


def translated(field_name: str) -> Coalesce:
    """The field in the active language, falling back to French (modeltranslation's columns)."""
    language = (get_language() or "fr").split("-")[0]
    french = F(f"{field_name}_fr")
    if language == "fr":
        return Coalesce(NullIf(french, Value("")), F(field_name), output_field=CharField())
    return Coalesce(
        NullIf(F(f"{field_name}_{language}"), Value("")), french, F(field_name), output_field=CharField()
    )


# --- Villages ---------------------------------------------------------------------------------------


def village_points(filters: MapFilters, kinds: Sequence[str]) -> QuerySet:
    return villages_matching(filters).annotate(
        map_lat=F("commune__lat"),
        map_lon=F("commune__lon"),
        map_kind=Value("village", output_field=CharField()),
        map_label=F("commune__name"),
    )


def village_for_popup(territory: Territory, pk: int):
    village = get_object_or_404(with_list_facts(Village.objects.published().of_territory(territory)), pk=pk)
    attach_row_facts(village, territory=territory)
    village.travel_rows = village.travel_times()
    return village


# --- Housing ----------------------------------------------------------------------------------------


def housing_points(filters: MapFilters, kinds: Sequence[str]) -> QuerySet:
    return housing_matching(filters).annotate(
        map_lat=F("lat"),
        map_lon=F("lon"),
        map_kind=Value("housing", output_field=CharField()),
        map_label=translated("title"),
    )


def housing_for_popup(territory: Territory, pk: int):
    return get_object_or_404(
        HousingOffer.objects.public().of_territory(territory).select_related("village__commune"), pk=pk
    )


# --- Services ---------------------------------------------------------------------------------------


def service_points(filters: MapFilters, kinds: Sequence[str]) -> QuerySet:
    return (
        services_matching(filters)
        .filter(category__in=kinds)
        .annotate(map_lat=F("lat"), map_lon=F("lon"), map_kind=F("category"), map_label=F("name"))
    )


def service_for_popup(territory: Territory, pk: int):
    service = get_object_or_404(
        Service.objects.of_territory(territory).select_related("commune__village"), pk=pk
    )
    # Link the village page when the service's commune is a published welcome village. A missing
    # reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError: getattr's default applies.
    village = getattr(service.commune, "village", None)
    service.map_village = village if village is not None and village.status == "published" else None
    return service


def _register_defaults() -> None:
    register_source(
        Source("village", village_points, village_for_popup, "maps/popups/village.html"),
        [
            Layer(
                "village", _("Villages d'accueil"), "village", group=_("Villages et logements"), default=True
            )
        ],
        alias="villages",
    )
    register_source(
        Source("housing", housing_points, housing_for_popup, "maps/popups/housing.html"),
        [Layer("housing", _("Logements"), "housing", group=_("Villages et logements"), default=True)],
    )
    register_source(
        Source(
            "service",
            service_points,
            service_for_popup,
            "maps/popups/service.html",
            reader=ServiceIndexReader,
        ),
        [
            Layer(category.value, category.label, "service", group=_("Services de proximité"))
            for category in Category
        ],
        alias="services",
    )


_register_defaults()


def popup_object(kind: str, territory: Territory, pk: int):
    source = SOURCES.get(kind)
    if source is None:
        raise Http404("Unknown map feature kind.")
    return source, source.popup_object(territory, pk)
