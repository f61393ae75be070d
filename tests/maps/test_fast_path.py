"""The map endpoint's short way through the middleware (sohosolo.maps.middleware) answers exactly as the
full stack does, and only when it may."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from sohosolo.maps import middleware as fast
from sohosolo.services.models import Category
from tests.accounts.factories import UserFactory
from tests.maps import conftest as map_fixtures

from .factories import bulk_services, make_offer, make_service

pytestmark = pytest.mark.django_db
scenario = map_fixtures.scenario

FAST = "sohosolo.maps.middleware.MapFastPathMiddleware"
GERS_BBOX = "-0.5,43.0,1.6,44.3"


def with_fast_path(middleware=None) -> list[str]:
    names = [name for name in (middleware or settings.MIDDLEWARE) if name != FAST]
    names.insert(names.index("django_permissions_policy.PermissionsPolicyMiddleware") + 1, FAST)
    return names


def without_fast_path() -> list[str]:
    return [name for name in settings.MIDDLEWARE if name != FAST]


@pytest.fixture
def answers(monkeypatch):
    """Get a URL with and without the short way (a client each: a client keeps its middleware); say
    which way answered. `user`: signed in on both."""
    calls = []
    original = fast.MapFastPathMiddleware._answer

    def spy(self, request):
        calls.append(request.get_full_path())
        return original(self, request)

    monkeypatch.setattr(fast.MapFastPathMiddleware, "_answer", spy)

    def get(path, user=None, **headers):
        responses = []
        for middleware in (without_fast_path(), with_fast_path()):
            calls.clear()
            with override_settings(MIDDLEWARE=middleware):
                client = Client()
                if user is not None:
                    client.force_login(user)
                responses.append(client.get(path, **headers))
        return *responses, bool(calls)

    return get


def same_answer(full, short) -> None:
    assert short.status_code == full.status_code
    assert short.content == full.content
    ignored = {"Date"}
    assert {k: v for k, v in short.items() if k not in ignored} == {
        k: v for k, v in full.items() if k not in ignored
    }


QUERIES = [
    f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&layers=villages,housing,services",
    f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&layers=services",
    f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&layers=doctor&fibre=1",
    f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&layers=villages,housing&city=Toulouse&max_minutes=60&kind=house",
    "/api/v1/map?bbox=-1.5,43.0,0.5,44.5&zoom=8&layers=villages&territory=landes",
    f"/api/v1/map?bbox={GERS_BBOX}&zoom=15&layers=housing&transaction=rent&max_price=&school=",
]


@pytest.mark.parametrize("path", QUERIES)
def test_the_short_way_answers_as_the_full_stack(answers, gers, scenario, path):
    full, short, took_short_way = answers(path)

    assert took_short_way
    assert full.status_code == 200
    same_answer(full, short)


def test_clusters_and_translated_labels_are_the_same_too(answers, gers, scenario):
    bulk_services(scenario.match.commune, 600)
    make_offer(scenario.match, title_fr="Maison en pierre", title_en="Stone house")

    clustered = answers(f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&layers=services,housing")
    english = answers(f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&layers=housing", HTTP_ACCEPT_LANGUAGE="en")

    for full, short, took_short_way in (clustered, english):
        assert took_short_way
        same_answer(full, short)
    assert clustered[1].json()["clustered"] is True
    assert "Stone house" in english[1].content.decode()
    assert english[1]["Content-Language"] == "en"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/map?bbox=1,2,3&zoom=9",  # 422: bbox
        f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&layers=castles",  # 422: layers
        f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&territory=atlantide",  # 422: territory
        f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&max_minutes=60",  # 422: city
        "/api/v1/territories",  # another endpoint
    ],
)
def test_anything_else_takes_the_full_stack(answers, gers, path):
    full, short, took_short_way = answers(path)

    assert not took_short_way
    same_answer(full, short)


def test_a_signed_in_visitor_takes_the_full_stack(answers, gers):
    full, short, took_short_way = answers(f"/api/v1/map?bbox={GERS_BBOX}&zoom=9", user=UserFactory())

    assert not took_short_way
    assert short.status_code == full.status_code == 200


def test_a_host_not_allowed_takes_the_full_stack(gers, rf):
    request = rf.get(f"/api/v1/map?bbox={GERS_BBOX}&zoom=9", HTTP_HOST="evil.example")

    with override_settings(MIDDLEWARE=with_fast_path()):
        assert fast.MapFastPathMiddleware(lambda request: None)._prepare(request) is None  # a 400 as always


def test_the_short_way_keeps_the_rate_limit(gers, monkeypatch):
    from sohosolo.api.routers.map import router

    throttle = router.throttle[0]
    monkeypatch.setattr(throttle, "num_requests", 3)
    monkeypatch.setattr(throttle, "duration", 60)

    with override_settings(MIDDLEWARE=with_fast_path()):
        client = Client()
        statuses = [client.get(f"/api/v1/map?bbox={GERS_BBOX}&zoom=9").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_the_short_way_runs_the_same_queries(gers):
    commune = map_fixtures.make_village(gers, name="Village", position=(43.6, 0.8)).commune
    make_service(commune, Category.PRIMARY_SCHOOL)
    path = f"/api/v1/map?bbox={GERS_BBOX}&zoom=9&layers=primary_school"
    captured = []
    for middleware in (without_fast_path(), with_fast_path()):
        with override_settings(MIDDLEWARE=middleware):
            client = Client()
            client.get(path)  # the territory table is cached
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
        captured.append([q["sql"] for q in queries.captured_queries])
    full, short = captured

    assert short == full


def test_the_page_cache_still_stores_the_short_ways_answers(gers, scenario):
    path = f"/api/v1/map?bbox={GERS_BBOX}&zoom=9"
    with override_settings(MIDDLEWARE=with_fast_path(), PAGE_CACHE_ENABLED=True):
        client = Client()
        first = client.get(path)
        second = client.get(path)

    assert "X-Page-Cache" not in first
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_an_unknown_middleware_after_it_turns_the_short_way_off(gers, caplog):
    names = with_fast_path()
    names.append("tests.maps.test_fast_path.SomeNewMiddleware")

    with override_settings(MIDDLEWARE=names):
        middleware = fast.MapFastPathMiddleware(lambda request: None)

    assert middleware.chain is None
    assert "SomeNewMiddleware" in caplog.text


class SomeNewMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
