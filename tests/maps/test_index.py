"""The map's index of services (maps.ServicePoint, maps.ServiceCell) follows every kind of write, and
the endpoint's answers read from it are exactly those of the services themselves."""

import json
import random

import pytest
from django.core.management import call_command

from sohosolo.maps.features import MAX_POINTS, BBox, map_features
from sohosolo.maps.filters import MapFilters
from sohosolo.maps.grid import cell_of, cluster_item, dumps, point_item
from sohosolo.maps.index import CELL_MAX_ZOOM, KIND_CODES, index_rebuild, parse_kinds
from sohosolo.maps.models import ServiceCell, ServicePoint
from sohosolo.services.models import Category, Service
from tests.territories.factories import TerritoryFactory

from .factories import bulk_services, make_commune, make_service

pytestmark = pytest.mark.django_db


def point(service: Service) -> ServicePoint:
    return ServicePoint.objects.get(pk=service.pk)


def cell_table() -> dict:
    """The index's cells: (territory, category, zoom, cx, cy) → (n, kinds, rounded sums, parent extent)."""
    return {
        (c.territory_id, c.category, c.zoom, c.cx, c.cy): (
            c.n,
            dict(parse_kinds(c.kinds)),
            round(c.lat_sum, 6),
            round(c.lon_sum, 6),
        )
        for c in ServiceCell.objects.all()
    }


def check_invariants() -> None:
    """Every cell counts its points, its extent bounds them, and holds its parent's extent."""
    cells = {(c.territory_id, c.category, c.zoom, c.cx, c.cy): c for c in ServiceCell.objects.all()}
    points = list(ServicePoint.objects.all())
    expected: dict[tuple, list] = {}
    for p in points:
        for zoom in range(CELL_MAX_ZOOM + 1):
            cx, cy = cell_of(p.lat, p.lon, zoom)
            for category in ("", p.category):
                expected.setdefault((p.territory_id, category, zoom, cx, cy), []).append(p)
    assert set(cells) == set(expected)
    for key, members in expected.items():
        cell = cells[key]
        assert cell.n == len(members)
        assert all(
            cell.min_lat <= p.lat <= cell.max_lat and cell.min_lon <= p.lon <= cell.max_lon for p in members
        )
        assert json.loads(cell.cluster)[2] == cell.n
        if cell.zoom:
            t, c, z, x, y = key
            parent = cells[(t, c, z - 1, x >> 1, y >> 1)]
            assert (cell.parent_min_lat, cell.parent_max_lat, cell.parent_min_lon, cell.parent_max_lon) == (
                parent.min_lat,
                parent.max_lat,
                parent.min_lon,
                parent.max_lon,
            )
        else:
            assert cell.parent_min_lat is None


def test_a_saved_service_is_indexed_with_its_map_item(gers):
    commune = make_commune(gers, lat=43.6, lon=0.6)
    service = make_service(
        commune, Category.BAKERY, name="  Boulangerie   de la place  ", lat=43.612345678, lon=0.61
    )

    indexed = point(service)
    assert indexed.territory_id == gers.pk
    assert indexed.code == KIND_CODES["bakery"]
    assert indexed.item == dumps(point_item(service.pk, 43.612345678, 0.61, "bakery", service.name))
    assert json.loads(indexed.item) == [service.pk, 43.61235, 0.61, "bakery", "Boulangerie de la place"]
    check_invariants()


def test_moving_renaming_and_deleting_a_service_follow_in_the_index(gers):
    commune = make_commune(gers, lat=43.6, lon=0.6)
    service = make_service(commune, Category.DOCTOR, name="Cabinet")
    other = make_service(commune, Category.DOCTOR, name="Autre cabinet", lat=43.7, lon=0.7)

    service.lat, service.lon, service.name = 44.1, 1.2, "Cabinet médical"
    service.save()
    assert json.loads(point(service).item) == [service.pk, 44.1, 1.2, "doctor", "Cabinet médical"]
    check_invariants()

    service.category = Category.DENTIST
    service.save(update_fields=["category"])
    assert point(service).category == "dentist"
    check_invariants()

    service.delete()
    assert not ServicePoint.objects.filter(pk=service.pk).exists()
    check_invariants()
    assert ServiceCell.objects.filter(category="", zoom=0).get().n == 1
    other.delete()
    assert not ServiceCell.objects.exists()


def test_bulk_writes_are_indexed_too(gers):
    commune = make_commune(gers, lat=43.6, lon=0.6)
    bulk_services(commune, 30)  # bulk_create
    assert ServicePoint.objects.count() == 30
    check_invariants()

    Service.objects.filter(pk__in=list(Service.objects.values_list("pk", flat=True)[:10])).update(lat=44.0)
    assert ServicePoint.objects.filter(lat=44.0).count() == 10
    check_invariants()

    services = list(Service.objects.all()[:5])
    for s in services:
        s.name = "Renommé"
        s.lon = 1.3
    Service.objects.bulk_update(services, ["name", "lon"])
    assert ServicePoint.objects.filter(lon=1.3, item__contains='"Renommé"').count() == 5
    check_invariants()

    Service.objects.filter(lat=44.0).delete()
    assert ServicePoint.objects.count() == 20
    check_invariants()


