"""GET /api/v1/events and /api/v1/events/{id}: occurrences of published series, paginated like the
other public lists, with seats left, times with their offset, and 422 on a bad query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sohosolo.events.models import EventKind

from . import agenda_helpers as helpers
from .agenda_helpers import add_registrations, make_occurrence, make_series, paris

pytestmark = pytest.mark.django_db
frozen = helpers.frozen
scenario = helpers.scenario

EVENTS = "/api/v1/events"
FIELDS = {
    "id", "series", "title", "description", "kind", "kind_label", "territory", "village", "starts_at", "ends_at",
    "timezone", "place", "lat", "lon", "online", "audience", "capacity", "seats_left", "status", "cancel_reason",
    "url", "ics_url", "is_sample",
}  # fmt: skip


def get(client, path=EVENTS, **params):
    return client.get(path, params)


def item_ids(body) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_the_list_is_upcoming_events_of_published_series_soonest_first(client, scenario):
    response = get(client, territory="gers")

    body = response.json()
    s = scenario
    assert response.status_code == 200
    assert set(body) == {"count", "page", "page_size", "next", "previous", "items"}
    expected = [s.nov25, s.club_dec4, s.dec9, s.workshop_dec10, s.dec23, s.jan6, s.far]
    assert item_ids(body) == [o.pk for o in expected]
    assert body["count"] == 7


def test_an_event_has_public_fields_with_local_times(client, scenario):
    body = get(client, territory="gers").json()

    item = next(i for i in body["items"] if i["id"] == scenario.nov25.pk)
    assert set(item) == FIELDS
    assert item == {
        **item,
        "series": "mercredis",
        "title": "Mercredi de l'installation",
        "kind": "info_meeting",
        "kind_label": "réunion d'information",
        "territory": "gers",
        "village": None,
        "starts_at": "2026-11-25T18:00:00+01:00",
        "ends_at": "2026-11-25T19:30:00+01:00",
        "timezone": "Europe/Paris",
        "place": helpers.CCI,
        "lat": 43.6465,
        "lon": 0.5855,
        "online": False,
        "audience": "public",
        "capacity": 2,
        "seats_left": 0,
        "status": "scheduled",
        "url": f"http://testserver/fr/agenda/mercredis/{scenario.nov25.pk}/",
        "ics_url": f"http://testserver/fr/agenda/{scenario.nov25.pk}.ics",
    }
    summer = get(client, territory="gers", **{"from": "2027-06-01"}).json()["items"][0]
    assert summer["starts_at"] == "2027-06-23T18:00:00+02:00"  # 18:00 in summer time too


def test_cancelled_members_only_and_online_events_say_so(client, scenario):
    items = {i["id"]: i for i in get(client, territory="gers").json()["items"]}

    cancelled = items[scenario.dec23.pk]
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "Congés de fin d'année"
    club = items[scenario.club_dec4.pk]
    assert club["audience"] == "members" and club["village"] == scenario.village.slug
    workshop = items[scenario.workshop_dec10.pk]
    assert workshop["online"] is True and workshop["place"] == "" and workshop["lat"] is None
    assert "visio.exemple.fr" not in str(items)  # the link goes to registrants only
    assert items[scenario.dec9.pk]["seats_left"] == 29


def test_without_a_territory_every_territory_is_listed(client, scenario):
    ids = item_ids(get(client, page_size=100).json())

    assert scenario.landes.pk in ids and scenario.draft.pk not in ids and scenario.past.pk not in ids


def test_filters_kind_village_and_dates(client, scenario):
    s = scenario
    assert item_ids(get(client, kind=EventKind.CLUB).json()) == [s.club_dec4.pk]
    assert item_ids(get(client, village=s.village.slug).json()) == [s.club_dec4.pk]
    december = get(client, territory="gers", **{"from": "2026-12-01", "to": "2026-12-31"}).json()
    assert item_ids(december) == [s.club_dec4.pk, s.dec9.pk, s.workshop_dec10.pk, s.dec23.pk]
    one_day = get(client, territory="gers", **{"from": "2026-12-09", "to": "2026-12-09"}).json()
    assert item_ids(one_day) == [s.dec9.pk]
    history = get(client, territory="gers", **{"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert item_ids(history) == [s.past.pk, s.nov25.pk]  # "from" in the past shows past dates


def test_the_list_is_paginated(client, scenario):
    first = get(client, territory="gers", page_size=2).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 7 and len(first["items"]) == 2 and first["previous"] is None
    assert "page=2" in first["next"] and "territory=gers" in first["next"]
    assert item_ids(second) == [scenario.dec9.pk, scenario.workshop_dec10.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "demain"}, "to"),
        ({"from": "2026-12-10", "to": "2026-12-01"}, "to"),
        ({"kind": "castle"}, "kind"),
        ({"territory": "atlantide"}, "territory"),
        ({"page_size": "101"}, "page_size"),
    ],
)
def test_a_bad_query_gets_a_422_that_names_the_field(client, scenario, params, field):
    response = get(client, **params)

    assert response.status_code == 422
    assert {error["loc"][-1] for error in response.json()["detail"]} == {field}


def test_one_event_by_id(client, scenario):
    response = client.get(f"{EVENTS}/{scenario.dec23.pk}")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled" and set(response.json()) == FIELDS
    assert client.get(f"{EVENTS}/{scenario.past.pk}").status_code == 200  # past dates stay readable


@pytest.mark.parametrize("which", ["draft", "missing"])
def test_an_unpublished_or_missing_event_is_404(client, scenario, which):
    pk = scenario.draft.pk if which == "draft" else 999999

    assert client.get(f"{EVENTS}/{pk}").status_code == 404


def test_titles_come_in_the_reader_language_else_french(client, scenario):
    scenario.mercredis.title_en = "Moving-in Wednesdays"
    scenario.mercredis.save()

    items = get(client, territory="gers").json()["items"]
    english = client.get(EVENTS, {"territory": "gers"}, HTTP_ACCEPT_LANGUAGE="en").json()["items"]

    assert items[0]["title"] == "Mercredi de l'installation"
    assert english[0]["title"] == "Moving-in Wednesdays" and english[0]["url"].startswith(
        "http://testserver/en/"
    )
    assert next(i for i in english if i["series"] == "club-soho-solo")["title"] == "Club Soho Solo"


def test_the_query_count_does_not_grow_with_the_events(client, gers, frozen):
    series = make_series(gers, "quotidien", rrule="FREQ=DAILY")
    add_registrations(make_occurrence(series, paris(2026, 12, 1)), 1)
    client.get(EVENTS)
    with CaptureQueriesContext(connection) as one:
        client.get(EVENTS, {"page_size": 100})
    for day in range(2, 31):
        add_registrations(make_occurrence(series, paris(2026, 12, day)), 1)
    with CaptureQueriesContext(connection) as thirty:
        assert len(client.get(EVENTS, {"page_size": 100}).json()["items"]) == 30

    assert len(one) == len(thirty) <= 3


def test_the_openapi_schema_documents_the_events(client, gers):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/events"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"territory", "from", "to", "kind", "village", "page", "page_size"} <= names
    assert "/api/v1/events/{occurrence_id}" in schema["paths"]
    assert operation["tags"] == ["events"]
