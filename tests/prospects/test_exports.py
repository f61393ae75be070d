"""Exports of the pipeline list (CSV and XLSX): the filtered list on all its pages, readable French
columns, and one audit entry per exported prospect."""

import csv
import io
import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from sohosolo.accounts.models import Role
from sohosolo.prospects.exports import CHUNK, ExportError, prospects_log_export
from sohosolo.prospects.models import Channel, Prospect, Sector, Stage
from tests.accounts.staff_factories import member
from tests.villages.factories import committee_member, village_in

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

CSV = "/fr/suivi/porteurs/export.csv"
XLSX = "/fr/suivi/porteurs/export.xlsx"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseillere@gers.fr", first_name="Claire", last_name="Bordes")


def prospect(territory, **fields) -> Prospect:
    return ProspectFactory(territory=territory, **fields)


def read_csv(response) -> list[dict]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # the BOM: Excel reads the file as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response) -> tuple[list[str], list[tuple]]:
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def export_entries():
    return LogEntry.objects.filter(object_repr="export").order_by("pk")


# --- Who may export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_an_anonymous_visitor_is_sent_to_login(client, gers, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/fr/compte/connexion/?next=/fr/suivi/porteurs/export.")


@pytest.mark.parametrize("role", [Role.PROSPECT, Role.MEMBER, Role.PARTNER])
@pytest.mark.parametrize("url", [CSV, XLSX])
def test_people_without_a_staff_role_cannot_export(client, gers, role, url):
    prospect(gers)
    client.force_login(member(gers, role))

    assert client.get(url).status_code == 403
    assert not export_entries().exists()


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_a_committee_member_cannot_export(client, gers, url):
    village = village_in(gers)
    prospect(gers, consent_share_villages=True).villages.set([village])
    client.force_login(committee_member(village))

    assert client.get(url).status_code == 403
    assert not export_entries().exists()


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_an_advisor_of_another_territory_gets_not_found(client, gers, landes, url):
    prospect(gers)
    client.force_login(member(landes, Role.ADVISOR))

    assert client.get(url).status_code == 404
    assert not export_entries().exists()


def test_an_unknown_format_is_not_found(client, gers, advisor):
    prospect(gers)
    client.force_login(advisor)

    assert client.get("/fr/suivi/porteurs/export.pdf").status_code == 404
    assert not export_entries().exists()


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.TERRITORY_ADMIN])
def test_advisors_and_admins_export(client, gers, role):
    prospect(gers, first_name="Camille")
    client.force_login(member(gers, role))

    response = client.get(CSV)

    assert response.status_code == 200
    assert [row["Prénom"] for row in read_csv(response)] == ["Camille"]


def test_the_list_offers_the_exports_of_its_filters(client, gers, advisor):
    prospect(gers, sector=Sector.DIGITAL)
    client.force_login(advisor)

    body = client.get("/fr/suivi/porteurs/", {"sector": "digital", "page": 1}).content.decode()

    assert 'href="/fr/suivi/porteurs/export.csv?sector=digital"' in body
    assert 'href="/fr/suivi/porteurs/export.xlsx?sector=digital"' in body


def test_invalid_filters_export_nothing(client, gers, advisor):
    prospect(gers)
    client.force_login(advisor)

    response = client.get(CSV, {"stage": "bientot"})

    assert response.status_code == 400
    assert not export_entries().exists()
    body = client.get("/fr/suivi/porteurs/", {"stage": "bientot"}).content.decode()
    assert "export.csv" not in body  # no export link while the filters are wrong


# --- CSV --------------------------------------------------------------------------------------------


