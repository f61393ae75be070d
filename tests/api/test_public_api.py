import re

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sohosolo.api.api import api
from tests.accounts.factories import UserFactory
from tests.open_data import AUCH, SUBSET_SIZE
from tests.territories.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def field_names(response) -> set[str]:
    """The fields a 422 answer blames, from ninja's [{"loc": [..., field], ...}] detail."""
    return {error["loc"][-1] for error in response.json()["detail"]}


def test_the_api_lists_the_territories(client, sample_territories):
    response = client.get("/api/v1/territories")

    assert response.status_code == 200
    territories = {t["slug"]: t for t in response.json()}
    assert set(territories) == {"gers", "landes"}
    assert territories["landes"]["name"] == "Landes"
    assert territories["gers"]["is_sample"] is True
    assert territories["gers"]["languages"] == ["fr", "en", "es", "pt"]


def test_the_commune_list_is_paginated_with_links_to_the_next_and_previous_pages(client, gers_communes):
    first = client.get("/api/v1/communes", {"page_size": 15}).json()
    second = client.get("/api/v1/communes", {"page_size": 15, "page": 2}).json()
    last = client.get("/api/v1/communes", {"page_size": 15, "page": 3}).json()

    assert (first["count"], first["page"], first["page_size"]) == (SUBSET_SIZE, 1, 15)
    assert len(first["items"]) == 15
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/communes?page_size=15&page=2"
    assert second["previous"] == "http://testserver/api/v1/communes?page_size=15&page=1"
    assert len(last["items"]) == SUBSET_SIZE - 30
    assert last["next"] is None
    codes = [c["code"] for page in (first, second, last) for c in page["items"]]
    assert codes == sorted(codes)
    assert len(set(codes)) == SUBSET_SIZE


def test_the_default_page_size_is_20(client, gers_communes):
    body = client.get("/api/v1/communes").json()

    assert body["page_size"] == 20
    assert len(body["items"]) == 20


def test_a_commune_in_the_list_names_its_territory_and_carries_no_boundary(client, gers_communes):
    item = client.get("/api/v1/communes", {"name": "auch"}).json()["items"][0]

    assert item["code"] == AUCH
    assert item["territory"] == "gers"
    assert item["postcodes"] == ["32000"]
    assert "boundary" not in item


def test_the_commune_list_filters_by_territory(client, gers_communes, landes):
    CommuneFactory(territory=landes, code="40192", name="Mont-de-Marsan", postcodes=["40000"])

    gers = client.get("/api/v1/communes", {"territory": "gers", "page_size": 100}).json()
    landes_body = client.get("/api/v1/communes", {"territory": "landes"}).json()

    assert gers["count"] == SUBSET_SIZE
    assert {c["territory"] for c in gers["items"]} == {"gers"}
    assert [c["code"] for c in landes_body["items"]] == ["40192"]


def test_the_commune_list_filters_by_postcode(client, gers_communes):
    body = client.get("/api/v1/communes", {"postcode": "32000"}).json()

    assert body["count"] >= 1
    assert AUCH in [c["code"] for c in body["items"]]
    assert all("32000" in c["postcodes"] for c in body["items"])


def test_the_commune_list_filters_by_name_without_accents(client, gers_communes):
    body = client.get("/api/v1/communes", {"name": "castera"}).json()

    assert [c["name"] for c in body["items"]] == ["Castéra-Lectourois", "Castéra-Verduzan"]


