"""GET /api/v1/map: compact points by bounding box, clusters above 500, the list's filters."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sohosolo.maps.features import MAX_POINTS
from sohosolo.services.models import Category
from tests.maps import conftest as map_fixtures
from tests.maps.factories import bulk_services, make_commune, make_offer, make_village

pytestmark = pytest.mark.django_db
scenario = map_fixtures.scenario  # the map tests' villages and offers, as a fixture here too

GERS_BBOX = "-0.5,43.0,1.6,44.3"
EVERYTHING = {"bbox": GERS_BBOX, "zoom": "9", "layers": "villages,housing,services"}


def get_map(client, **params):
    query = {**EVERYTHING, **params}
    return client.get("/api/v1/map", query)


def bytes_per_feature(response) -> float:
    return len(response.content) / len(response.json()["items"])


def field_names(response) -> set[str]:
    return {error["loc"][-1] for error in response.json()["detail"]}


@pytest.fixture
def many_points(gers):
    """A village with an offer and `n` services around it: 1 + 1 + n points."""

    def make(n: int):
        village = make_village(gers, name="Saint-Clar-de-Rivière-sur-Gimone", position=(43.6, 0.8))
        make_offer(village, title_fr="Grande maison de maître rénovée avec piscine et dépendances")
        bulk_services(village.commune, n)
        return village

    return make


def test_an_anonymous_visitor_gets_compact_points(client, gers, scenario):
    response = get_map(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["clustered"] is False and body["clusters"] == []
    assert body["count"] == len(body["items"])
    village = next(item for item in body["items"] if item[3] == "village" and item[0] == scenario.match.pk)
    assert village == [scenario.match.pk, 43.6, 0.95, "village", "Lavardens"]
    offer = next(item for item in body["items"] if item[3] == "housing" and item[0] == scenario.house_rent.pk)
    assert offer[4] == "Maison de village avec jardin"
    assert {item[3] for item in body["items"]} == {"village", "housing", "primary_school", "doctor"}
    # Services are context: the draft village's doctor and school are real places, shown too.
    assert body["counts"] == {"village": 4, "housing": 4, "primary_school": 4, "doctor": 5}


def test_positions_are_rounded_to_5_decimals_and_labels_shortened(client, gers, many_points):
    many_points(3)

    body = get_map(client).json()

    for _id, lat, lon, _kind, label in body["items"]:
        assert round(lat, 5) == lat and round(lon, 5) == lon
        assert len(label) <= 32
    labels = {item[4] for item in body["items"]}
    assert "Grande maison de maître rénovée…" in labels
    assert '"Saint-Clar-de-Rivière-sur-Gimone"' in get_map(client).content.decode()  # UTF-8, not \\u escapes


def test_a_feature_costs_at_most_120_bytes(client, gers, many_points, capsys):
    many_points(250)

    response = get_map(client)

    items = response.json()["items"]
    assert len(items) == 252
    per_feature = bytes_per_feature(response)
    with capsys.disabled():
        print(
            f"\n/api/v1/map: {len(response.content)} bytes for {len(items)} points = {per_feature:.1f} B/point"
        )
    assert per_feature <= 120


def test_the_worst_case_label_still_fits_in_120_bytes(client, gers, capsys):
    """32 two-byte characters, a 7-digit id, negative coordinates, the longest category code."""
    commune = make_commune(gers, name="Ééééééééééééééééééééééééééééééééééé", lat=-43.12345, lon=-0.12345)
    from sohosolo.services.models import Service

    Service.objects.bulk_create(
        Service(
            id=1_000_000 + i,
            commune=commune,
            category=Category.SPORTS_GROUND,
            name="é" * 80,
            lat=-43.123456 - i / 1e4,
            lon=-0.123456 - i / 1e4,
        )
        for i in range(300)
    )

    response = get_map(client, bbox="-1,-44,0,-43", layers="sports_ground")

    assert len(response.json()["items"]) == 300
    with capsys.disabled():
        print(f"\n/api/v1/map worst case: {bytes_per_feature(response):.1f} B/point")
    assert bytes_per_feature(response) <= 120


def test_more_than_500_points_in_view_come_as_clusters(client, gers, many_points, capsys):
    many_points(MAX_POINTS + 50)

    response = get_map(client, zoom="9")
    with capsys.disabled():
        clusters = len(response.json()["clusters"])
        print(
            f"\n/api/v1/map clustered: {len(response.content)} bytes for {MAX_POINTS + 52} points, {clusters} cells"
        )

    body = response.json()
    assert body["clustered"] is True
    assert body["items"] == []
    assert body["count"] == MAX_POINTS + 52
    assert sum(cluster[2] for cluster in body["clusters"]) == MAX_POINTS + 52
    assert 1 < len(body["clusters"]) < 60
    for lat, lon, n in body["clusters"]:
        assert 43.4 < lat < 43.8 and 0.6 < lon < 1.0 and n >= 1
    # A closer zoom makes smaller cells, hence more clusters.
    closer = get_map(client, zoom="12").json()
    assert closer["clustered"] is True and len(closer["clusters"]) > len(body["clusters"])


def test_zooming_in_until_500_or_fewer_points_are_in_view_gives_points_again(client, gers, many_points):
    many_points(MAX_POINTS + 50)

    response = get_map(client, bbox="0.69,43.49,0.8,43.6", zoom="13")

    body = response.json()
    assert body["clustered"] is False
    assert 0 < len(body["items"]) <= MAX_POINTS


def test_the_query_count_does_not_depend_on_the_number_of_results(client, gers):
    village = make_village(gers, name="Village", position=(43.6, 0.8))
    make_offer(village)
    client.get("/api/v1/map", EVERYTHING)  # warms the host-to-territory table

    def queries(**params) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as captured:
            body = get_map(client, **params).json()
        return len(captured), body

    filters = {"fibre": "0", "city": "Toulouse", "max_minutes": "120", "max_price": "5000"}
    one, body = queries(layers="primary_school", **filters)
    assert body["count"] == 0
    from sohosolo.services.models import Service

    Service.objects.create(
        commune=village.commune, category="primary_school", name="École", lat=43.6, lon=0.8
    )
    one, body = queries(layers="primary_school", **filters)
    assert body["count"] == 1
    bulk_services(village.commune, 199, category="primary_school")
    two_hundred, body = queries(layers="primary_school", **filters)
    assert body["count"] == 200
    bulk_services(village.commune, 400, category="primary_school")
    clustered, body = queries(layers="primary_school", **filters)
    assert body["clustered"] is True

    assert one == two_hundred == clustered, (one, two_hundred, clustered)
    # All layers: two queries per source (count, then points or clusters) and the travel-time filter.
    everything, _ = queries(**filters)
    assert everything <= 10


def test_the_box_keeps_only_what_is_inside(client, gers, scenario):
    body = get_map(client, bbox="0.9,43.5,1.1,43.7").json()

    villages = {item[0] for item in body["items"] if item[3] == "village"}
    assert villages == scenario.village_ids(scenario.match, scenario.no_fibre, scenario.no_school)


def test_the_map_shows_the_territory_of_the_request_unless_told(client, gers, landes, scenario):
    landes_box = {"bbox": "-1.5,43.0,0.5,44.5", "layers": "villages"}

    default = get_map(client, **landes_box).json()
    told = get_map(client, territory="landes", **landes_box).json()
    by_host = client.get("/api/v1/map", {**EVERYTHING, **landes_box}, HTTP_HOST="landes.localhost").json()

    assert scenario.other_territory.pk not in {item[0] for item in default["items"]}
    assert {item[0] for item in told["items"]} == {scenario.other_territory.pk}
    assert {item[0] for item in by_host["items"]} == {scenario.other_territory.pk}


def test_drafts_expired_and_withdrawn_offers_never_reach_the_map(client, gers, scenario):
    body = get_map(client).json()

    ids = {(item[3], item[0]) for item in body["items"]}
    assert ("village", scenario.draft.pk) not in ids
    for offer in scenario.hidden:
        assert ("housing", offer.pk) not in ids


FILTER_CASES = [
    {},
    {"fibre": "1"},
    {"school": "1"},
    {"doctor": "1"},
    {"city": "Toulouse", "max_minutes": "60"},
    {"fibre": "1", "school": "1", "city": "Toulouse", "max_minutes": "60"},
    {"kind": "flat"},
    {"transaction": "rent", "max_price": "700"},
    {"fibre": "1", "transaction": "sale"},
]


@pytest.mark.parametrize(
    "filters", FILTER_CASES, ids=lambda f: "&".join(f"{k}={v}" for k, v in f.items()) or "none"
)
def test_the_map_and_the_results_list_give_the_same_villages_and_offers(client, gers, scenario, filters):
    api = get_map(client, layers="villages,housing", **filters).json()
    page = client.get("/fr/carte/", filters)

    map_villages = {item[0] for item in api["items"] if item[3] == "village"}
    map_offers = {item[0] for item in api["items"] if item[3] == "housing"}
    list_villages = {v.pk for v in page.context["villages"].paginator.object_list}
    list_offers = {o.pk for o in page.context["offers"].paginator.object_list}
    assert map_villages == list_villages
    assert map_offers == list_offers
    assert api["counts"].get("village", 0) == page.context["villages"].paginator.count


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "1,44,0,43"}, "bbox"),  # west > east
        ({"bbox": "0,43,1,200"}, "bbox"),
        ({"bbox": "-200,43,1,44"}, "bbox"),
        ({"bbox": "nan,43,1,44"}, "bbox"),
        ({"bbox": ""}, "bbox"),
        ({"zoom": "-1"}, "zoom"),
        ({"zoom": "21"}, "zoom"),
        ({"zoom": "près"}, "zoom"),
        ({"layers": "villages,castles"}, "layers"),
        ({"layers": ""}, "layers"),
        ({"territory": "atlantide"}, "territory"),
        ({"city": "Paris", "max_minutes": "60"}, "city"),
        ({"max_minutes": "60"}, "city"),
        ({"max_minutes": "0", "city": "Toulouse"}, "max_minutes"),
        ({"kind": "castle"}, "kind"),
        ({"transaction": "swap"}, "transaction"),
        ({"max_price": "-1"}, "max_price"),
        ({"fibre": "peut-être"}, "fibre"),
    ],
)
def test_a_bad_query_gets_a_422_that_names_the_field(client, gers, params, field):
    response = get_map(client, **params)

    assert response.status_code == 422
    assert field_names(response) == {field}


def test_bbox_and_zoom_are_required(client, gers):
    response = client.get("/api/v1/map", {"layers": "villages"})

    assert response.status_code == 422
    assert field_names(response) == {"bbox", "zoom"}


def test_empty_filter_fields_of_a_submitted_form_are_ignored(client, gers, scenario):
    response = get_map(client, fibre="", school="", city="Toulouse", max_minutes="", kind="", max_price="")

    assert response.status_code == 200
    assert response.json()["counts"]["village"] == 4


def test_the_openapi_document_describes_the_map_endpoint(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/map"]["get"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert {
        "bbox",
        "zoom",
        "layers",
        "territory",
        "fibre",
        "school",
        "doctor",
        "city",
        "max_minutes",
    } <= parameters
    assert {"kind", "transaction", "max_price"} <= parameters
    assert "422" in operation["responses"]


def test_the_response_is_valid_json_with_the_documented_keys(client, gers, scenario):
    body = json.loads(get_map(client).content)

    assert set(body) == {"count", "clustered", "counts", "items", "clusters"}


def test_the_map_has_its_own_rate_limit_bucket(client, gers, monkeypatch):
    from sohosolo.api.api import api
    from sohosolo.api.routers.map import router

    general = api.throttle[0]
    monkeypatch.setattr(general, "num_requests", 1)
    monkeypatch.setattr(general, "duration", 60)
    throttle = router.throttle[0]
    monkeypatch.setattr(throttle, "num_requests", 3)
    monkeypatch.setattr(throttle, "duration", 60)

    statuses = [get_map(client, layers="villages").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/v1/territories").status_code == 200  # the general bucket is untouched
