"""Public API lists: villages, services, housing offers and connectivity, paginated like /communes."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sohosolo.connectivity.models import ConnectivityCorrection
from sohosolo.housing.models import HousingOffer
from sohosolo.services.models import Category
from sohosolo.villages.models import MeasuredTravelTime
from tests.accounts.factories import UserFactory
from tests.maps import conftest as map_fixtures
from tests.maps.factories import bulk_services, give_fibre, make_commune, make_offer, make_village

pytestmark = pytest.mark.django_db
scenario = map_fixtures.scenario  # the map tests' villages and offers, as a fixture here too

LISTS = ["/api/v1/villages", "/api/v1/services", "/api/v1/housing", "/api/v1/connectivity"]


def field_names(response) -> set[str]:
    return {error["loc"][-1] for error in response.json()["detail"]}


@pytest.mark.parametrize("path", LISTS)
def test_an_anonymous_visitor_reads_every_list(client, gers, scenario, path):
    response = client.get(path)

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"count", "page", "page_size", "next", "previous", "items"}
    assert body["count"] == len(body["items"]) > 0


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("params", "field"),
    [({"territory": "atlantide"}, "territory"), ({"page_size": "101"}, "page_size"), ({"page": "0"}, "page")],
)
def test_a_bad_query_gets_a_422_that_names_the_field(client, gers, path, params, field):
    response = client.get(path, params)

    assert response.status_code == 422
    assert field_names(response) == {field}


def test_villages_are_published_ones_with_public_fields(client, gers, scenario):
    MeasuredTravelTime.objects.create(village=scenario.match, city="Toulouse", minutes=50)

    body = client.get("/api/v1/villages").json()

    slugs = {item["slug"] for item in body["items"]}
    assert slugs == {"lavardens", "sansfibre", "lointain", "sansecole", "landais"}
    item = next(i for i in body["items"] if i["slug"] == "lavardens")
    assert set(item) == {
        "slug", "name", "territory", "commune", "lat", "lon", "presentation", "product_title", "product_text",
        "travel_times", "url", "updated_at", "is_sample",
    }  # fmt: skip
    assert item["name"] == "Lavardens" and item["territory"] == "gers" and item["is_sample"] is True
    assert item["url"] == "http://testserver" + reverse("villages:detail", args=["lavardens"])
    toulouse = next(t for t in item["travel_times"] if t["city"] == "Toulouse")
    assert toulouse == {"city": "Toulouse", "minutes": 50, "measured": True}


def test_villages_filter_by_territory(client, gers, scenario):
    landes = client.get("/api/v1/villages", {"territory": "landes"}).json()

    assert [item["slug"] for item in landes["items"]] == ["landais"]


def test_services_list_their_category_in_the_reader_language_and_filter(client, gers, scenario):
    schools = client.get("/api/v1/services", {"territory": "gers", "category": "primary_school"}).json()
    english = client.get("/api/v1/services", {"category": "doctor"}, HTTP_ACCEPT_LANGUAGE="en").json()

    assert schools["count"] == 4
    assert {item["category_label"] for item in schools["items"]} == {"école primaire"}
    item = schools["items"][0]
    assert item["territory"] == "gers" and item["commune"].startswith("32")
    assert english["count"] == 6
    by_commune = client.get("/api/v1/services", {"commune": scenario.match.commune.code}).json()
    assert {i["category"] for i in by_commune["items"]} == {"primary_school", "doctor"}


def test_services_refuse_an_unknown_category(client, gers):
    response = client.get("/api/v1/services", {"category": "castle"})

    assert response.status_code == 422
    assert field_names(response) == {"category"}


def test_housing_lists_public_offers_only_without_private_fields(client, gers, scenario):
    offer = scenario.house_rent
    offer.author = UserFactory(email="auteur.prive@exemple.fr")
    offer.unpublished_reason = "motif interne"
    offer.save()
    offer.messages.create(name="Visiteuse", email="visiteuse@exemple.fr", message="Message privé")

    response = client.get("/api/v1/housing", {"page_size": 100})

    body = response.json()
    ids = {item["id"] for item in body["items"]}
    landes_offer = scenario.hidden[-1]  # public, in the Landes: listed platform-wide
    public = (
        scenario.house_rent,
        scenario.flat_sale,
        scenario.house_no_fibre,
        scenario.house_far,
        landes_offer,
    )
    assert ids == {o.pk for o in public}
    text = response.content.decode()
    for private in (
        "auteur.prive",
        "author",
        "motif interne",
        "Message privé",
        "visiteuse",
        "expiry_reminder",
    ):
        assert private not in text
    item = next(i for i in body["items"] if i["id"] == offer.pk)
    assert item["title"] == "Maison de village avec jardin"
    assert item["village"] == "lavardens" and item["territory"] == "gers"
    assert item["lat"] == round(offer.lat, 5)
    assert item["url"] == "http://testserver" + reverse("housing:detail", args=[offer.pk])
    assert "status" not in item


def test_the_landes_offer_is_listed_for_the_landes(client, gers, scenario):
    body = client.get("/api/v1/housing", {"territory": "landes"}).json()

    assert [item["title"] for item in body["items"]] == ["Offre landaise"]


def test_housing_filters(client, gers, scenario):
    flats = client.get("/api/v1/housing", {"kind": "flat"}).json()
    cheap = client.get(
        "/api/v1/housing", {"territory": "gers", "transaction": "rent", "max_price": 600}
    ).json()
    village = client.get("/api/v1/housing", {"village": "lointain"}).json()

    assert [i["id"] for i in flats["items"]] == [scenario.flat_sale.pk]
    assert {i["id"] for i in cheap["items"]} == {scenario.house_no_fibre.pk, scenario.house_far.pk}
    assert [i["id"] for i in village["items"]] == [scenario.house_far.pk]


def test_an_offer_leaves_the_list_when_it_expires(client, gers, scenario, time_machine):
    time_machine.move_to(scenario.house_rent.expires_at)

    ids = {i["id"] for i in client.get("/api/v1/housing", {"page_size": 100}).json()["items"]}

    assert scenario.house_rent.pk not in ids


def test_connectivity_per_commune_with_ground_checks_beside_it(client, gers, scenario):
    ConnectivityCorrection.objects.create(
        commune=scenario.match.commune,
        topic="Fibre",
        note="La fibre arrive rue de l'Église depuis mars.",
        checked_on=date(2025, 3, 10),
        author=UserFactory(email="benevole@exemple.fr"),
    )

    response = client.get("/api/v1/connectivity", {"commune": scenario.match.commune.code})

    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["fibre_share_pct"] == 80.0
    assert item["mobile"] == {"orange": "none", "sfr": "none", "bouygues": "none", "free": "none"}
    assert item["corrections"] == [
        {"topic": "Fibre", "note": "La fibre arrive rue de l'Église depuis mars.", "checked_on": "2025-03-10"}
    ]
    assert item["is_sample"] is True
    assert "benevole" not in response.content.decode()


def test_connectivity_filters_by_territory(client, gers, scenario):
    gers_rows = client.get("/api/v1/connectivity", {"territory": "gers"}).json()
    landes_rows = client.get("/api/v1/connectivity", {"territory": "landes"}).json()

    assert gers_rows["count"] == 4  # match, far, no_school, draft
    assert landes_rows["count"] == 1


def test_lists_are_paginated_with_next_and_previous_links(client, gers):
    commune = make_commune(gers, name="Grand-Bourg")
    bulk_services(commune, 25)

    first = client.get("/api/v1/services", {"page_size": 10}).json()
    last = client.get("/api/v1/services", {"page_size": 10, "page": 3}).json()

    assert first["count"] == 25 and len(first["items"]) == 10
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/services?page_size=10&page=2"
    assert len(last["items"]) == 5 and last["next"] is None
    assert last["previous"] == "http://testserver/api/v1/services?page_size=10&page=2"


def _grow(territory, n: int) -> None:
    for i in range(n):
        village = make_village(territory, name=f"Village {i}")
        give_fibre(village)
        MeasuredTravelTime.objects.create(village=village, city="Auch", minutes=30)
        offer = make_offer(village)
        ConnectivityCorrection.objects.create(commune=village.commune, topic="4G", note="Bonne réception")
        assert isinstance(offer, HousingOffer)
    bulk_services(make_commune(territory), n, category=Category.BAKERY)


@pytest.mark.parametrize("path", LISTS)
def test_a_list_takes_the_same_number_of_queries_for_1_or_100_per_page(client, gers, path):
    _grow(gers, 100)
    client.get(path)  # warms the host-to-territory table

    with CaptureQueriesContext(connection) as small:
        assert len(client.get(path, {"territory": "gers", "page_size": 1}).json()["items"]) == 1
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(path, {"territory": "gers", "page_size": 100}).json()["items"]) == 100

    assert len(large) == len(small) <= 5


def test_the_openapi_document_lists_the_public_lists(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    for path in LISTS:
        parameters = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"territory", "page", "page_size"} <= parameters, path
    assert {"category", "commune"} <= {
        p["name"] for p in schema["paths"]["/api/v1/services"]["get"]["parameters"]
    }
