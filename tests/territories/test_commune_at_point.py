import pytest

from sohosolo.territories.services import commune_at_point

from .factories import CommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def test_a_point_inside_a_commune_boundary_finds_that_commune():
    commune = CommuneFactory(with_boundary=True, lon=0.5, lat=43.5)

    assert commune_at_point(lon=0.505, lat=43.495) == commune


def test_a_point_in_the_bounding_box_but_outside_the_shape_finds_nothing():
    triangle = {"type": "Polygon", "coordinates": [[[0.0, 43.0], [1.0, 43.0], [0.0, 44.0], [0.0, 43.0]]]}
    CommuneFactory(boundary=triangle, lon=0.2, lat=43.2, min_lon=0, max_lon=1, min_lat=43, max_lat=44)

    assert commune_at_point(lon=0.9, lat=43.9) is None
    assert commune_at_point(lon=0.1, lat=43.1) is not None


def test_a_commune_without_boundary_is_never_found_by_point():
    CommuneFactory(lon=0.5, lat=43.5, min_lon=0.5, max_lon=0.5, min_lat=43.5, max_lat=43.5)

    assert commune_at_point(lon=0.5, lat=43.5) is None


def test_a_point_lookup_can_be_limited_to_one_territory():
    commune = CommuneFactory(with_boundary=True, lon=0.5, lat=43.5)
    other = TerritoryFactory()

    assert commune_at_point(lon=0.5, lat=43.5, territory=commune.territory) == commune
    assert commune_at_point(lon=0.5, lat=43.5, territory=other) is None
