"""The points of the map in a bounding box: compact rows, or grid clusters when there are too many.

Query count: per source asked for (villages, housing, services), one count and then one query for
either the points or the clusters, whatever the number of results.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, FloatField, Value
from django.db.models.functions import Floor

from .filters import MapFilters
from .layers import LAYERS, SOURCES

# Above this many points in view the endpoint answers with clusters (grid by zoom) instead of points.
MAX_POINTS = 500
LABEL_LENGTH = 32
MAX_ZOOM = 20


class BBoxError(ValueError):
    pass


@dataclass(frozen=True)
class BBox:
    """A bounding box in degrees (WGS84)."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> "BBox":
        """Read "west,south,east,north"; BBoxError says what is wrong."""
        parts = text.split(",")
        if len(parts) != 4:
            raise BBoxError("bbox must be four numbers: west,south,east,north")
        try:
            west, south, east, north = (float(part) for part in parts)
        except ValueError:
            raise BBoxError("bbox must be four numbers: west,south,east,north") from None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise BBoxError("bbox values must be finite numbers")
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise BBoxError("bbox longitudes must be between -180 and 180")
        if not (-90 <= south <= 90 and -90 <= north <= 90):
            raise BBoxError("bbox latitudes must be between -90 and 90")
        if west >= east or south >= north:
            raise BBoxError("bbox must have west < east and south < north")
        return cls(west, south, east, north)


@dataclass
class MapResult:
    items: list[list] = field(default_factory=list)
    clusters: list[list] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict:
        return {
            "count": self.count,
            "clustered": bool(self.clusters),
            "counts": self.counts,
            "items": self.items,
            "clusters": self.clusters,
        }


def cell_degrees(zoom: int) -> float:
    """Width of a cluster cell in degrees of longitude: about 64 screen pixels at this zoom."""
    return 360 / 2**zoom / 4


def short_label(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


def map_features(*, filters: MapFilters, bbox: BBox, zoom: int, layers: Sequence[str]) -> MapResult:
    """Points of the given layer keys inside the box, or clusters when more than MAX_POINTS."""
    by_source: dict[str, list[str]] = {}
    for key in layers:
        by_source.setdefault(LAYERS[key].source, []).append(key)

    querysets = []
    for source_key, kinds in by_source.items():
        points = SOURCES[source_key].points(filters, kinds)
        querysets.append(
            points.filter(
                map_lat__gte=bbox.south,
                map_lat__lte=bbox.north,
                map_lon__gte=bbox.west,
                map_lon__lte=bbox.east,
            ).order_by()
        )

    result = MapResult()
    for points in querysets:
        for kind, n in points.values("map_kind").annotate(n=Count("pk")).values_list("map_kind", "n"):
            if n:
                result.counts[kind] = result.counts.get(kind, 0) + n

    if result.count > MAX_POINTS:
        result.clusters = _clusters(querysets, bbox=bbox, zoom=zoom)
        return result
    for points in querysets:
        rows = points.values_list("pk", "map_lat", "map_lon", "map_kind", "map_label").order_by("pk")
        result.items.extend(
            [pk, round(lat, 5), round(lon, 5), kind, short_label(label)] for pk, lat, lon, kind, label in rows
        )
    return result


def _clusters(querysets, *, bbox: BBox, zoom: int) -> list[list]:
    """[lat, lon, count] per grid cell, the centroid of its points; one GROUP BY query per source."""
    cell_lon = cell_degrees(zoom)
    # Cells look square on a Mercator map: a degree of latitude is drawn 1/cos(lat) taller.
    cell_lat = cell_lon * max(math.cos(math.radians((bbox.south + bbox.north) / 2)), 0.05)
    cells: dict[tuple[int, int], list[float]] = {}
    for points in querysets:
        rows = (
            points.annotate(
                cell_y=Floor(F("map_lat") / Value(cell_lat, output_field=FloatField())),
                cell_x=Floor(F("map_lon") / Value(cell_lon, output_field=FloatField())),
            )
            .values("cell_y", "cell_x")
            .annotate(n=Count("pk"), lat=Avg("map_lat"), lon=Avg("map_lon"))
            .values_list("cell_y", "cell_x", "n", "lat", "lon")
        )
        for y, x, n, lat, lon in rows:
            cell = cells.setdefault((int(y), int(x)), [0, 0.0, 0.0])
            cell[0] += n
            cell[1] += lat * n
            cell[2] += lon * n
    return [
        [round(lat_sum / n, 5), round(lon_sum / n, 5), n]
        for (_y, _x), (n, lat_sum, lon_sum) in sorted(cells.items())
    ]