def test_filters_combine(client, gers_communes):
    body = client.get(
        "/api/v1/communes", {"territory": "gers", "name": "castera", "postcode": "32410"}
    ).json()

    assert [c["name"] for c in body["items"]] == ["Castéra-Verduzan"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 500}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "deux"}, "page"),
        ({"postcode": "abc"}, "postcode"),
        ({"postcode": "3200"}, "postcode"),
        ({"territory": "unknown"}, "territory"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_a_bad_query_gets_a_422_that_names_the_field(client, sample_territories, params, field):
    response = client.get("/api/v1/communes", params)

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert field_names(response) == {field}


def test_an_unknown_territory_is_explained(client, sample_territories):
    response = client.get("/api/v1/communes", {"territory": "unknown"})

    assert response.json()["detail"][0]["msg"] == "Unknown territory: unknown"


def test_a_commune_detail_has_its_boundary_and_town_hall(client, gers_communes):
    response = client.get(f"/api/v1/communes/{AUCH}")

    body = response.json()
    assert response.status_code == 200
    assert body["name"] == "Auch"
    assert body["territory"] == "gers"
    assert body["boundary"]["type"] == "Polygon"
    assert set(body["townhall"]) == {"address", "lat", "lon", "phone", "email", "website", "opening_hours"}
    assert "32000 Auch" in body["townhall"]["address"]
    assert isinstance(body["townhall"]["opening_hours"], list)


def test_the_country_of_a_commune_may_be_given_in_lower_case(client, gers_communes):
    assert client.get(f"/api/v1/communes/{AUCH}", {"country": "fr"}).status_code == 200
    assert client.get(f"/api/v1/communes/{AUCH}", {"country": "BE"}).status_code == 404


def test_an_unknown_commune_code_is_a_json_404(client, gers_communes):
    response = client.get("/api/v1/communes/99999")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_listing_communes_takes_the_same_number_of_queries_for_5_or_100_per_page(client, gers):
    CommuneFactory.create_batch(100, territory=gers)
    client.get("/api/v1/communes")  # warms the host-to-territory table, cached across requests

    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/api/v1/communes", {"territory": "gers", "page_size": 5}).json()["items"]) == 5
    with CaptureQueriesContext(connection) as large:
        assert (
            len(client.get("/api/v1/communes", {"territory": "gers", "page_size": 100}).json()["items"])
            == 100
        )

    assert len(large) == len(small)


def test_the_openapi_document_lists_the_public_paths(client, db):
    response = client.get("/api/v1/openapi.json")

    schema = response.json()
    assert response.status_code == 200
    assert schema["info"]["title"] == "Soho Solo API"
    assert {"/api/v1/territories", "/api/v1/communes", "/api/v1/communes/{code}"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/communes"]["get"]["parameters"]}
    assert {"territory", "postcode", "name", "page", "page_size"} <= parameters


def test_the_api_docs_load_only_local_static_files(client, db):
    response = client.get("/api/v1/docs")

    body = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", body)
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", body)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset


def test_the_api_refuses_the_request_after_the_rate_limit(client, sample_territories, monkeypatch):
    throttle = api.throttle[0]
    monkeypatch.setattr(throttle, "rate", "3/m")
    monkeypatch.setattr(throttle, "num_requests", 3)
    monkeypatch.setattr(throttle, "duration", 60)

    statuses = [client.get("/api/v1/territories").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_the_rate_limit_counts_each_client_address_separately(client, sample_territories, monkeypatch):
    throttle = api.throttle[0]
    monkeypatch.setattr(throttle, "num_requests", 1)
    monkeypatch.setattr(throttle, "duration", 60)

    assert client.get("/api/v1/territories", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get("/api/v1/territories", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/api/v1/territories", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_rate_limit(
    client, sample_territories, monkeypatch
):
    throttle = api.throttle[0]
    monkeypatch.setattr(throttle, "num_requests", 1)
    monkeypatch.setattr(throttle, "duration", 60)

    assert client.get("/api/v1/territories", HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get("/api/v1/territories", HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429


def test_a_logged_in_user_reads_the_api_too(client, sample_territories):
    client.force_login(UserFactory())

    assert client.get("/api/v1/communes").status_code == 200


def test_the_rate_limit_lifts_once_the_window_has_passed(client, sample_territories, monkeypatch):
    throttle = api.throttle[0]
    monkeypatch.setattr(throttle, "num_requests", 1)
    monkeypatch.setattr(throttle, "duration", 60)

    with time_machine.travel("2026-03-02 10:00:00 +0100", tick=False) as traveller:
        assert client.get("/api/v1/territories").status_code == 200
        assert client.get("/api/v1/territories").status_code == 429
        traveller.shift(59)
        assert client.get("/api/v1/territories").status_code == 429
        traveller.shift(2)
        assert client.get("/api/v1/territories").status_code == 200
