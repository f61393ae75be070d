"""Writes and lookups on territories and communes: imports from open data, point-in-commune."""

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from shapely.geometry import Point, shape

from sohosolo.core.page_cache import page_cache_bump
from sohosolo.core.text import search_key

from .models import Commune, Territory, figures_cache_key


class ImportFileError(Exception):
    """The file as a whole cannot be read: nothing is applied."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        return (
            f"{self.created} créée(s), {self.updated} mise(s) à jour, {self.unchanged} inchangée(s), "
            f"{self.skipped} ignorée(s)"
        )


Progress = Callable[[int, int], None]
IMPORTED_FIELDS = [
    "territory_id", "name", "search_name", "departement", "postcodes", "population", "epci_code", "epci_name",
    "lat", "lon", "boundary", "min_lat", "max_lat", "min_lon", "max_lon", "area_km2", "townhall_address",
    "townhall_lat", "townhall_lon", "townhall_phone", "townhall_email", "townhall_website",
    "townhall_opening_hours",
]  # fmt: skip


def _float(value, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} invalide ({value!r})") from None
    if not low <= number <= high:
        raise ValueError(f"{name} hors limites ({number})")
    return number


def _optional_int(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} invalide ({value!r})") from None
    if number < 0:
        raise ValueError(f"{name} négative ({number})")
    return number


def _optional_float(value, name: str) -> float | None:
    return None if value in (None, "") else _float(value, name, 0, 1e7)


def _code(value, departement: str | None = None) -> str:
    code = str(value or "").strip()
    if not (len(code) == 5 and code[:2].isalnum() and code[2:].isdigit()):
        raise ValueError(f"code INSEE invalide ({value!r})")
    return code


def _bbox(geometry: dict | None, lon: float, lat: float) -> dict:
    if not geometry:
        return {"min_lon": lon, "max_lon": lon, "min_lat": lat, "max_lat": lat}
    min_lon, min_lat, max_lon, max_lat = shape(geometry).bounds
    return {"min_lon": min_lon, "max_lon": max_lon, "min_lat": min_lat, "max_lat": max_lat}


def _from_feature(feature: dict) -> dict:
    props = feature.get("properties") or {}
    code = _code(props.get("insee"))
    name = str(props.get("name") or "").strip()
    if not name:
        raise ValueError("nom manquant")
    centre = props.get("centre") or []
    if len(centre) != 2:
        raise ValueError("centre manquant")
    lon = _float(centre[0], "longitude", -180, 180)
    lat = _float(centre[1], "latitude", -90, 90)
    geometry = feature.get("geometry")
    if geometry is not None:
        try:
            geom = shape(geometry)
        except Exception as exc:  # noqa: BLE001 - shapely raises several kinds
            raise ValueError(f"contour illisible ({exc})") from None
        if not geom.is_valid and not geom.buffer(0).is_valid:
            raise ValueError("contour invalide")
    townhall = props.get("townhall") or {}
    return {
        "code": code,
        "name": name,
        "departement": code[:2],
        "postcodes": [str(p) for p in props.get("postcodes") or []],
        "population": _optional_int(props.get("population"), "population"),
        "epci_code": str(props.get("epci_code") or ""),
        "epci_name": str(props.get("epci_name") or ""),
        "lat": lat,
        "lon": lon,
        "boundary": geometry,
        **_bbox(geometry, lon, lat),
        "area_km2": _optional_float(props.get("area_km2"), "superficie"),
        "townhall_address": str(townhall.get("address") or "").strip(),
        "townhall_lat": townhall.get("lat"),
        "townhall_lon": townhall.get("lon"),
        "townhall_phone": str(townhall.get("phone") or ""),
        "townhall_email": str(townhall.get("email") or ""),
        "townhall_website": str(townhall.get("website") or ""),
        "townhall_opening_hours": townhall.get("opening_hours") or [],
    }


def _from_csv_row(row: dict) -> dict:
    code = _code(row.get("insee"))
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError("nom manquant")
    lon = _float(row.get("lon"), "longitude", -180, 180)
    lat = _float(row.get("lat"), "latitude", -90, 90)
    return {
        "code": code,
        "name": name,
        "departement": (row.get("departement") or "").strip(),
        "postcodes": (row.get("postcodes") or "").split(),
        "population": _optional_int(row.get("population"), "population"),
        "epci_code": (row.get("epci") or "").strip(),
        "epci_name": "",
        "lat": lat,
        "lon": lon,
        "boundary": None,
        **_bbox(None, lon, lat),
        "area_km2": _optional_float(row.get("area_km2"), "superficie"),
    }


def read_geojson(path: Path) -> Iterable[tuple[int, dict]]:
    """Yield (feature number, feature) after reading the whole file; raise ImportFileError if unreadable."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"fichier GeoJSON illisible : {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFileError("le fichier n'est pas une FeatureCollection GeoJSON")
    return list(enumerate(data.get("features") or [], start=1))


CSV_COLUMNS = {"insee", "name", "departement", "population", "postcodes", "epci", "lat", "lon", "area_km2"}


def read_csv(path: Path, departement: str | None = None) -> list[tuple[int, dict]]:
    """Return (line number, row) for the rows of a département; raise ImportFileError if unreadable."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = CSV_COLUMNS - set(reader.fieldnames or [])
            if missing:
                raise ImportFileError(f"colonnes manquantes : {', '.join(sorted(missing))}")
            rows = [
                (reader.line_num, row)
                for row in reader
                if departement is None or (row.get("departement") or "").strip() == departement
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(f"fichier CSV illisible : {exc}") from exc
    return rows


def _apply(
    *, parsed: list[tuple[int, dict]], territory: Territory, country: str, progress: Progress | None
) -> ImportReport:
    report = ImportReport()
    existing = {
        c.code: c for c in Commune.objects.filter(country=country, code__in=[v["code"] for _, v in parsed])
    }
    to_create, to_update, seen, moved_from = [], [], set(), set()
    total = len(parsed)
    for index, (line, values) in enumerate(parsed, start=1):
        if values["code"] in seen:
            report.errors.append(RowError(line, f"code {values['code']} en double dans le fichier"))
            continue
        seen.add(values["code"])
        values = {**values, "territory_id": territory.pk, "search_name": search_key(values["name"])}
        commune = existing.get(values["code"])
        if commune is None:
            to_create.append(Commune(country=country, **values))
            report.created += 1
        else:
            changed = [f for f in IMPORTED_FIELDS if f in values and getattr(commune, f) != values[f]]
            if "territory_id" in changed:
                moved_from.add(commune.territory_id)
            for f in changed:
                setattr(commune, f, values[f])
            if changed:
                to_update.append(commune)
                report.updated += 1
            else:
                report.unchanged += 1
        if progress and (index % 500 == 0 or index == total):
            progress(index, total)
    with transaction.atomic():
        Commune.objects.bulk_create(to_create, batch_size=500)
        Commune.objects.bulk_update(to_update, IMPORTED_FIELDS, batch_size=500)
        if moved_from:
            # Communes moved between territories take their services along: the map's index follows.
            from sohosolo.maps.index import index_rebuild

            index_rebuild({territory.pk, *moved_from})
        transaction.on_commit(lambda: cache.delete(figures_cache_key(territory.pk)))
        transaction.on_commit(page_cache_bump)
    return report


def _parse(rows, parser) -> tuple[list[tuple[int, dict]], list[RowError]]:
    parsed, errors = [], []
    for line, raw in rows:
        try:
            parsed.append((line, parser(raw)))
        except (ValueError, TypeError, AttributeError) as exc:
            errors.append(RowError(line, str(exc)))
    return parsed, errors


def communes_import_geojson(
    *, path: Path, territory: Territory, country: str = "FR", progress: Progress | None = None
) -> ImportReport:
    """Create or update the communes of a GeoJSON FeatureCollection (see data/README.md) in a territory."""
    parsed, errors = _parse(read_geojson(path), _from_feature)
    report = _apply(parsed=parsed, territory=territory, country=country, progress=progress)
    report.errors[:0] = errors
    return report


def communes_import_csv(
    *,
    path: Path,
    territory: Territory,
    departement: str,
    country: str = "FR",
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update the communes of one département from the national CSV (centres, no boundaries)."""
    parsed, errors = _parse(read_csv(path, departement), _from_csv_row)
    report = _apply(parsed=parsed, territory=territory, country=country, progress=progress)
    report.errors[:0] = errors
    return report


def commune_at_point(*, lon: float, lat: float, territory: Territory | None = None) -> Commune | None:
    """Return the commune whose boundary contains the point, or None (shapely, no GDAL)."""
    candidates = Commune.objects.containing_bbox(lon, lat).filter(boundary__isnull=False)
    if territory is not None:
        candidates = candidates.of_territory(territory)
    point = Point(lon, lat)
    for commune in candidates:
        if shape(commune.boundary).covers(point):
            return commune
    return None


@transaction.atomic
def territories_load_sample() -> list[tuple[Territory, str]]:
    """Create or update the sample territories' settings; return (territory, département) pairs."""
    from .sample import SAMPLE_TERRITORIES

    loaded = []
    for spec in SAMPLE_TERRITORIES:
        defaults = {
            "hostnames": spec["hostnames"],
            "colour": spec["colour"],
            "yearly_goal_families": spec["yearly_goal_families"],
            "main_cities": spec["main_cities"],
            "languages": ["fr", "en", "es", "pt"],
            "default_language": "fr",
            "time_zone": "Europe/Paris",
            "is_sample": True,
        }
        for lang in ("fr", "en", "es", "pt"):
            defaults[f"name_{lang}"] = spec["name"][lang]
            defaults[f"description_{lang}"] = spec["description"][lang]
        territory, _ = Territory.objects.update_or_create(slug=spec["slug"], defaults=defaults)
        loaded.append((territory, spec["departement"]))
    return loaded