def test_the_csv_has_french_headers_readable_values_and_iso_dates(client, gers, advisor):
    auch = village_in(gers, commune__name="Auch")
    lectoure = village_in(gers, commune__name="Lectoure")
    camille = prospect(
        gers,
        first_name="Hélène",
        last_name="Dupré-Lâché",
        email="helene@exemple.fr",
        phone="+33 6 12 34 56 78",
        stage=Stage.QUALIFIED,
        advisor=advisor,
        channel=Channel.FAIR,
        utm_source="salon-lyon",
        sector=Sector.DIGITAL,
        created_at=datetime(2026, 3, 1, 0, 30, tzinfo=PARIS),
        next_action_on=date(2026, 3, 20),
        next_action="Proposer le Mercredi de l'installation",
        needs=["rent", "coworking"],
    )
    camille.villages.set([lectoure, auch])
    client.force_login(advisor)

    response = client.get(CSV)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="porteurs-de-projet-gers-')
    assert "no-store" in response["Cache-Control"]
    [row] = read_csv(response)
    assert row["N°"] == str(camille.pk)
    assert row["Prénom"] == "Hélène" and row["Nom de famille"] == "Dupré-Lâché"
    assert row["Adresse e-mail"] == "helene@exemple.fr"
    assert row["Téléphone"] == "+33 6 12 34 56 78"  # a phone number is not taken for a formula
    assert row["Étape"] == "qualifié"
    assert row["Conseiller"] == "Claire Bordes"
    assert row["Canal"] == "salon"
    assert row["Source de campagne"] == "salon-lyon"
    assert row["Secteur"] == "numérique, informatique"
    assert row["Villages choisis"] == "Auch, Lectoure"
    assert row["Besoins"] == "louer un logement, un espace de coworking"
    assert row["Créé le"] == "2026-03-01"  # the French day, ISO
    assert row["Prochaine action le"] == "2026-03-20"
    assert row["Prochaine action"] == "Proposer le Mercredi de l'installation"
    assert row["Accepte d'être contacté"] == "oui"
    assert row["Lettre d'information"] == "non"


def test_the_csv_holds_the_filtered_list_on_all_its_pages_in_its_order(client, gers, landes, advisor):
    now = timezone.now()
    for n in range(30):
        prospect(gers, first_name=f"D{n:02d}", sector=Sector.DIGITAL, created_at=now - timedelta(hours=n))
    prospect(gers, first_name="Artisan", sector=Sector.CRAFT)
    prospect(gers, first_name="Effacé", sector=Sector.DIGITAL, anonymised_at=now)
    prospect(landes, first_name="Landais", sector=Sector.DIGITAL)
    client.force_login(advisor)

    rows = read_csv(client.get(CSV, {"sector": "digital", "page": 2}))

    assert [row["Prénom"] for row in rows] == [f"D{n:02d}" for n in range(30)]
    rows = read_csv(client.get(CSV, {"sector": "digital", "sort": "-created_at"}))
    assert rows[0]["Prénom"] == "D00" and rows[-1]["Prénom"] == "D29"
    rows = read_csv(client.get(CSV, {"sector": "digital", "sort": "created_at"}))
    assert rows[0]["Prénom"] == "D29"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(client, gers, advisor):
    prospect(gers, first_name='=HYPERLINK("http://x")', last_name="-2+3", activity="@SUM(A1)")
    client.force_login(advisor)

    [row] = read_csv(client.get(CSV))

    assert row["Prénom"] == '\'=HYPERLINK("http://x")'
    assert row["Nom de famille"] == "'-2+3"
    assert row["Activité"] == "'@SUM(A1)"


# --- XLSX -------------------------------------------------------------------------------------------


