"""The full Gers GeoJSON, imported once for the module (about a second), then read by every test."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sohosolo.territories.models import Commune, Territory
from sohosolo.territories.services import commune_at_point, communes_import_geojson
from tests.open_data import AUCH, GERS_GEOJSON

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def gers_import(django_db_setup, django_db_blocker):
    """Run `manage.py import_communes` with no options, as an operator would, and keep its output."""
    out, err = StringIO(), StringIO()
    with django_db_blocker.unblock():
        call_command("import_communes", stdout=out, stderr=err)
    yield {"stdout": out.getvalue(), "stderr": err.getvalue()}
    with django_db_blocker.unblock():
        Commune.objects.all().delete()
        Territory.objects.all().delete()


def test_importing_the_gers_file_creates_its_458_communes_in_the_gers_territory(gers_import):
    gers = Territory.objects.get(slug="gers")
    assert gers.name == "Gers"
    assert gers.communes.count() == 458
    assert Commune.objects.count() == 458
    assert (
        "Communes de « Gers » : 458 créée(s), 0 mise(s) à jour, 0 inchangée(s), 0 ignorée(s)."
        in (gers_import["stdout"])
    )
    assert gers_import["stderr"] == ""


def test_an_imported_commune_keeps_its_boundary_bbox_and_town_hall(gers_import):
    auch = Commune.objects.get(code=AUCH)
    assert auch.name == "Auch"
    assert auch.search_name == "auch"
    assert auch.departement == "32"
    assert auch.postcodes == ["32000"]
    assert auch.epci_name == "CA Grand Auch Coeur de Gascogne"
    assert auch.boundary["type"] == "Polygon"
    assert auch.min_lon < auch.lon < auch.max_lon
    assert auch.min_lat < auch.lat < auch.max_lat
    assert auch.townhall_address
    assert auch.townhall_lat is not None
    assert auch.population > 20000


def test_reimporting_the_same_file_creates_nothing_and_leaves_every_commune_unchanged(gers_import):
    gers = Territory.objects.get(slug="gers")

    report = communes_import_geojson(path=GERS_GEOJSON, territory=gers)

    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 458, [])
    assert Commune.objects.count() == 458


def test_rerunning_the_command_says_all_458_communes_are_unchanged(gers_import):
    out = StringIO()

    call_command("import_communes", stdout=out, stderr=StringIO())

    assert "0 créée(s), 0 mise(s) à jour, 458 inchangée(s), 0 ignorée(s)" in out.getvalue()
    assert Commune.objects.count() == 458


def test_reimporting_a_file_where_a_value_changed_updates_only_that_commune(gers_import, tmp_path):
    data = json.loads(GERS_GEOJSON.read_text(encoding="utf-8"))
    feature = next(f for f in data["features"] if f["properties"]["insee"] == AUCH)
    feature["properties"]["population"] = 123456
    feature["properties"]["name"] = "Auch-en-Gascogne"
    changed = tmp_path / "gers.geojson"
    changed.write_text(json.dumps(data), encoding="utf-8")

    report = communes_import_geojson(path=changed, territory=Territory.objects.get(slug="gers"))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 457)
    auch = Commune.objects.get(code=AUCH)
    assert auch.population == 123456
    assert auch.search_name == "auch en gascogne"
    assert Commune.objects.count() == 458


def test_the_commune_containing_the_auch_cathedral_point_is_auch(gers_import):
    commune = commune_at_point(lon=0.5857, lat=43.6460)

    assert commune is not None
    assert commune.code == AUCH


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(2.3522, 48.8566), (-0.4990, 43.8902), (0.0, 0.0)],
    ids=["paris", "mont-de-marsan", "gulf-of-guinea"],
)
def test_a_point_outside_the_gers_is_in_no_commune(gers_import, lon, lat):
    assert commune_at_point(lon=lon, lat=lat) is None


def test_point_lookup_limited_to_another_territory_does_not_return_a_gers_commune(gers_import):
    other = Territory.objects.create(slug="ailleurs", name="Ailleurs")

    assert commune_at_point(lon=0.5857, lat=43.6460, territory=other) is None
    assert (
        commune_at_point(lon=0.5857, lat=43.6460, territory=Territory.objects.get(slug="gers")).code == AUCH
    )
