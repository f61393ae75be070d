"""How the map endpoint reads one source in a box: the Reader protocol, and the QuerySet reader."""

import json
from collections.abc import Sequence

from django.db.models import Count

from .grid import cell_of, cluster_item, dumps, point_item

# Above this many points in view the endpoint answers with clusters (grid by zoom) instead of points.
MAX_POINTS = 500

# Per cell (cx, cy): [count, sum of latitudes, sum of longitudes, cluster already encoded or None]. A
# cell read from the index comes encoded ([lat, lon, count], see maps.grid.cluster_item) with no sums:
# they are only worked out if another source adds points to the same cell.
Cells = dict[tuple[int, int], list]


class Reader:
    """Reads one source in a box. After `plan()`, `exact` says whether `counts` are final; `lower` is a
    lower bound of the points in view. `settle()` makes the counts exact when that is cheap enough to
    decide between points and clusters; then `items()` or `cells()` (which also makes counts exact)."""

    counts: dict[str, int]
    exact: bool
    lower: int
    alone: bool = False  # set by map_features when this is the only source asked for

    def plan(self) -> None:
        raise NotImplementedError

    def settle(self) -> None:
        raise NotImplementedError

    def items(self) -> list[str]:
        raise NotImplementedError

    def cells(self) -> Cells:
        raise NotImplementedError

    def clusters(self) -> list[str]:
        """The clusters, encoded (when this source is the only one asked for)."""
        return encoded_clusters(self.cells())


class QuerySetReader(Reader):
    """A source's QuerySet (annotated with map_lat, map_lon, map_kind, map_label): count, then rows."""

    def __init__(self, source, filters, kinds: Sequence[str], bbox, zoom: int):
        self.zoom = zoom
        self.points = (
            source.points(filters, kinds)
            .filter(
                map_lat__gte=bbox.south,
                map_lat__lte=bbox.north,
                map_lon__gte=bbox.west,
                map_lon__lte=bbox.east,
            )
            .order_by()
        )
        self.counts = {}
        self.exact = True
        self.lower = 0

    def plan(self) -> None:
        rows = self.points.values("map_kind").annotate(n=Count("pk")).values_list("map_kind", "n")
        self.counts = {kind: n for kind, n in rows if n}
        self.lower = sum(self.counts.values())

    def settle(self) -> None:
        pass

    def items(self) -> list[str]:
        rows = self.points.values_list("pk", "map_lat", "map_lon", "map_kind", "map_label").order_by("pk")
        return [dumps(point_item(*row)) for row in rows]

    def cells(self) -> Cells:
        cells: Cells = {}
        for lat, lon in self.points.values_list("map_lat", "map_lon"):
            add_to_cell(cells, cell_of(lat, lon, self.zoom), 1, lat, lon)
        return cells


def add_to_cell(cells: Cells, key: tuple[int, int], n: int, lat_sum: float, lon_sum: float) -> None:
    cell = cells.get(key)
    if cell is None:
        cells[key] = [n, lat_sum, lon_sum, None]
        return
    if cell[3] is not None:
        _decode(cell)
    cell[0] += n
    cell[1] += lat_sum
    cell[2] += lon_sum


def add_encoded_cell(cells: Cells, key: tuple[int, int], n: int, encoded: str) -> None:
    if key not in cells:
        cells[key] = [n, None, None, encoded]
        return
    lat, lon, _n = json.loads(encoded)
    add_to_cell(cells, key, n, lat * n, lon * n)


def _decode(cell: list) -> None:
    lat, lon, n = json.loads(cell[3])
    cell[1], cell[2], cell[3] = lat * n, lon * n, None


def encoded_clusters(cells: Cells) -> list[str]:
    """The clusters as the endpoint sends them, [lat, lon, count] each."""
    return [
        encoded if encoded is not None else cluster_item(n, lat_sum, lon_sum)
        for n, lat_sum, lon_sum, encoded in cells.values()
    ]
