"""The map endpoint is cached for anonymous visitors, and every change that can alter the map shows at once.

Journey 6: "a house a committee adds appears on the map at once" must hold with the page cache on.
The cache is bumped after the commit (transaction.on_commit): the tests run the commit callbacks with
django_capture_on_commit_callbacks(execute=True), as a real request's commit would.
"""

from datetime import date

import pytest
from django.core.cache import cache
from django.test import override_settings

from sohosolo.connectivity.models import Connectivity
from sohosolo.core.page_cache import VERSION_KEY
from sohosolo.housing.models import HousingStatus
from sohosolo.housing.services import housing_publish, housing_withdraw
from sohosolo.services.models import Category
from sohosolo.villages.models import MeasuredTravelTime
from tests.accounts.factories import UserFactory
from tests.maps.factories import give_fibre, make_offer, make_service, make_village

pytestmark = pytest.mark.django_db

MAP_QUERY = {"territory": "gers", "bbox": "-0.5,43.0,1.6,44.3", "zoom": "9", "layers": "villages,housing"}


@pytest.fixture(autouse=True)
def page_cache_on():
    with override_settings(PAGE_CACHE_ENABLED=True):
        yield


@pytest.fixture
def village(gers):
    return make_village(gers, name="Lavardens", position=(43.6, 0.95))


def get_map(client, **params):
    return client.get("/api/v1/map", {**MAP_QUERY, **params})


def housing_ids(response) -> set[int]:
    return {item[0] for item in response.json()["items"] if item[3] == "housing"}


def test_a_second_identical_map_request_is_a_cache_hit_without_queries(
    client, village, django_assert_num_queries
):
    offer = make_offer(village, title_fr="Maison de village avec jardin")
    first = get_map(client)
    assert first.status_code == 200 and "X-Page-Cache" not in first

    with django_assert_num_queries(0):
        second = get_map(client)

    assert second["X-Page-Cache"] == "hit"
    assert second.json() == first.json()
    assert housing_ids(second) == {offer.pk}


def test_a_house_a_committee_publishes_appears_on_the_cached_map_at_once(
    client, village, django_capture_on_commit_callbacks
):
    draft = make_offer(village, status=HousingStatus.DRAFT, title_fr="Maison en pierre à rénover")
    assert housing_ids(get_map(client)) == set()
    assert get_map(client)["X-Page-Cache"] == "hit"  # the empty map is now cached

    with django_capture_on_commit_callbacks(execute=True):
        housing_publish(offer=draft, by=UserFactory())
    response = get_map(client)

    assert "X-Page-Cache" not in response
    assert housing_ids(response) == {draft.pk}
    assert get_map(client)["X-Page-Cache"] == "hit"


def test_a_withdrawn_house_leaves_the_cached_map_at_once(client, village, django_capture_on_commit_callbacks):
    offer = make_offer(village, title_fr="Maison de village avec jardin")
    assert housing_ids(get_map(client)) == {offer.pk}

    with django_capture_on_commit_callbacks(execute=True):
        housing_withdraw(offer=offer, by=UserFactory())

    assert housing_ids(get_map(client)) == set()


def test_the_cache_is_forgotten_only_once_the_change_is_committed(
    client, village, django_capture_on_commit_callbacks
):
    """Bumping before the commit would let a request cache the old rows again until it expires."""
    draft = make_offer(village, status=HousingStatus.DRAFT)
    get_map(client)
    version = cache.get(VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        housing_publish(offer=draft, by=UserFactory())
        assert cache.get(VERSION_KEY) == version

    assert callbacks, "the bump waits for the commit"
    assert get_map(client)["X-Page-Cache"] == "hit"  # not committed yet: still the old map
    for callback in callbacks:
        callback()
    assert housing_ids(get_map(client)) == {draft.pk}


def _add_service(village):
    make_service(village.commune, Category.BAKERY, name="Boulangerie de la place")


def _delete_services(village):
    make_service(village.commune, Category.DOCTOR).delete()


def _unpublish_village(village):
    village.status = "draft"
    village.save()


def _give_fibre(village):
    give_fibre(village)


def _change_fibre(village):
    Connectivity.objects.filter(commune=village.commune).delete()


def _measure_travel_time(village):
    MeasuredTravelTime.objects.create(
        village=village, city="Toulouse", minutes=40, measured_on=date(2025, 5, 1)
    )


@pytest.mark.parametrize(
    "change",
    [_add_service, _delete_services, _unpublish_village, _give_fibre, _change_fibre, _measure_travel_time],
)
def test_every_change_that_can_alter_the_map_forgets_the_cached_copies(
    client, village, change, django_capture_on_commit_callbacks
):
    if change is _change_fibre:
        give_fibre(village)
    get_map(client, layers="villages,services")
    assert get_map(client, layers="villages,services")["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        change(village)

    assert "X-Page-Cache" not in get_map(client, layers="villages,services")


def test_an_unpublished_village_leaves_the_cached_map_at_once(
    client, village, django_capture_on_commit_callbacks
):
    assert [item[0] for item in get_map(client).json()["items"] if item[3] == "village"] == [village.pk]

    with django_capture_on_commit_callbacks(execute=True):
        _unpublish_village(village)

    assert get_map(client).json()["items"] == []


def test_a_signed_in_committee_member_never_gets_a_cached_map(client, village):
    get_map(client)
    client.force_login(UserFactory())

    assert "X-Page-Cache" not in get_map(client)
