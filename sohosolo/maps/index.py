"""Keep the map's index of services (maps.ServicePoint, maps.ServiceCell) in step with the services.

`index_sync(ids)` brings the index up to date for some services, whatever happened to them (created,
moved, renamed, deleted); it runs in the transaction of the write (see services/signals.py and
ServiceQuerySet). `index_rebuild()` recomputes the index of whole territories from the services.

A service contributes to one cell per zoom level 0…CELL_MAX_ZOOM, in two rows: its category's and the
all-categories row (category ""). Leaving a cell subtracts its count and position sums; the cell's
extent stays as it was (still a bound of its points), and the row goes when its count reaches zero.
"""

import contextlib
import contextvars
from collections import Counter
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Q

from .grid import BAND_SHIFT, GRID_ZOOM, cluster_item, dumps, point_item, position_x, position_y
from .models import ServiceCell, ServicePoint

# Each category in one letter, stored with its points: the map counts the points in view per category
# by counting letters. Fixed once given (stored in maps.ServicePoint): a new category takes a new letter.
KIND_CODES = {
    "creche": "a", "primary_school": "b", "college": "c", "lycee": "d", "doctor": "e", "pharmacy": "f",
    "dentist": "g", "hospital": "h", "grocery": "i", "bakery": "j", "market": "k", "post_office": "l",
    "bank": "m", "train_station": "n", "bus_line": "o", "coworking": "p", "library": "q",
    "sports_ground": "r", "restaurant": "s",
}  # fmt: skip
CELL_MAX_ZOOM = 12  # finer zooms cluster from the points themselves (few points in view)
REBUILD_ABOVE = 300  # a write touching more services rebuilds their territories' index instead
BATCH = 1000

_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("map_index_suspended", default=False)


@dataclass(frozen=True)
class PointState:
    territory_id: int
    category: str
    code: str
    lat: float
    lon: float
    x: int
    y: int
    band: int
    item: str


def _state(pk: int, territory_id: int, category: str, lat: float, lon: float, name: str) -> PointState:
    x = position_x(lon)
    return PointState(
        territory_id=territory_id,
        category=category,
        code=KIND_CODES[category],
        lat=lat,
        lon=lon,
        x=x,
        y=position_y(lat),
        band=x >> BAND_SHIFT,
        item=dumps(point_item(pk, lat, lon, category, name)),
    )


def _service_rows(queryset):
    return queryset.values_list("pk", "commune__territory_id", "category", "lat", "lon", "name").order_by()


def _current_states(ids) -> dict[int, PointState]:
    from sohosolo.services.models import Service

    return {row[0]: _state(*row) for row in _service_rows(Service.objects.filter(pk__in=ids))}


def _indexed_states(ids) -> dict[int, PointState]:
    rows = ServicePoint.objects.filter(pk__in=ids).values_list(
        "pk", "territory_id", "category", "code", "lat", "lon", "x", "y", "band", "item"
    )
    return {pk: PointState(*rest) for pk, *rest in rows}


