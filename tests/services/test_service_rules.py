"""Business rules of a service: its point must fall inside its commune, a market needs its day,
editing is refused when someone saved in between, and "Toujours exact" only moves the date."""

import datetime

import pytest
import time_machine

from sohosolo.services.models import Service
from sohosolo.services.services import (
    EditConflict,
    MarketDayRequired,
    PositionOutsideCommune,
    ServiceData,
    service_confirm,
    service_create,
    service_update,
)
from tests.accounts.factories import UserFactory
from tests.territories.factories import CommuneFactory

from .conftest import TOULOUSE
from .factories import ServiceFactory

pytestmark = pytest.mark.django_db


def data(commune, **overrides) -> ServiceData:
    values = {"category": "bakery", "name": "Boulangerie du Centre", "lat": commune.lat, "lon": commune.lon}
    return ServiceData(**{**values, **overrides})


def test_a_point_in_auch_is_accepted_for_a_service_of_auch(auch):
    service = service_create(commune=auch, data=data(auch, lat=43.6465, lon=0.5855), by=UserFactory())

    assert service.pk and service.commune == auch
    assert service.last_verified == datetime.date.today()


def test_a_point_in_toulouse_is_refused_with_the_commune_named(auch):
    with pytest.raises(PositionOutsideCommune) as error:
        service_create(commune=auch, data=data(auch, **TOULOUSE), by=UserFactory())

    assert error.value.message == "Ce point est en dehors de la commune de Auch."
    assert error.value.field == "lat"
    assert not Service.objects.exists()


def test_a_point_in_a_neighbouring_commune_says_where_it_is(auch, castera):
    with pytest.raises(PositionOutsideCommune) as error:
        service_create(commune=auch, data=data(auch, lat=castera.lat, lon=castera.lon), by=UserFactory())

    assert error.value.message.startswith("Ce point est en dehors de la commune de Auch : ")
    assert f"il se trouve à {castera.name}" in error.value.message


def test_a_commune_without_boundary_accepts_a_point_near_its_centre_only():
    commune = CommuneFactory(lat=43.5, lon=0.5, area_km2=20, boundary=None)

    service_create(commune=commune, data=data(commune, lat=43.505, lon=0.505), by=None)
    with pytest.raises(PositionOutsideCommune):
        service_create(commune=commune, data=data(commune, lat=43.7, lon=0.5), by=None)


def test_a_market_needs_its_day(auch):
    with pytest.raises(MarketDayRequired) as error:
        service_create(commune=auch, data=data(auch, category="market", name="Marché"), by=None)

    assert error.value.field == "market_day"
    assert error.value.message == "Indiquez le jour du marché."


def test_a_market_keeps_its_day_and_another_category_drops_it(auch):
    market = service_create(commune=auch, data=data(auch, category="market", market_day=5), by=None)
    bakery = service_create(commune=auch, data=data(auch, category="bakery", market_day=5), by=None)

    assert market.market_day == 5
    assert bakery.market_day is None


def test_an_update_from_an_old_version_is_refused_and_changes_nothing(auch):
    service = ServiceFactory(commune=auch, name="Pharmacie")
    first = Service.objects.get(pk=service.pk)
    second = Service.objects.get(pk=service.pk)
    service_update(service=first, data=data(auch, name="Pharmacie du Gers"), expected_version=1, by=None)

    with pytest.raises(EditConflict):
        service_update(
            service=second, data=data(auch, name="Pharmacie Centrale"), expected_version=1, by=None
        )

    service.refresh_from_db()
    assert service.name == "Pharmacie du Gers"
    assert service.version == 2


def test_editing_a_service_marks_it_verified_today(auch):
    with time_machine.travel(datetime.date(2024, 1, 10), tick=False):
        service = ServiceFactory(commune=auch)
    with time_machine.travel(datetime.date(2025, 6, 2), tick=False):
        service_update(service=service, data=data(auch, name="Nouveau nom"), expected_version=1, by=None)

    service.refresh_from_db()
    assert service.last_verified == datetime.date(2025, 6, 2)


def test_confirming_a_service_moves_only_its_date_so_an_edit_in_progress_still_saves(auch):
    with time_machine.travel(datetime.date(2024, 1, 10), tick=False):
        service = ServiceFactory(commune=auch, name="Poste")
    editor_copy = Service.objects.get(pk=service.pk)
    with time_machine.travel(datetime.date(2025, 6, 2), tick=False):
        service_confirm(service=service, by=UserFactory())
        service.refresh_from_db()
        assert service.last_verified == datetime.date(2025, 6, 2)
        assert service.version == 1

        service_update(service=editor_copy, data=data(auch, name="La Poste"), expected_version=1, by=None)
    assert Service.objects.get(pk=service.pk).name == "La Poste"


def test_services_are_found_by_bounding_box_and_category(auch, castera):
    bakery = ServiceFactory(commune=auch, category="bakery")
    school = ServiceFactory(commune=auch, category="primary_school")
    far = ServiceFactory(commune=castera, category="bakery")
    box = (auch.lon - 0.01, auch.lat - 0.01, auch.lon + 0.01, auch.lat + 0.01)

    assert set(Service.objects.in_bbox(*box)) == {bakery, school}
    assert set(Service.objects.of_category("bakery")) == {bakery, far}
    assert set(Service.objects.of_category(["bakery", "primary_school"]).in_bbox(*box)) == {bakery, school}
    assert Service.objects.of_category().count() == 3
    with pytest.raises(ValueError):
        Service.objects.of_category("castle")