def test_a_large_bulk_write_rebuilds_its_territories_index(gers, landes):
    bulk_services(make_commune(gers, lat=43.6, lon=0.6), 400)
    make_service(make_commune(landes, lat=43.9, lon=-0.5), Category.BANK)

    assert ServicePoint.objects.filter(territory=gers).count() == 400
    check_invariants()
    Service.objects.filter(commune__territory=gers).delete()
    assert list(ServicePoint.objects.values_list("territory_id", flat=True)) == [landes.pk]
    check_invariants()


def test_a_commune_moved_to_another_territory_takes_its_services_points(gers):
    commune = make_commune(gers, lat=43.6, lon=0.6)
    service = make_service(commune, Category.MARKET)
    other = TerritoryFactory(slug="ailleurs")

    commune.territory = other
    commune.save()

    assert point(service).territory_id == other.pk
    check_invariants()


def test_the_incremental_index_equals_a_rebuild(gers, landes):
    rng = random.Random(5)
    communes = [
        make_commune(t, lat=43.5 + i / 10, lon=0.2 + i / 10) for t in (gers, landes) for i in range(3)
    ]
    services = [
        make_service(
            rng.choice(communes),
            rng.choice(Category.values),
            lat=43.5 + rng.random(),
            lon=0.2 + rng.random(),
        )
        for _ in range(40)
    ]
    for service in rng.sample(services, 10):
        service.lat, service.lon = 43.5 + rng.random(), 0.2 + rng.random()
        service.save()
    for service in rng.sample(services, 8):
        service.delete()
    check_invariants()
    incremental = cell_table()

    index_rebuild()

    assert cell_table() == incremental
    check_invariants()


def test_the_rebuild_command_recomputes_the_index(gers):
    make_service(make_commune(gers, lat=43.6, lon=0.6), Category.LIBRARY)
    ServiceCell.objects.all().delete()

    call_command("map_index_rebuild", "--territory", "gers", stdout=None)

    check_invariants()
    assert ServiceCell.objects.exists()


def _brute_force(services, bbox: BBox, zoom: int, kinds) -> dict:
    """What the endpoint must answer, computed from the services themselves."""
    inside = [
        s
        for s in services
        if bbox.south <= s.lat <= bbox.north and bbox.west <= s.lon <= bbox.east and s.category in kinds
    ]
    counts: dict[str, int] = {}
    for s in inside:
        counts[s.category] = counts.get(s.category, 0) + 1
    if len(inside) <= MAX_POINTS:
        return {
            "counts": counts,
            "items": sorted(
                json.loads(dumps(point_item(s.pk, s.lat, s.lon, s.category, s.name))) for s in inside
            ),
        }
    cells: dict[tuple, list] = {}
    for s in inside:
        cell = cells.setdefault(cell_of(s.lat, s.lon, zoom), [0, 0.0, 0.0])
        cell[0] += 1
        cell[1] += s.lat
        cell[2] += s.lon
    return {"counts": counts, "clusters": [json.loads(cluster_item(*cell)) for cell in cells.values()]}


def _same_clusters(expected: list, actual: list) -> bool:
    """The same cells and counts; centroids within a metre (merged categories are rounded once more)."""
    actual = list(actual)
    for lat, lon, n in expected:
        match = next(
            (c for c in actual if c[2] == n and abs(c[0] - lat) < 3e-5 and abs(c[1] - lon) < 3e-5), None
        )
        if match is None:
            return False
        actual.remove(match)
    return not actual


def test_answers_read_from_the_index_equal_those_of_the_services(gers):
    """Random boxes, zooms and layers over 1,500 services: points, clusters (cells wholly inside the box
    or cut by its edges), counts per layer, at zooms with and without the index's cells."""
    rng = random.Random(20)
    communes = [make_commune(gers, lat=43.0 + i * 0.3, lon=-0.5 + i * 0.3) for i in range(6)]
    Service.objects.bulk_create(
        Service(
            commune=rng.choice(communes),
            category=rng.choice(Category.values),
            name=f"Service n° {i}",
            lat=round(rng.gauss(43.7, 0.35), 6),
            lon=round(rng.gauss(0.6, 0.45), 6),
        )
        for i in range(1500)
    )
    services = list(Service.objects.all())
    filters = MapFilters(territory=gers)
    clustered = 0
    for _ in range(60):
        zoom = rng.randint(4, 15)
        width = 360 / 2**zoom * rng.uniform(1, 5)
        west, south = rng.uniform(-1.5, 1.5), rng.uniform(42.8, 44.4)
        bbox = BBox(west, south, west + width, south + width * 0.7)
        kinds = Category.values if rng.random() < 0.5 else rng.sample(Category.values, rng.randint(1, 6))

        body = json.loads(map_features(filters=filters, bbox=bbox, zoom=zoom, layers=kinds).to_json())

        expected = _brute_force(services, bbox, zoom, kinds)
        assert body["counts"] == expected["counts"], (bbox, zoom, kinds)
        assert body["count"] == sum(expected["counts"].values())
        if "clusters" in expected:
            clustered += 1
            assert body["clustered"] and body["items"] == []
            assert _same_clusters(expected["clusters"], body["clusters"]), (bbox, zoom, kinds)
        else:
            assert not body["clustered"]
            assert sorted(body["items"]) == expected["items"]
    assert clustered >= 5  # both kinds of answers were exercised


def test_every_category_has_its_own_letter():
    assert set(KIND_CODES) == set(Category.values)
    assert len(set(KIND_CODES.values())) == len(KIND_CODES)
    assert all(len(code) == 1 for code in KIND_CODES.values())
