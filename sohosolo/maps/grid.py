"""The map's cluster grid and the compact encoding of a point: pure functions, no database.

Cells are squares on the Web Mercator map the visitor sees: at zoom z the world is 4 × 2^z cells wide
and high, a quarter of a 256-pixel tile, so about 64 pixels whatever the latitude. A position is kept
as two integers at the finest grid (zoom GRID_ZOOM); its cell at zoom z is then an integer shift,
which SQL computes as cheaply as Python (`x >> (GRID_ZOOM - z)`).
"""

import json
import math

GRID_ZOOM = 20
CELLS_PER_TILE_SIDE = 4  # 256-pixel tiles, 64-pixel cells
WORLD = (1 << GRID_ZOOM) * CELLS_PER_TILE_SIDE  # positions per axis: 0 … WORLD - 1
MAX_LATITUDE = 85.0511287798  # Web Mercator's limit
# Points are indexed by bands of longitude (the columns of the grid at zoom 7, about 0.7° wide): a box
# is then read as a few short index ranges instead of a strip across the whole territory.
BAND_SHIFT = GRID_ZOOM - 7
LABEL_LENGTH = 32


def position_x(lon: float) -> int:
    """The column of a longitude at the finest grid (0 at 180° W)."""
    x = int((lon + 180.0) / 360.0 * WORLD)
    return min(max(x, 0), WORLD - 1)


def position_y(lat: float) -> int:
    """The row of a latitude at the finest grid (0 at the top of the Mercator map, growing southwards)."""
    lat = min(max(lat, -MAX_LATITUDE), MAX_LATITUDE)
    radians = math.radians(lat)
    mercator = math.log(math.tan(radians) + 1.0 / math.cos(radians))
    y = int((1.0 - mercator / math.pi) / 2.0 * WORLD)
    return min(max(y, 0), WORLD - 1)


def shift(zoom: int) -> int:
    """Bits to drop from a position to get its cell at this zoom."""
    return GRID_ZOOM - min(max(zoom, 0), GRID_ZOOM)


def cell_of(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    s = shift(zoom)
    return position_x(lon) >> s, position_y(lat) >> s


def latitude_of(y: float) -> float:
    """The latitude of a row of the finest grid (the inverse of position_y, at the row's top edge)."""
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / WORLD))))


def cell_bounds(cx: int, cy: int, zoom: int) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a cell, a little wider than exact: a box to read its points in."""
    s = shift(zoom)
    margin = 1e-9
    west = (cx << s) / WORLD * 360.0 - 180.0
    east = ((cx + 1) << s) / WORLD * 360.0 - 180.0
    north = latitude_of(cy << s)
    south = latitude_of((cy + 1) << s)
    return south - margin, north + margin, west - margin, east + margin


def cell_range(
    *, west: float, south: float, east: float, north: float, zoom: int
) -> tuple[int, int, int, int]:
    """(x0, x1, y0, y1): the cells a box touches at this zoom, bounds included."""
    s = shift(zoom)
    return position_x(west) >> s, position_x(east) >> s, position_y(north) >> s, position_y(south) >> s


def short_label(text: str) -> str:
    """A point's label on the map: whitespace collapsed, at most LABEL_LENGTH characters."""
    text = " ".join((text or "").split())
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


def point_item(pk: int, lat: float, lon: float, kind: str, label: str) -> list:
    """A point as the endpoint sends it: [id, lat, lon, kind, short label], positions to 5 decimals."""
    return [pk, round(lat, 5), round(lon, 5), kind, short_label(label)]


def cluster_item(n: int, lat_sum: float, lon_sum: float) -> str:
    """A cluster as the endpoint sends it: [lat, lon, count], the centroid to 5 decimals."""
    return dumps([round(lat_sum / n, 5), round(lon_sum / n, 5), n])


def dumps(value) -> str:
    """The endpoint's JSON: compact, UTF-8 (no \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
