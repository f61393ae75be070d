"""GET /api/v1/map: compact points (or clusters) of the map in a bounding box, with the list's filters."""

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.throttling import AnonRateThrottle
from pydantic import field_validator

from sohosolo.core.page_cache import cache_for_anonymous
from sohosolo.housing.models import Kind, Transaction
from sohosolo.maps.features import MAX_POINTS, MAX_ZOOM, BBox, BBoxError, map_features
from sohosolo.maps.filters import MAX_TRAVEL_MINUTES, FilterError, MapFilters
from sohosolo.maps.layers import expand_layers

from ..schemas import ErrorOut
from .common import field_error, territory_from_slug


class MapThrottle(AnonRateThrottle):
    """The map asks again at every pan and zoom: its own bucket, five times the general API rate unless
    MAP_API_RATE_LIMIT says otherwise, so a visitor exploring the map is not cut off after a minute.

    A counter per client that starts with its first request and lasts the period (one cache add or
    incr per request), rather than ninja's list of timestamps, which the cache reads and writes whole at
    every request: 600 of them at 600/m.
    """

    scope = "map"

    def allow_request(self, request: HttpRequest) -> bool:
        self.key = self.get_cache_key(request)
        if self.key is None or self.num_requests is None:
            return True
        try:
            count = self.cache.incr(self.key)
        except ValueError:  # the client's first request of the period
            if self.cache.add(self.key, 1, self.duration):
                return True
            count = self.cache.incr(self.key)  # another worker started it in between
        return count <= self.num_requests

    def wait(self) -> float | None:
        return self.duration  # at most: the period started with the client's first request


CACHE_SECONDS = 300  # how long an anonymous answer may be served from the page cache

router = Router(tags=["map"], throttle=[MapThrottle(getattr(settings, "MAP_API_RATE_LIMIT", "600/m"))])


def _blank_to_none(value):
    """A form submits empty fields as "": treat them as absent."""
    return None if value == "" else value


class MapFilterQuery(Schema):
    """The filters shared by the map and the results list of /<lang>/carte/ (same names, same meaning)."""

    territory: str | None = Field(
        None, max_length=50, description="Territory slug; default: the territory of the request's host."
    )
    fibre: bool = Field(False, description="Only villages whose commune has fibre (share of premises > 0).")
    school: bool = Field(False, description="Only villages with a primary school in their commune.")
    doctor: bool = Field(False, description="Only villages with a doctor in their commune.")
    city: str | None = Field(
        None, max_length=120, description="A main city of the territory, for max_minutes (e.g. Toulouse)."
    )
    max_minutes: int | None = Field(
        None,
        ge=1,
        le=MAX_TRAVEL_MINUTES,
        description="Only villages at most this many minutes from `city` (measured, else estimated).",
    )
    kind: Kind | None = Field(None, description="Housing offers of this kind only.")
    transaction: Transaction | None = Field(None, description="Housing offers to rent or for sale only.")
    max_price: int | None = Field(None, ge=0, description="Housing offers at most this price (€).")

    _blanks = field_validator(
        "territory", "city", "max_minutes", "kind", "transaction", "max_price", mode="before"
    )(_blank_to_none)

    @field_validator("fibre", "school", "doctor", mode="before")
    @classmethod
    def _blank_is_false(cls, value):
        return False if value in ("", None) else value

    def to_filters(self, request: HttpRequest) -> MapFilters:
        territory = territory_from_slug(self.territory) or getattr(request, "territory", None)
        if territory is None:
            raise field_error("territory", "No territory: give its slug.")
        try:
            return MapFilters(
                territory=territory,
                fibre=self.fibre,
                primary_school=self.school,
                doctor=self.doctor,
                city=self.city or "",
                max_minutes=self.max_minutes,
                housing_kind=self.kind or "",
                transaction=self.transaction or "",
                max_price=self.max_price,
            )
        except FilterError as error:
            raise field_error(error.field, error.message) from None


class MapQuery(MapFilterQuery):
    bbox: str = Field(
        ...,
        max_length=200,
        description="Bounding box in degrees (WGS84): west,south,east,north.",
        examples=["-0.3,43.3,1.2,44.1"],
    )
    zoom: int = Field(..., ge=0, le=MAX_ZOOM, description="Map zoom level; sets the cluster grid.")
    layers: str = Field(
        "villages,housing",
        max_length=1000,
        description="Comma-separated layers: village (or villages), housing, a service category "
        "(primary_school, doctor, …) or services for all of them.",
    )

    @field_validator("bbox")
    @classmethod
    def _valid_bbox(cls, value: str) -> str:
        try:
            BBox.parse(value)
        except BBoxError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("layers")
    @classmethod
    def _known_layers(cls, value: str) -> str:
        if not any(name.strip() for name in value.split(",")):
            raise ValueError("give at least one layer")
        try:
            layer_keys(value)
        except KeyError as error:
            raise ValueError(f"unknown layer: {error.args[0]}") from None
        return value


class MapOut(Schema):
    count: int = Field(description="Points in view (all layers).")
    clustered: bool = Field(description=f"True when more than {MAX_POINTS} points are in view.")
    counts: dict[str, int] = Field(description="Points in view per layer.")
    items: list[list[int | float | str]] = Field(
        description="Points as [id, lat, lon, kind, short label]; lat/lon rounded to 5 decimals. "
        "Empty when clustered."
    )
    clusters: list[list[float | int]] = Field(
        description="Grid cells as [lat, lon, count] (centroid of their points), when clustered."
    )


@router.get("", response={200: MapOut, 422: ErrorOut}, summary="Points of the map")
# Cached for anonymous visitors; every save that can change the map bumps the cache (see the apps'
# signals.py and docs/adr/002-page-cache.md).
@decorate_view(cache_for_anonymous(CACHE_SECONDS))
def map_points(request: HttpRequest, query: Query[MapQuery]):
    """Points of the map in a bounding box, filtered like the results list of /carte/.

    More than 500 points in view: server-side clusters on a grid set by the zoom instead of points.
    Compact on purpose (arrays, not GeoJSON): details of a point come from its popup.
    """
    return map_response(query, query.to_filters(request))


@lru_cache(maxsize=256)
def layer_keys(layers: str) -> tuple[str, ...]:
    """The layer keys a `layers` parameter names (KeyError: an unknown name); the registry is fixed once
    the apps are loaded, so the answer is kept per process."""
    return tuple(expand_layers([name.strip() for name in layers.split(",") if name.strip()]))


def map_response(query: MapQuery, filters: MapFilters) -> HttpResponse:
    """The answer to a valid query (also used by sohosolo.maps.middleware's fast path)."""
    result = map_features(
        filters=filters, bbox=BBox.parse(query.bbox), zoom=query.zoom, layers=layer_keys(query.layers)
    )
    return HttpResponse(result.to_json(), content_type="application/json; charset=utf-8")
