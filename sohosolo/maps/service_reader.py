"""The services of the map, read from the map's index (maps.ServicePoint, maps.ServiceCell).

Two short queries usually answer. The index's cells give an upper bound of the points in view (cells
whose points' extent meets the box); at most MAX_POINTS, the second query reads the points themselves,
already encoded as JSON and joined by the database; above, it reads the cells at the zoom asked for
instead. A cell whose points all lie in the box (its extent is inside) is used as it is; the points
of the few cells the box's edges cut through are then aggregated from maps.ServicePoint (a third
query). The counts per category come from the coarsest cells wholly inside the box (a territory seen
whole: a couple of rows), so they stay exact.

Raw SQL on purpose: this is the hot path of the map (every pan and zoom), and building the query with
the ORM would cost more than running it. Portable SQL (SQLite, PostgreSQL).
"""

from collections import Counter

from django.db import connection

from sohosolo.services.models import Category

from .grid import BAND_SHIFT, GRID_ZOOM, cell_bounds, position_x, position_y, shift
from .index import CELL_MAX_ZOOM, KIND_CODES, parse_kinds
from .models import ServiceCell, ServicePoint
from .readers import MAX_POINTS, Cells, Reader, add_encoded_cell, add_to_cell, encoded_clusters

ALL_CATEGORIES = frozenset(Category.values)
EVERYTHING = [""]  # the category of the index's all-categories cells
_TABLES: tuple[str, str] | None = None


def _tables() -> tuple[str, str]:
    global _TABLES  # noqa: PLW0603 (quoted once per process)
    if _TABLES is None:
        quote = connection.ops.quote_name
        _TABLES = quote(ServicePoint._meta.db_table), quote(ServiceCell._meta.db_table)
    return _TABLES


def _joined(expression: str, separator: str = ",") -> str:
    """The non-null values of an expression joined by `separator` (an aggregate)."""
    if connection.vendor == "postgresql":
        return f"string_agg({expression}, '{separator}')"
    return f"group_concat({expression}, '{separator}')"


# Conditions on a cell (alias c) and the box (named parameters s, n, w, e).
MEETS = "c.max_lat >= %(s)s AND c.min_lat <= %(n)s AND c.max_lon >= %(w)s AND c.min_lon <= %(e)s"
INSIDE = "c.min_lat >= %(s)s AND c.max_lat <= %(n)s AND c.min_lon >= %(w)s AND c.max_lon <= %(e)s"
PARENT_INSIDE = (
    "c.parent_min_lat >= %(s)s AND c.parent_max_lat <= %(n)s"
    " AND c.parent_min_lon >= %(w)s AND c.parent_max_lon <= %(e)s"
)
# Wholly inside the box, its parent not (the parent's extent is kept in the row): the coarsest cells
# inside the box, which count each of its points once.
MAXIMAL = f"{INSIDE} AND (c.zoom = 0 OR NOT ({PARENT_INSIDE}))"
_STATEMENTS: dict[tuple, str] = {}


def _statement(key: tuple, build) -> str:
    """A statement's text, built once per process and shape (it holds no value: all are parameters)."""
    key = (connection.vendor, *key)
    sql = _STATEMENTS.get(key)
    if sql is None:
        sql = _STATEMENTS[key] = build()
    return sql


def _columns() -> str:
    """The columns of cells the box covers at zooms zmin…zmax, as (z, x) rows worked out by the database
    from the box's corners at the finest grid (x0, x1): a short statement, the same for every box."""
    g = GRID_ZOOM
    more = f"r.x < (%(x1)s >> ({g} - r.z))"
    return (
        f"WITH RECURSIVE r(z, x) AS (SELECT CAST(%(zmin)s AS INTEGER), CAST(%(x0)s >> ({g} - %(zmin)s) AS BIGINT)"
        f" UNION ALL SELECT CASE WHEN {more} THEN r.z ELSE r.z + 1 END,"
        f" CASE WHEN {more} THEN r.x + 1 ELSE CAST(%(x0)s >> ({g} - 1 - r.z) AS BIGINT) END"
        f" FROM r WHERE {more} OR r.z < %(zmax)s)"
    )


def _join(categories: int) -> str:
    """The index's cells of those columns whose points' extent meets the box (alias c): one short index
    range per column of cells, its rows worked out from the box's corners (y0, y1)."""
    g = GRID_ZOOM
    marks = ", ".join(f"%(c{i})s" for i in range(categories))
    return (
        f" FROM r JOIN {_tables()[1]} c ON c.territory_id = %(t)s AND c.category IN ({marks})"
        f" AND c.zoom = r.z AND c.cx = r.x AND c.cy BETWEEN (%(y0)s >> ({g} - r.z)) AND (%(y1)s >> ({g} - r.z))"
        f" WHERE {MEETS}"
    )


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