@contextlib.contextmanager
def suspended():
    """Within the block, the per-service signal handlers leave the index alone (the caller syncs after)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def is_suspended() -> bool:
    return _suspended.get()


def _lock_territories(territory_ids) -> None:
    """Serialise index writes per territory where the database can (SQLite serialises writers anyway)."""
    if connection.features.has_select_for_update and territory_ids:
        from sohosolo.territories.models import Territory

        list(
            Territory.objects.select_for_update()
            .filter(pk__in=sorted(territory_ids))
            .order_by("pk")
            .values("pk")
        )


class _Delta:
    __slots__ = ("n", "lat", "lon", "extent", "kinds")

    def __init__(self):
        self.n = 0
        self.lat = 0.0
        self.lon = 0.0
        self.extent = None  # [min_lat, max_lat, min_lon, max_lon] of the points added
        self.kinds = Counter()

    def add(self, state: PointState, sign: int, kind: str | None) -> None:
        self.n += sign
        self.lat += sign * state.lat
        self.lon += sign * state.lon
        if kind is not None:
            self.kinds[kind] += sign
        if sign > 0:
            e = self.extent
            if e is None:
                self.extent = [state.lat, state.lat, state.lon, state.lon]
            else:
                e[0], e[1] = min(e[0], state.lat), max(e[1], state.lat)
                e[2], e[3] = min(e[2], state.lon), max(e[3], state.lon)


def _cell_keys(state: PointState):
    """(territory, category, zoom, cx, cy, kind) of the rows a point counts in; kind is set on "" rows."""
    for zoom in range(CELL_MAX_ZOOM + 1):
        s = GRID_ZOOM - zoom
        cx, cy = state.x >> s, state.y >> s
        yield (state.territory_id, state.category, zoom, cx, cy), None
        yield (state.territory_id, "", zoom, cx, cy), state.category


def format_kinds(kinds: Counter) -> str:
    return ",".join(f"{kind}={n}" for kind, n in sorted(kinds.items()) if n > 0)


def parse_kinds(text: str) -> Counter:
    counts = Counter()
    if text:
        for part in text.split(","):
            kind, _, n = part.partition("=")
            counts[kind] = int(n)
    return counts


def index_sync(ids) -> None:
    """Bring the index up to date for these service ids (existing, changed or deleted)."""
    ids = set(ids)
    if not ids:
        return
    if len(ids) > REBUILD_ABOVE:
        from sohosolo.services.models import Service

        territories = set()
        ordered = sorted(ids)
        for start in range(0, len(ordered), BATCH):  # short IN lists (SQLite's limit on parameters)
            chunk = ordered[start : start + BATCH]
            territories.update(
                ServicePoint.objects.filter(pk__in=chunk).values_list("territory_id", flat=True)
            )
            territories.update(
                Service.objects.filter(pk__in=chunk).values_list("commune__territory_id", flat=True)
            )
        index_rebuild(territories)
        return
    before = _indexed_states(ids)
    after = _current_states(ids)
    changed = [pk for pk in ids if before.get(pk) != after.get(pk)]
    if not changed:
        return
    with transaction.atomic():
        _lock_territories({s.territory_id for s in (*before.values(), *after.values())})
        deltas: dict[tuple, _Delta] = {}
        for pk in changed:
            for state, sign in ((before.get(pk), -1), (after.get(pk), 1)):
                if state is None:
                    continue
                for key, kind in _cell_keys(state):
                    delta = deltas.get(key)
                    if delta is None:
                        delta = deltas[key] = _Delta()
                    delta.add(state, sign, kind)
        _apply_cell_deltas(deltas)
        ServicePoint.objects.filter(pk__in=changed).delete()
        ServicePoint.objects.bulk_create(
            [ServicePoint(id=pk, **after[pk].__dict__) for pk in changed if pk in after], batch_size=BATCH
        )


def _apply_cell_deltas(deltas: dict[tuple, "_Delta"]) -> None:
    deltas = {key: d for key, d in deltas.items() if d.n or d.extent is not None or d.lat or d.lon}
    if not deltas:
        return
    existing = {_key(cell): cell for cell in _cells_with_keys(deltas)}
    extents_before = {cell.pk: _extent(cell) for cell in existing.values()}
    to_update, to_create, to_delete = [], [], []
    for key, delta in deltas.items():
        cell = existing.get(key)
        if cell is None:
            if delta.n > 0 and delta.extent is not None:
                t, c, z, x, y = key
                e = delta.extent
                to_create.append(
                    ServiceCell(
                        territory_id=t, category=c, zoom=z, cx=x, cy=y, n=delta.n,
                        lat_sum=delta.lat, lon_sum=delta.lon,
                        min_lat=e[0], max_lat=e[1], min_lon=e[2], max_lon=e[3],
                        kinds=format_kinds(delta.kinds) if c == "" else "",
                        cluster=cluster_item(delta.n, delta.lat, delta.lon),
                    )
                )  # fmt: skip
            continue
        cell.n += delta.n
        if cell.n <= 0:
            to_delete.append(cell.pk)
            continue
        cell.lat_sum += delta.lat
        cell.lon_sum += delta.lon
        if delta.extent is not None:
            e = delta.extent
            cell.min_lat, cell.max_lat = min(cell.min_lat, e[0]), max(cell.max_lat, e[1])
            cell.min_lon, cell.max_lon = min(cell.min_lon, e[2]), max(cell.max_lon, e[3])
        if cell.category == "":
            kinds = parse_kinds(cell.kinds)
            kinds.update(delta.kinds)
            cell.kinds = format_kinds(kinds)
        cell.cluster = cluster_item(cell.n, cell.lat_sum, cell.lon_sum)
        to_update.append(cell)
    # Children's rows keep their parent's extent: set it on new rows, and pass on grown extents.
    current = {_key(cell): cell for cell in [*to_update, *to_create]}
    for cell in to_create:
        if cell.zoom:
            _inherit(cell, current[_parent_key(_key(cell))])
    grown = {_key(c): c for c in to_update if _extent(c) != extents_before[c.pk]}
    for key, cell in current.items():
        parent = grown.get(_parent_key(key))
        if parent is not None:
            _inherit(cell, parent)
    wanted = {
        (t, c, z + 1, 2 * x + i, 2 * y + j)
        for (t, c, z, x, y) in grown
        if z < CELL_MAX_ZOOM
        for i in (0, 1)
        for j in (0, 1)
    } - set(deltas)  # rows touched here are done above (or deleted)
    for cell in _cells_with_keys(wanted):
        _inherit(cell, grown[_parent_key(_key(cell))])
        to_update.append(cell)
    if to_delete:
        ServiceCell.objects.filter(pk__in=to_delete).delete()
    if to_update:
        ServiceCell.objects.bulk_update(
            to_update,
            [
                "n", "lat_sum", "lon_sum", "min_lat", "max_lat", "min_lon", "max_lon", "parent_min_lat",
                "parent_max_lat", "parent_min_lon", "parent_max_lon", "kinds", "cluster",
            ],
            batch_size=BATCH,
        )  # fmt: skip
    if to_create:
        ServiceCell.objects.bulk_create(to_create, batch_size=BATCH)


def _key(cell: ServiceCell) -> tuple:
    return (cell.territory_id, cell.category, cell.zoom, cell.cx, cell.cy)


def _parent_key(key: tuple) -> tuple:
    t, c, z, x, y = key
    return (t, c, z - 1, x >> 1, y >> 1)


def _inherit(cell: ServiceCell, parent: ServiceCell) -> None:
    cell.parent_min_lat, cell.parent_max_lat = parent.min_lat, parent.max_lat
    cell.parent_min_lon, cell.parent_max_lon = parent.min_lon, parent.max_lon


def _extent(cell: ServiceCell) -> tuple:
    return (cell.min_lat, cell.max_lat, cell.min_lon, cell.max_lon)


def _cells_with_keys(keys) -> list[ServiceCell]:
    keys = list(keys)
    found = []
    for start in range(0, len(keys), 100):
        chunk = keys[start : start + 100]
        condition = reduce(
            or_, (Q(territory_id=t, category=c, zoom=z, cx=x, cy=y) for t, c, z, x, y in chunk)
        )
        found.extend(ServiceCell.objects.filter(condition))
    return found


def index_rebuild(territory_ids=None) -> int:
    """Recompute the index of these territories (all when None) from their services; the point count."""
    from sohosolo.services.models import Service

    services = Service.objects.all()
    points = ServicePoint.objects.all()
    cells = ServiceCell.objects.all()
    if territory_ids is not None:
        territory_ids = set(territory_ids)
        if not territory_ids:
            return 0
        services = services.filter(commune__territory_id__in=territory_ids)
        points = points.filter(Q(territory_id__in=territory_ids) | Q(pk__in=services.values("pk")))
        cells = cells.filter(territory_id__in=territory_ids)
    with transaction.atomic():
        _lock_territories(territory_ids or ())
        points.delete()
        cells.delete()
        point_rows, cell_rows = index_rows(_service_rows(services).iterator(chunk_size=2000))
        ServicePoint.objects.bulk_create((ServicePoint(**row) for row in point_rows), batch_size=BATCH)
        ServiceCell.objects.bulk_create((ServiceCell(**row) for row in cell_rows), batch_size=BATCH)
    return len(point_rows)


def index_rows(service_rows) -> tuple[list[dict], list[dict]]:
    """The index's rows (field values of ServicePoint and ServiceCell) for rows of services given as
    (id, territory id, category, lat, lon, name); also used by the migration that builds the index."""
    point_rows = []
    sums: dict[tuple, list] = {}
    for row in service_rows:
        state = _state(*row)
        point_rows.append({"id": row[0], **state.__dict__})
        for key, kind in _cell_keys(state):
            acc = sums.get(key)
            if acc is None:
                acc = sums[key] = [0, 0.0, 0.0, state.lat, state.lat, state.lon, state.lon, Counter()]
            acc[0] += 1
            acc[1] += state.lat
            acc[2] += state.lon
            acc[3] = min(acc[3], state.lat)
            acc[4] = max(acc[4], state.lat)
            acc[5] = min(acc[5], state.lon)
            acc[6] = max(acc[6], state.lon)
            if kind is not None:
                acc[7][kind] += 1
    cell_rows = []
    for (t, c, z, x, y), (n, lat, lon, a, b, w, e, kinds) in sums.items():
        parent = sums.get((t, c, z - 1, x >> 1, y >> 1)) if z else None
        cell_rows.append(
            {
                "territory_id": t, "category": c, "zoom": z, "cx": x, "cy": y, "n": n, "lat_sum": lat,
                "lon_sum": lon, "min_lat": a, "max_lat": b, "min_lon": w, "max_lon": e,
                "parent_min_lat": parent[3] if parent else None,
                "parent_max_lat": parent[4] if parent else None,
                "parent_min_lon": parent[5] if parent else None,
                "parent_max_lon": parent[6] if parent else None,
                "kinds": format_kinds(kinds) if c == "" else "",
                "cluster": cluster_item(n, lat, lon),
            }
        )  # fmt: skip
    return point_rows, cell_rows
