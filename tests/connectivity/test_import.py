"""`manage.py import_connectivity FILE`: the same rules as the communes import — line-numbered errors,
idempotent, nothing applied when the file cannot be used — and the shipped sample file for the Gers."""

import datetime
import filecmp
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sohosolo.connectivity.models import Connectivity
from sohosolo.connectivity.services import ImportFileError, connectivity_import_csv
from sohosolo.territories.services import communes_import_geojson
from tests.open_data import AUCH, DATA_DIR, GERS_GEOJSON

pytestmark = pytest.mark.django_db

HEADER = (
    "code,fibre_share_pct,best_dsl_mbps,fixed_4g,fixed_5g,satellite,"
    "mobile_orange,mobile_sfr,mobile_bouygues,mobile_free,source,date\n"
)
SAMPLE_FILE = DATA_DIR / "connectivity-sample-gers.csv"


def row(code=AUCH, fibre="92.5", dsl="30", f4g="1", f5g="0", sat="1", levels=("very_good", "good", "good", "basic"),
        source="ARCEP Ma connexion internet", date="2025-03-31") -> str:  # fmt: skip
    return ",".join([code, fibre, dsl, f4g, f5g, sat, *levels, source, date]) + "\n"


def write(tmp_path, *rows, header=HEADER, name="connectivity.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(header + "".join(rows), encoding=encoding)
    return path


@pytest.fixture
def codes(gers_communes):
    """Three real Gers communes of the test subset: Auch and two others."""
    others = list(
        gers_communes.communes.exclude(code=AUCH).order_by("code").values_list("code", flat=True)[:2]
    )
    return [AUCH, *others]


def test_a_file_creates_the_connectivity_of_each_commune(tmp_path, codes):
    path = write(tmp_path, *(row(code) for code in codes))

    report = connectivity_import_csv(path=path)

    assert (report.created, report.updated, report.unchanged, report.skipped) == (3, 0, 0, 0)
    auch = Connectivity.objects.get(commune__code=AUCH)
    assert auch.fibre_share_pct == 92.5 and auch.best_dsl_mbps == 30
    assert (auch.fixed_4g, auch.fixed_5g, auch.satellite) == (True, False, True)
    assert [r["level"] for r in auch.mobile_coverage()] == ["very_good", "good", "good", "basic"]
    assert auch.source == "ARCEP Ma connexion internet"
    assert auch.date == datetime.date(2025, 3, 31)
    assert auch.is_sample is False


def test_importing_the_same_file_twice_changes_nothing_and_a_changed_row_is_updated(tmp_path, codes):
    path = write(tmp_path, *(row(code) for code in codes))
    connectivity_import_csv(path=path)

    again = connectivity_import_csv(path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    changed = write(tmp_path, row(codes[0], fibre="100"), *(row(code) for code in codes[1:]), name="v2.csv")
    report = connectivity_import_csv(path=changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Connectivity.objects.get(commune__code=codes[0]).fibre_share_pct == 100
    assert Connectivity.objects.count() == 3


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"f4g": "oui"}, "fixed_4g : booléen invalide ('oui', attendu 0 ou 1)"),
        (
            {"levels": ("good", "excellent", "good", "good")},
            "mobile_sfr : niveau invalide ('excellent', attendu none, basic, good, very_good)",
        ),  # noqa: E501
        ({"code": "32999"}, "code : commune inconnue (32999)"),
        ({"fibre": "120"}, "fibre_share_pct : valeur hors limites (120, attendu entre 0 et 100)"),
        ({"dsl": "vite"}, "best_dsl_mbps : nombre invalide ('vite')"),
        ({"date": "31/03/2025"}, "date : date invalide ('31/03/2025', format AAAA-MM-JJ attendu)"),
        ({"source": ""}, "source : source manquante"),
    ],
    ids=["boolean", "level", "unknown-commune", "share", "speed", "date", "source"],
)
def test_a_bad_row_is_reported_with_its_line_and_reason_and_the_others_are_imported(
    tmp_path, codes, bad, reason
):
    path = write(tmp_path, row(codes[0]), row(**{"code": codes[1], **bad}), row(codes[2]))

    report = connectivity_import_csv(path=path)

    assert report.created == 2
    assert [str(e) for e in report.errors] == [f"ligne 3 : {reason}"]
    assert {codes[0], codes[2]} == set(Connectivity.objects.values_list("commune__code", flat=True))


