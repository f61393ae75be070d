"""The points of the map in a bounding box: compact rows, or grid clusters when there are too many.

Each source asked for (villages, housing, services) is read by a *reader* in two steps: first what
is in view (how many per layer, or at least a lower bound), then, once the total is known, either its
points or its clusters. Readers of a QuerySet (villages, housing, any registered source) run two
queries: a count per layer, then the points or the rows to cluster. The services are read from the
map's index (maps.ServicePoint, maps.ServiceCell; see maps.service_reader): usually two short
queries, whatever the number of services in view.

Clusters are cells of a grid drawn on the Web Mercator map (maps.grid): about 64 pixels square at the
zoom asked for; a cluster is [lat, lon, count], the centroid of the cell's points in view.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .filters import MapFilters
from .grid import dumps
from .layers import LAYERS, SOURCES
from .readers import (
    MAX_POINTS,
    Cells,
    QuerySetReader,
    Reader,
    add_encoded_cell,
    add_to_cell,
    encoded_clusters,
)

__all__ = ["MAX_POINTS", "MAX_ZOOM", "BBox", "BBoxError", "MapResult", "map_features"]

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
    items: list[str] = field(default_factory=list)  # each point already encoded as a JSON array
    clusters: list[str] = field(default_factory=list)  # each cluster already encoded as a JSON array
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> str:
        """The endpoint's body: {"count", "clustered", "counts", "items", "clusters"}, compact UTF-8 JSON."""
        return (
            f'{{"count":{self.count},"clustered":{"true" if self.clusters else "false"},'
            f'"counts":{dumps(self.counts)},"items":[{",".join(self.items)}],'
            f'"clusters":[{",".join(self.clusters)}]}}'
        )


def map_features(*, filters: MapFilters, bbox: BBox, zoom: int, layers: Sequence[str]) -> MapResult:
    """Points of the given layer keys inside the box, or clusters when more than MAX_POINTS."""
    by_source: dict[str, list[str]] = {}
    for key in layers:
        by_source.setdefault(LAYERS[key].source, []).append(key)

    readers: list[Reader] = []
    for source_key, kinds in by_source.items():
        source = SOURCES[source_key]
        make = source.reader or QuerySetReader
        readers.append(make(source, filters, kinds, bbox, zoom))
    if len(readers) == 1:
        readers[0].alone = True
    for reader in readers:
        reader.plan()
    if sum(r.lower for r in readers) <= MAX_POINTS:
        for reader in readers:
            if not reader.exact:
                reader.settle()
    clustered = sum(r.lower for r in readers) > MAX_POINTS or not all(r.exact for r in readers)

    result = MapResult()
    if clustered:
        if len(readers) == 1:
            result.clusters = readers[0].clusters()
        else:
            cells: Cells = {}
            for reader in readers:
                for key, (n, lat_sum, lon_sum, encoded) in reader.cells().items():
                    if encoded is None:
                        add_to_cell(cells, key, n, lat_sum, lon_sum)
                    else:
                        add_encoded_cell(cells, key, n, encoded)
            result.clusters = encoded_clusters(cells)
    else:
        for reader in readers:
            result.items.extend(reader.items())
    for reader in readers:
        for kind, n in reader.counts.items():
            if n:
                result.counts[kind] = result.counts.get(kind, 0) + n
    return result
