"""A commune import that moves communes to another territory moves their services in the map's index."""

import pytest

from sohosolo.maps.models import ServicePoint
from sohosolo.territories.models import Commune
from sohosolo.territories.services import communes_import_geojson
from tests.open_data import AUCH
from tests.services.factories import ServiceFactory


@pytest.mark.django_db
def test_moving_a_commune_to_another_territory_moves_its_services_on_the_map(
    gers_communes, landes, gers_subset_file
):
    auch = Commune.objects.get(code=AUCH)
    service = ServiceFactory(commune=auch)
    assert ServicePoint.objects.get(pk=service.pk).territory_id == gers_communes.pk

    communes_import_geojson(path=gers_subset_file, territory=landes)

    assert ServicePoint.objects.get(pk=service.pk).territory_id == landes.pk