def test_a_commune_repeated_in_the_file_is_reported_and_imported_once(tmp_path, codes):
    path = write(tmp_path, row(codes[0], fibre="10"), row(codes[0], fibre="20"))

    report = connectivity_import_csv(path=path)

    assert report.created == 1
    assert [str(e) for e in report.errors] == [
        f"ligne 3 : code : commune {codes[0]} en double dans le fichier"
    ]
    assert Connectivity.objects.get().fibre_share_pct == 10


def test_empty_figures_are_stored_as_unknown(tmp_path, codes):
    connectivity_import_csv(path=write(tmp_path, row(codes[0], fibre="", dsl="")))

    connectivity = Connectivity.objects.get()
    assert connectivity.fibre_share_pct is None and connectivity.best_dsl_mbps is None


def test_a_spreadsheet_export_with_semicolons_a_bom_and_decimal_commas_is_read(tmp_path, codes):
    line = row(codes[0], fibre="87,5").replace(",", ";").replace("87;5", "87,5")
    path = write(tmp_path, line, header=HEADER.replace(",", ";"), encoding="utf-8-sig")

    report = connectivity_import_csv(path=path)

    assert report.created == 1 and not report.errors
    assert Connectivity.objects.get().fibre_share_pct == 87.5


def test_a_file_missing_a_column_applies_nothing(tmp_path, codes):
    path = write(tmp_path, row(codes[0]), header=HEADER.replace(",mobile_free", ""))

    with pytest.raises(ImportFileError, match="colonnes manquantes : mobile_free"):
        connectivity_import_csv(path=path)
    assert not Connectivity.objects.exists()


def test_an_unreadable_file_applies_nothing_even_after_good_rows(tmp_path, codes):
    path = tmp_path / "broken.csv"
    path.write_bytes((HEADER + row(codes[0]) + row(codes[1])).encode() + b"\xff\xfe broken\n")

    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_connectivity", str(path), stdout=StringIO(), stderr=StringIO())
    assert not Connectivity.objects.exists()


def test_a_missing_file_is_a_clear_command_error(tmp_path, db):
    with pytest.raises(CommandError, match="fichier CSV illisible"):
        call_command("import_connectivity", str(tmp_path / "absent.csv"), stdout=StringIO())


def test_the_command_prints_a_summary_and_each_bad_row(tmp_path, codes):
    path = write(tmp_path, row(codes[0]), row(codes[1], sat="2"))
    out, err = StringIO(), StringIO()

    call_command("import_connectivity", str(path), stdout=out, stderr=err)

    assert (
        "Couverture numérique : 1 créée(s), 0 mise(s) à jour, 0 inchangée(s), 1 ignorée(s)." in out.getvalue()
    )
    assert "connectivity.csv ligne 3 : satellite : booléen invalide ('2', attendu 0 ou 1)" in err.getvalue()


def test_the_sample_flag_or_column_marks_rows_as_sample_data(tmp_path, codes):
    call_command("import_connectivity", str(write(tmp_path, row(codes[0]))), "--sample", stdout=StringIO())
    with_column = write(
        tmp_path, row(codes[1])[:-1] + ",1\n", header=HEADER[:-1] + ",is_sample\n", name="s.csv"
    )
    connectivity_import_csv(path=with_column)

    assert list(Connectivity.objects.order_by("commune__code").values_list("is_sample", flat=True)) == [
        True,
        True,
    ]


# --- The shipped sample file ----------------------------------------------------------------------


def test_the_sample_file_gives_every_gers_commune_its_connectivity_marked_as_sample(gers):
    communes_import_geojson(path=GERS_GEOJSON, territory=gers)

    report = connectivity_import_csv(path=SAMPLE_FILE)

    assert (report.created, report.skipped) == (458, 0)
    assert Connectivity.objects.of_territory(gers).count() == gers.communes.count() == 458
    assert not Connectivity.objects.filter(is_sample=False).exists()
    assert set(Connectivity.objects.values_list("source", flat=True)) == {"Donnée d'exemple (générée)"}
    # Plausible: the prefecture is well served, and not every small village has fibre yet.
    auch = Connectivity.objects.get(commune__code=AUCH)
    assert auch.fibre_share_pct > 80
    assert 0 < Connectivity.objects.with_fibre().count() < 458


def test_the_generator_writes_the_shipped_sample_file_again_byte_for_byte(tmp_path):
    output = tmp_path / "sample.csv"

    call_command("generate_sample_connectivity", output=str(output), stdout=StringIO())

    assert filecmp.cmp(output, SAMPLE_FILE, shallow=False)