def test_the_xlsx_opens_with_the_same_columns_real_dates_and_no_formula(client, gers, landes, advisor):
    auch = village_in(gers, commune__name="Auch")
    first = prospect(
        gers,
        first_name="Hélène",
        last_name="=1+1",
        stage=Stage.CANDIDATE,
        created_at=datetime(2026, 3, 1, 10, tzinfo=PARIS),
        next_action_on=date(2026, 3, 20),
        next_action="Appeler",
        adults=2,
    )
    first.villages.set([auch])
    prospect(gers, first_name="Perdu", stage=Stage.LOST, lost_reason="unreachable")
    prospect(landes, first_name="Landais", stage=Stage.CANDIDATE)
    client.force_login(advisor)

    response = client.get(XLSX, {"stage": "candidate"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    headers, rows = read_xlsx(response)
    assert headers[:7] == [
        "N°",
        "Prénom",
        "Nom de famille",
        "Adresse e-mail",
        "Téléphone",
        "Vit aujourd'hui à",
        "Étape",
    ]
    assert len(rows) == 1
    row = dict(zip(headers, rows[0], strict=True))
    assert row["N°"] == first.pk
    assert row["Prénom"] == "Hélène"
    assert (
        row["Nom de famille"] == "=1+1"
    )  # kept as text: openpyxl would read a formula back as "=1+1" too, so check the type
    assert row["Étape"] == "candidat"
    assert row["Villages choisis"] == "Auch"
    assert row["Adultes"] == 2
    assert row["Créé le"].date() == date(2026, 3, 1)
    assert row["Prochaine action le"].date() == date(2026, 3, 20)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=3).data_type == "s"
    assert sheet.cell(row=2, column=headers.index("Créé le") + 1).number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2"
    assert sheet.title == "Porteurs de projet"


# --- Audit ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "fmt"), [(CSV, "csv"), (XLSX, "xlsx")])
def test_every_exported_prospect_is_logged_without_personal_data(client, gers, landes, advisor, url, fmt):
    exported = [prospect(gers, sector=Sector.DIGITAL) for _ in range(3)]
    prospect(gers, sector=Sector.CRAFT)
    prospect(landes, sector=Sector.DIGITAL)
    LogEntry.objects.all().delete()  # the creations' own entries
    client.force_login(advisor)

    response = client.get(url, {"sector": "digital"})

    assert response.status_code == 200
    entries = list(export_entries())
    assert len(entries) == 3
    assert LogEntry.objects.count() == 3
    assert sorted(int(e.object_pk) for e in entries) == sorted(p.pk for p in exported)
    for entry in entries:
        assert entry.action == LogEntry.Action.ACCESS
        assert entry.actor == advisor
        assert entry.content_type == ContentType.objects.get_for_model(Prospect)
        assert entry.object_id == int(entry.object_pk)
        assert entry.remote_addr == "127.0.0.1"
        assert entry.additional_data == {
            "territory": gers.pk,
            "prospect": int(entry.object_pk),
            "export": fmt,
            "count": 3,
        }
    assert len({entry.cid for entry in entries}) == 1
    # The audit log page of the territory lists them (entries are filtered by territory).
    assert LogEntry.objects.filter(additional_data__territory=gers.pk).count() == 3


def test_an_empty_export_logs_nothing(client, gers, advisor):
    prospect(gers, sector=Sector.CRAFT)
    LogEntry.objects.all().delete()
    client.force_login(advisor)

    rows = read_csv(client.get(CSV, {"sector": "digital"}))

    assert rows == []
    assert not export_entries().exists()


def insert_statements(n: int) -> int:
    """INSERTs of one bulk_create of n log entries: one on PostgreSQL; SQLite caps a statement's parameters."""
    fields = [f for f in LogEntry._meta.concrete_fields if not f.primary_key]
    return math.ceil(n / max(connection.ops.bulk_batch_size(fields, [None] * n), 1))


def test_the_log_service_writes_all_entries_in_one_bulk_insert(gers, advisor):
    ids = list(range(1, 201))

    with CaptureQueriesContext(connection) as queries:
        assert prospects_log_export(territory=gers, user=advisor, prospect_ids=ids, fmt="csv") == 200

    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == insert_statements(200)
    assert len(queries) <= len(inserts) + 3  # the content type, and the savepoint around the batch
    assert export_entries().count() == 200


def test_the_log_service_refuses_an_unknown_format(gers, advisor):
    with pytest.raises(ExportError):
        prospects_log_export(territory=gers, user=advisor, prospect_ids=[1], fmt="pdf")


# --- Size -------------------------------------------------------------------------------------------


def test_a_large_export_reads_by_chunks_in_few_queries(client, gers, advisor):
    village = village_in(gers, commune__name="Auch")
    n = CHUNK * 2 + 10
    prospects = Prospect.objects.bulk_create(
        [Prospect(territory=gers, first_name=f"P{i}", email=f"p{i}@exemple.fr") for i in range(n)]
    )
    through = Prospect.villages.through
    through.objects.bulk_create([through(prospect_id=p.pk, village_id=village.pk) for p in prospects])
    client.force_login(advisor)
    client.get("/fr/suivi/porteurs/")  # warms the territory table's cache

    with CaptureQueriesContext(connection) as queries:
        response = client.get(CSV)
        rows = read_csv(response)

    assert len(rows) == n
    assert {row["Villages choisis"] for row in rows} == {"Auch"}
    assert export_entries().count() == n
    # Request set-up, the ids, the log's bulk insert, then two queries per chunk of CHUNK prospects.
    others = [q for q in queries.captured_queries if not q["sql"].startswith("INSERT")]
    assert len(queries) - len(others) == insert_statements(n)
    assert len(others) <= 16, "\n".join(q["sql"][:120] for q in others)
    assert sum(1 for q in others if 'FROM "prospects_prospect_villages"' in q["sql"]) == 3