class ServiceIndexReader(Reader):
    max_points = MAX_POINTS

    def __init__(self, source, filters, kinds, bbox, zoom: int):
        self.territory_id = filters.territory.pk
        self.bbox = bbox
        self.box = [bbox.south, bbox.north, bbox.west, bbox.east]
        self.zoom = zoom
        if len(kinds) >= len(ALL_CATEGORIES) and ALL_CATEGORIES.issubset(kinds):
            self.kind_filter = None  # points: no filter on the category
            self.cell_categories = EVERYTHING  # cells: the all-categories rows
        else:
            self.kind_filter = self.cell_categories = sorted(set(kinds))
        # The box's corners at the finest grid: x west, x east, y north, y south (y grows southwards).
        self.corners = (
            position_x(bbox.west),
            position_x(bbox.east),
            position_y(bbox.north),
            position_y(bbox.south),
        )
        self.named = {
            "t": self.territory_id, "s": bbox.south, "n": bbox.north, "w": bbox.west, "e": bbox.east,
            "x0": self.corners[0], "x1": self.corners[1], "y0": self.corners[2], "y1": self.corners[3],
            **{f"c{i}": category for i, category in enumerate(self.cell_categories)},
        }  # fmt: skip
        self.counts = {}
        self.exact = False
        self.lower = 0
        self._items: list[str] | None = None  # the points' JSON arrays, joined by commas
        self.alone = False  # the only source asked for: its clusters need no merging (see features)
        self._cells: Cells | None = None  # cells wholly in the box, at the zoom asked for
        self._joined_clusters: str | None = None  # or the same, encoded and joined by the database
        self._partial: dict[tuple[int, int], set] = {}  # cells cut by the box: their categories

    # --- SQL pieces -----------------------------------------------------------------------------------

    # --- The cells: statements with named parameters (self.named), their text kept per shape -----------

    def _named(self, zmin: int, zmax: int) -> dict:
        named = dict(self.named)
        named["zmin"], named["zmax"] = zmin, zmax
        return named

    def _bound(self) -> tuple[str, dict]:
        """The points of the cells that meet the box, two zooms coarser than asked (cells of about 256
        pixels: a sixteenth of the rows, a bound loose by a margin of such cells at most)."""
        zoom = max(min(self.zoom, CELL_MAX_ZOOM) - 2, 0)
        sql = _statement(
            ("bound", len(self.cell_categories)),
            lambda: f"{_columns()} SELECT COALESCE(SUM(c.n), 0){_join(len(self.cell_categories))}",
        )
        return sql, self._named(zoom, zoom)

    def _cell_rows(self) -> tuple[str, dict]:
        """Rows (category, zoom, cx, cy, n, cluster, inside, maximal, kinds if maximal): the cells at the
        zoom asked for that meet the box, and the coarser cells that are maximal."""

        def build():
            return (
                f"{_columns()} SELECT c.category, c.zoom, c.cx, c.cy, c.n, c.cluster,"
                f" CASE WHEN {INSIDE} THEN 1 ELSE 0 END, CASE WHEN {MAXIMAL} THEN 1 ELSE 0 END,"
                f" CASE WHEN c.category = '' AND {MAXIMAL} THEN c.kinds END{_join(len(self.cell_categories))}"
                f" AND (c.zoom = %(zmax)s OR {MAXIMAL})"
            )

        return _statement(("rows", len(self.cell_categories)), build), self._named(0, self.zoom)

    def _grouped_cells(self) -> tuple[str, dict]:
        """The same in one row (all categories, a source alone on the map): the clusters of the cells
        inside the box, joined; the cells cut by it ("cx cy", joined); the kinds of the maximal cells,
        joined by ";"."""

        def build():
            cut = "CAST(c.cx AS TEXT) || ' ' || CAST(c.cy AS TEXT)"
            return (
                f"{_columns()} SELECT {_joined(f'CASE WHEN c.zoom = %(zmax)s AND {INSIDE} THEN c.cluster END')},"
                f" {_joined(f'CASE WHEN c.zoom = %(zmax)s AND NOT ({INSIDE}) THEN {cut} END')},"
                f" {_joined(f'CASE WHEN {MAXIMAL} THEN c.kinds END', ';')}{_join(1)}"
            )

        return _statement(("grouped",), build), self._named(0, self.zoom)

    def _points_in(self, box: list[float], params: list, columns: str) -> str:
        """The points of maps.ServicePoint in a box (south, north, west, east), through the bands of
        longitude that cover it: a few short index ranges instead of a strip across the territory."""
        points = _tables()[0]
        bands = range(position_x(box[2]) >> BAND_SHIFT, (position_x(box[3]) >> BAND_SHIFT) + 1)
        params.append(self.territory_id)
        params.extend(bands)
        params.extend(box)
        sql = (
            f"SELECT {columns} FROM {points} WHERE territory_id = %s AND band IN ({_marks(bands)})"
            " AND lat >= %s AND lat <= %s AND lon >= %s AND lon <= %s"
        )
        if self.kind_filter is not None:
            params.extend(self.kind_filter)
            sql += f" AND category IN ({_marks(self.kind_filter)})"
        return sql

    # --- Reader ---------------------------------------------------------------------------------------

    def plan(self) -> None:
        """The upper bound in view, then the points (if few enough) or the cells: two short queries."""
        with connection.cursor() as cursor:
            cursor.execute(*self._bound())
            (total,) = cursor.fetchone()
            if total <= self.max_points:
                params = []
                points = self._points_in(self.box, params, "code, item")
                cursor.execute(f"SELECT {_joined('code', '')}, {_joined('item')} FROM ({points}) p", params)
                self._read_points(*cursor.fetchone())
            elif self.zoom <= CELL_MAX_ZOOM and self.alone and self.kind_filter is None:
                cursor.execute(*self._grouped_cells())
                self._read_grouped_cells(*cursor.fetchone())
            elif self.zoom <= CELL_MAX_ZOOM:
                cursor.execute(*self._cell_rows())
                self._read_cells(cursor.fetchall())
            # else: more than allowed may be in view at a zoom finer than the index's: settle() or cells()

    def _read_points(self, codes: str | None, items: str | None) -> None:
        """The points in view, joined by the database: their categories' letters, their JSON arrays."""
        counts = {}
        if codes:
            for kind in self.kind_filter or ALL_CATEGORIES:
                n = codes.count(KIND_CODES[kind])
                if n:
                    counts[kind] = n
        found = len(codes or "")
        if found > self.max_points:  # too many after all: cells() will count them
            self.lower = max(self.lower, found)
            return
        self.counts = counts
        self.lower = found
        self._items = [items] if items else []
        self.exact = True

    def _read_cells(self, rows) -> None:
        """Cells at the zoom asked for (inside the box, or cut by it), and the maximal cells' counts."""
        zoom = self.zoom
        counts: Counter = Counter()
        cells: Cells = {}
        partial: dict[tuple[int, int], set] = {}
        for category, z, cx, cy, n, cluster, inside, maximal, kinds in rows:
            if maximal:
                if category:
                    counts[category] += n
                else:
                    counts.update(parse_kinds(kinds))
            if z != zoom:
                continue
            if inside:
                add_encoded_cell(cells, (cx, cy), n, cluster)
            else:  # cut by the box: its points in the box are read in cells()
                partial.setdefault((cx, cy), set()).add(category)
        self._set_cells(counts, cells, partial)

    def _read_grouped_cells(self, clusters: str | None, cut: str | None, kinds: str | None) -> None:
        counts: Counter = Counter()
        if kinds:
            for text in kinds.split(";"):
                for part in text.split(","):
                    kind, _, n = part.partition("=")
                    counts[kind] += int(n)
        partial = {}
        for cell in (cut or "").split(",") if cut else ():
            cx, cy = cell.split(" ")
            partial[(int(cx), int(cy))] = {""}
        self._joined_clusters = clusters
        self._set_cells(counts, {}, partial)

    def _set_cells(self, counts: Counter, cells: Cells, partial: dict) -> None:
        self.counts = dict(counts)
        self.lower = sum(counts.values())
        self._cells = cells
        self._partial = partial
        self.exact = not partial

    def settle(self) -> None:
        """Few enough inside for sure, too many maybe: read the points, up to one more than allowed."""
        params: list = []
        points = self._points_in(self.box, params, "code, item") + f" LIMIT {self.max_points + 1}"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_joined('code', '')}, {_joined('item')} FROM ({points}) p", params)
            self._read_points(*cursor.fetchone())

    def items(self) -> list[str]:
        if self._items is None:  # counted from cells only: read the points (few, as counted)
            self.settle()
        return self._items or []

    def clusters(self) -> list[str]:
        encoded = encoded_clusters(self.cells())
        return [self._joined_clusters, *encoded] if self._joined_clusters else encoded

    def cells(self) -> Cells:
        if self._cells is not None and not self._partial:
            return self._cells
        b = self.bbox
        s = shift(self.zoom)
        params: list = []
        if self._cells is not None:  # the cells the box cuts through: their points in the box
            cells = self._cells
            counts = Counter(self.counts)
            selects = []
            for (cx, cy), categories in self._partial.items():
                south, north, west, east = cell_bounds(cx, cy, self.zoom)
                box = [max(b.south, south), min(b.north, north), max(b.west, west), min(b.east, east)]
                sql = self._points_in(box, params, "x, y, category, lat, lon")
                params.extend([cx, cy])
                sql += f" AND (x >> {s}) = %s AND (y >> {s}) = %s"
                if "" not in categories:
                    params.extend(sorted(categories))
                    sql += f" AND category IN ({_marks(categories)})"
                selects.append(sql)
            source = " UNION ALL ".join(selects)
        else:  # every point in the box
            cells = {}
            counts = Counter()
            source = self._points_in(self.box, params, "x, y, category, lat, lon")
        sql = (
            f"SELECT x >> {s}, y >> {s}, category, COUNT(*), SUM(lat), SUM(lon) FROM ({source}) r"
            f" GROUP BY x >> {s}, y >> {s}, category"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for cx, cy, category, count, lat_sum, lon_sum in cursor.fetchall():
                add_to_cell(cells, (cx, cy), count, lat_sum, lon_sum)
                counts[category] += count
        if self._items is None:
            self.counts = dict(counts)
        self.exact = True
        self._cells, self._partial = cells, {}
        return cells
