"""Imports from small hand-written files: row errors, unreadable files, the national CSV."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sohosolo.territories.models import Commune, Territory
from sohosolo.territories.services import (
    ImportFileError,
    RowError,
    communes_import_csv,
    communes_import_geojson,
)
from tests.open_data import FRANCE_CSV

from .factories import CommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

CSV_HEADER = "insee,name,departement,population,postcodes,epci,lat,lon,area_km2\n"


def feature(code="32999", name="Village Test", centre=(0.5, 43.6), **props):
    square = [[0.49, 43.59], [0.51, 43.59], [0.51, 43.61], [0.49, 43.61], [0.49, 43.59]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [square]},
        "properties": {"insee": code, "name": name, "centre": list(centre), "postcodes": ["32000"], **props},
    }


def write_geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


@pytest.fixture
def territory():
    return TerritoryFactory(slug="gers", name="Gers")


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (feature(code="ABC"), "code INSEE invalide"),
        (feature(name=""), "nom manquant"),
        (feature(centre=(0.5,)), "centre manquant"),
        (feature(centre=(0.5, 95)), "latitude hors limites"),
        (feature(population=-3), "population négative"),
        ({**feature(), "geometry": {"type": "Polygon", "coordinates": "nope"}}, "contour illisible"),
    ],
    ids=["code", "name", "centre", "latitude", "population", "geometry"],
)
def test_a_bad_feature_is_reported_with_its_number_and_reason_and_the_others_are_imported(
    tmp_path, territory, bad, reason
):
    path = write_geojson(tmp_path / "c.geojson", [feature(code="32901"), bad, feature(code="32903")])

    report = communes_import_geojson(path=path, territory=territory)

    assert report.created == 2
    assert len(report.errors) == 1
    assert report.errors[0].line == 2
    assert reason in report.errors[0].reason
    assert str(report.errors[0]).startswith("ligne 2 : ")
    assert sorted(territory.communes.values_list("code", flat=True)) == ["32901", "32903"]


def test_a_code_repeated_in_the_file_is_reported_and_imported_once(tmp_path, territory):
    path = write_geojson(tmp_path / "c.geojson", [feature(code="32901"), feature(code="32901", name="Autre")])

    report = communes_import_geojson(path=path, territory=territory)

    assert report.created == 1
    assert report.errors == [RowError(2, "code 32901 en double dans le fichier")]
    assert Commune.objects.get(code="32901").name == "Village Test"


def test_a_bad_csv_row_is_reported_with_its_line_number_and_the_other_rows_are_imported(tmp_path, territory):
    path = tmp_path / "communes.csv"
    path.write_text(
        CSV_HEADER
        + "32901,Un,32,100,32000,200066926,43.6,0.5,10\n"
        + "32902,Deux,32,100,32000,200066926,pas-un-nombre,0.5,10\n"
        + "32903,Trois,32,100,32000 32001,200066926,43.7,0.6,\n",
        encoding="utf-8",
    )

    report = communes_import_csv(path=path, territory=territory, departement="32")

    assert report.created == 2
    assert [(e.line, e.reason) for e in report.errors] == [(3, "latitude invalide ('pas-un-nombre')")]
    trois = Commune.objects.get(code="32903")
    assert trois.postcodes == ["32000", "32001"]
    assert trois.boundary is None
    assert trois.area_km2 is None
    assert (trois.min_lat, trois.max_lat, trois.min_lon, trois.max_lon) == (43.7, 43.7, 0.6, 0.6)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"type": "FeatureCollection", "features": [', "GeoJSON illisible"),
        ('{"type": "Feature"}', "n'est pas une FeatureCollection"),
        (b"\xff\xfe not utf-8", "GeoJSON illisible"),
    ],
    ids=["truncated-json", "not-a-collection", "not-utf8"],
)
def test_an_unreadable_geojson_file_raises_and_imports_nothing(tmp_path, territory, content, message):
    path = tmp_path / "c.geojson"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(ImportFileError, match=message):
        communes_import_geojson(path=path, territory=territory)

    assert Commune.objects.count() == 0


def test_a_csv_missing_columns_raises_and_imports_nothing(tmp_path, territory):
    path = tmp_path / "communes.csv"
    path.write_text("insee,name,departement,lat,lon\n32901,Un,32,43.6,0.5\n", encoding="utf-8")

    with pytest.raises(ImportFileError, match="colonnes manquantes : area_km2, epci, population, postcodes"):
        communes_import_csv(path=path, territory=territory, departement="32")

    assert Commune.objects.count() == 0


def test_a_csv_that_breaks_after_good_rows_imports_none_of_them(tmp_path, territory):
    path = tmp_path / "communes.csv"
    path.write_bytes(
        CSV_HEADER.encode()
        + b"32901,Un,32,100,32000,200066926,43.6,0.5,10\n"
        + b"32902,D\xe9ux,32,100,32000,200066926,43.6,0.5,10\n"
    )

    with pytest.raises(ImportFileError, match="CSV illisible"):
        communes_import_csv(path=path, territory=territory, departement="32")

    assert Commune.objects.count() == 0


def test_the_command_refuses_an_unreadable_file_and_says_nothing_was_imported(tmp_path, territory):
    path = tmp_path / "cassé.geojson"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_communes", file=str(path), stdout=StringIO(), stderr=StringIO())

    assert Commune.objects.count() == 0


def test_the_command_creates_no_territory_when_the_file_is_unreadable(tmp_path):
    path = tmp_path / "cassé.geojson"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(CommandError):
        call_command("import_communes", territory="nouveau", file=str(path), stdout=StringIO())

    assert not Territory.objects.filter(slug="nouveau").exists()


def test_the_command_refuses_a_national_csv_without_a_departement(territory):
    with pytest.raises(CommandError, match="--departement est requis"):
        call_command("import_communes", file=str(FRANCE_CSV), stdout=StringIO(), stderr=StringIO())

    assert Commune.objects.count() == 0


def test_the_command_prints_each_bad_row_with_the_file_name_and_line(tmp_path, territory):
    path = write_geojson(tmp_path / "mes-communes.geojson", [feature(code="32901"), feature(code="XX")])
    out, err = StringIO(), StringIO()

    call_command("import_communes", file=str(path), stdout=out, stderr=err)

    assert "mes-communes.geojson ligne 2 : code INSEE invalide ('XX')" in err.getvalue()
    assert "1 créée(s), 0 mise(s) à jour, 0 inchangée(s), 1 ignorée(s)" in out.getvalue()
    assert list(Commune.objects.values_list("code", flat=True)) == ["32901"]


def test_importing_departement_40_from_the_national_csv_creates_the_327_landes_communes():
    out = StringIO()

    call_command("import_communes", territory="landes", territory_name="Landes", departement="40", stdout=out)

    landes = Territory.objects.get(slug="landes")
    assert landes.name == "Landes"
    assert landes.communes.count() == 327
    assert set(landes.communes.values_list("departement", flat=True)) == {"40"}
    assert not landes.communes.filter(boundary__isnull=False).exists()
    mont_de_marsan = landes.communes.get(code="40192")
    assert mont_de_marsan.name == "Mont-de-Marsan"
    assert "Territoire « Landes » créé." in out.getvalue()
    assert "327 créée(s)" in out.getvalue()


def test_the_national_csv_has_exactly_327_rows_for_the_landes():
    # Guards the expectation above against a silently changed data file.
    with FRANCE_CSV.open(encoding="utf-8", newline="") as fh:
        assert sum(1 for row in csv.DictReader(fh) if row["departement"] == "40") == 327


def test_an_import_moves_an_existing_commune_into_the_importing_territory(tmp_path, territory):
    elsewhere = CommuneFactory(code="32901", name="Village Test")
    path = write_geojson(tmp_path / "c.geojson", [feature(code="32901")])

    report = communes_import_geojson(path=path, territory=territory)

    assert report.updated == 1
    elsewhere.refresh_from_db()
    assert elsewhere.territory == territory


def test_the_territory_figures_are_refreshed_once_an_import_commits(
    tmp_path, territory, django_capture_on_commit_callbacks
):
    assert territory.cached_figures()["communes"] == 0
    path = write_geojson(tmp_path / "c.geojson", [feature(code="32901", population=250, area_km2=5)])

    with django_capture_on_commit_callbacks(execute=True):
        communes_import_geojson(path=path, territory=territory)

    figures = Territory.objects.get(pk=territory.pk).cached_figures()
    assert figures["communes"] == 1
    assert figures["population"] == 250
    assert figures["density"] == 50
