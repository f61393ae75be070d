"""Import of the programme's existing spreadsheets of contacts: file, mapping, preview, confirmation.

tests/prospects/data/contacts.csv (UTF-8 with BOM, commas) holds, by spreadsheet line:
2, 3, 6 good rows; 4 an invalid email, number, date and yes/no; 5 the email of a prospect already
followed (other case); 7 the email of line 2 (other case); 8 no first name; 9 no email nor phone;
10 the phone of a prospect already followed (+33 form); 11 an unknown sector.
"""

import io
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from sohosolo.accounts.models import Role
from sohosolo.core.scheduler import REGISTRY
from sohosolo.prospects.imports import (
    MAX_ROWS,
    ImportNotPending,
    ImportRefused,
    RowStatus,
    apply_import_batch,
    import_batch_apply,
    import_batch_cancel,
    import_batch_create,
    import_batch_map,
    import_batch_preview,
    import_file_read,
    import_previews_purge,
    line_ranges,
    mapping_guess,
    purge_import_previews,
)
from sohosolo.prospects.models import (
    Activity,
    ActivityKind,
    Channel,
    ConsentPurpose,
    ConsentRecord,
    ConsentSource,
    ImportBatch,
    ImportStatus,
    Prospect,
    Sector,
    Timing,
    WorkStatus,
)
from tests.accounts.staff_factories import member
from tests.prospects.factories import ProspectFactory
from tests.villages.factories import committee_member, village_in

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
UPLOAD = "/fr/suivi/porteurs/import/"
LANDES = {"HTTP_HOST": "landes.localhost"}
BASIS = "Bulletin papier du salon de Paris, mars 2025"


def mapping_url(batch) -> str:
    return f"/fr/suivi/porteurs/import/{batch.pk}/colonnes/"


def preview_url(batch) -> str:
    return f"/fr/suivi/porteurs/import/{batch.pk}/apercu/"


def confirm_url(batch) -> str:
    return f"/fr/suivi/porteurs/import/{batch.pk}/confirmer/"


def cancel_url(batch) -> str:
    return f"/fr/suivi/porteurs/import/{batch.pk}/annuler/"


def done_url(batch) -> str:
    return f"/fr/suivi/porteurs/import/{batch.pk}/resultat/"


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr")


@pytest.fixture
def already_followed(gers):
    """Two prospects of the Gers the file repeats: one by email (line 5), one by phone (line 10)."""
    return (
        ProspectFactory(territory=gers, first_name="Paul", last_name="Durand", email="deja.suivi@exemple.fr"),
        ProspectFactory(
            territory=gers, first_name="Anne", last_name="Leroy", email="", phone="06 99 88 77 66"
        ),
    )


def upload(client, name: str, data: bytes, *, channel=Channel.FAIR, basis=BASIS, **extra):
    return client.post(
        UPLOAD,
        {"file": SimpleUploadedFile(name, data), "channel": channel, "consent_basis": basis},
        **extra,
    )


def contacts_csv() -> bytes:
    return (DATA / "contacts.csv").read_bytes()


def post_guessed_mapping(client, batch):
    """Submit the mapping page as guessed (the values pre-selected in its form)."""
    form = client.get(mapping_url(batch)).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    return client.post(mapping_url(batch), data)


@pytest.fixture
def batch(client, advisor, gers, already_followed) -> ImportBatch:
    """The sample CSV uploaded by the advisor and mapped as guessed."""
    client.force_login(advisor)
    response = upload(client, "contacts.csv", contacts_csv())
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == mapping_url(batch)
    response = post_guessed_mapping(client, batch)
    assert response.status_code == 302 and response["Location"] == preview_url(batch)
    batch.refresh_from_db()
    return batch


# --- Reading the file and guessing the columns -----------------------------------------------------


def test_the_file_is_read_into_a_batch_in_preview_with_the_columns_guessed(batch, advisor, gers):
    assert batch.territory == gers and batch.created_by == advisor
    assert batch.status == ImportStatus.PREVIEW
    assert batch.filename == "contacts.csv" and batch.channel == Channel.FAIR and batch.consent_basis == BASIS
    assert batch.columns[0] == "Prénom"  # the BOM is not part of the first header
    assert len(batch.rows) == 10 and batch.rows[0][:2] == ["Élise", "Martin"]
    assert batch.rows[0][13] == "Rencontrée au salon, très motivée"  # a quoted comma stays in its cell
    assert batch.mapping == {
        "first_name": 0,
        "last_name": 1,
        "email": 2,
        "phone": 3,
        "current_location": 4,
        "activity": 5,
        "sector": 6,
        "work_status": 7,
        "adults": 8,
        "children": 9,
        "timing": 10,
        "created_at": 11,
        "consent_newsletter": 12,
        "message": 13,
    }
    assert Prospect.objects.count() == 2  # nothing created yet


def test_the_mapping_page_shows_each_field_with_the_files_columns(client, batch):
    response = client.get(mapping_url(batch))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Colonnes du fichier" in content
    assert "<legend><h2>Identité et coordonnées</h2></legend>" in content
    assert 'id="id_first_name"' in content and 'id="id_consent_newsletter"' in content
    assert "Courriel (ex. : elise.martin@exemple.fr)" in content


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["First name", "Last name", "E-mail", "Phone", "City", "Job", "Created"],
            {
                "first_name": 0,
                "last_name": 1,
                "email": 2,
                "phone": 3,
                "current_location": 4,
                "activity": 5,
                "created_at": 6,
            },
        ),
        (
            [
                "Nom de famille",
                "Prénom",
                "Adresse e-mail",
                "Tél. portable",
                "Date de naissance",
                "Date du contact",
            ],
            {"last_name": 0, "first_name": 1, "email": 2, "phone": 3, "created_at": 5},
        ),
        (
            ["Mail", "Prenom", "Nombre d'enfants", "Infolettre", "Secteur d'activité", "Statut"],
            {
                "email": 0,
                "first_name": 1,
                "children": 2,
                "consent_newsletter": 3,
                "sector": 4,
                "work_status": 5,
            },
        ),
    ],
)
def test_columns_are_guessed_from_french_and_english_headers(headers, expected):
    assert mapping_guess(headers) == expected


def test_the_mapping_needs_the_first_name_and_an_email_or_a_phone(client, batch):
    data = {"first_name": "", "last_name": "1", "email": "", "phone": ""}

    response = client.post(mapping_url(batch), data)

    assert response.status_code == 400
    content = response.content.decode()
    assert "Choisissez la colonne du prénom." in content
    assert "Choisissez la colonne du courriel ou celle du téléphone" in content
    batch.refresh_from_db()
    assert batch.mapping["first_name"] == 0  # unchanged
    with pytest.raises(ImportRefused):
        import_batch_map(batch=batch, mapping={"email": 2})


# --- The preview -----------------------------------------------------------------------------------


def test_the_preview_gives_each_row_its_status_and_line_number(batch, already_followed):
    preview = import_batch_preview(batch)

    statuses = {row.line: row.status for row in preview.rows}
    assert statuses == {
        2: RowStatus.OK,
        3: RowStatus.OK,
        4: RowStatus.ERROR,
        5: RowStatus.DUPLICATE,
        6: RowStatus.OK,
        7: RowStatus.DUPLICATE,
        8: RowStatus.ERROR,
        9: RowStatus.ERROR,
        10: RowStatus.DUPLICATE,
        11: RowStatus.ERROR,
    }
    assert preview.counts == {"total": 10, "ok": 3, "error": 4, "duplicate": 3}
    rows = {row.line: row for row in preview.rows}
    assert {e.field for e in rows[4].errors} == {"email", "adults", "created_at", "consent_newsletter"}
    assert [e.field for e in rows[8].errors] == ["first_name"]
    assert "ni courriel ni téléphone" in rows[9].errors[0].message
    assert [e.field for e in rows[11].errors] == ["sector"]
    assert "Astrophysique" in rows[11].errors[0].message
    by_email, by_phone = already_followed
    assert rows[5].duplicate_of == by_email and rows[5].duplicate_on == "email"
    assert rows[10].duplicate_of == by_phone and rows[10].duplicate_on == "phone"
    assert rows[7].duplicate_of is None and rows[7].duplicate_line == 2
    # French labels mapped leniently to the choices' values.
    assert (
        rows[2].values["sector"] == Sector.CREATIVE and rows[2].values["work_status"] == WorkStatus.FREELANCE
    )
    assert (
        rows[2].values["timing"] == Timing.SIX_TO_12
        and rows[3].values["work_status"] == WorkStatus.TELEWORKER
    )
    assert rows[6].values["timing"] == Timing.OVER_12 and rows[6].values["sector"] == Sector.CONSULTING


def test_the_preview_page_shows_counts_errors_with_line_numbers_and_duplicates(
    client, batch, already_followed
):
    response = client.get(preview_url(batch))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Aperçu de l'import</h1>" in content
    assert "<dt>Contacts à créer</dt><dd>3</dd>" in content
    assert "<dt>Doublons, non créés</dt><dd>3</dd>" in content
    assert "<dt>Lignes en erreur, non créées</dt><dd>4</dd>" in content
    assert "Ligne 4, Courriel : « pas-une-adresse » n&#x27;est pas une adresse valide." in content
    assert "Ligne 4, Adultes : « deux » n&#x27;est pas un nombre entre 0 et 99." in content
    assert "Ligne 4, Date du premier contact : « 32/13/2025 » n&#x27;est pas une date lisible" in content
    assert "Ligne 8, Prénom : prénom manquant." in content
    assert "Ligne 11, Secteur : « Astrophysique » ne correspond à aucune valeur connue" in content
    assert "Même courriel qu'à la ligne 2 : non créé deux fois." in content
    assert "Paul Durand" in content and "Anne Leroy" in content
    for prospect in already_followed:  # named, with a link to their page
        assert f'<a href="{reverse("prospects_staff:detail", args=[prospect.pk])}">{prospect}</a>' in content
    # Accessible table: a caption, header cells with scope, the status as text, a focusable region.
    assert '<caption id="preview-caption">' in content
    assert 'role="region" aria-labelledby="preview-caption" tabindex="0"' in content
    assert '<th scope="row">4</th>' in content and '<th scope="col">État</th>' in content
    assert ">À créer</td>" in content and ">Doublon</td>" in content and ">Erreur</td>" in content
    assert Prospect.objects.count() == 2  # still nothing applied


def test_the_preview_can_show_only_one_status(client, batch):
    response = client.get(preview_url(batch) + "?statut=erreurs")

    lines = [row.line for row in response.context["page"].object_list]
    assert lines == [4, 8, 9, 11]


# --- Confirmation ----------------------------------------------------------------------------------


def test_confirm_creates_only_the_good_rows_with_their_consent_and_an_activity(
    client, batch, advisor, gers, already_followed
):
    response = client.post(confirm_url(batch))

    assert response.status_code == 302 and response["Location"] == done_url(batch)
    created = Prospect.objects.exclude(pk__in=[p.pk for p in already_followed]).order_by("created_at")
    assert [(p.first_name, p.last_name) for p in created] == [
        ("Élise", "Martin"),
        ("Hugo", "Bernard"),
        ("Léa", "Petit"),
    ]
    elise, hugo, lea = created
    assert all(p.territory == gers and p.channel == Channel.FAIR for p in created)
    assert elise.email == "elise.martin@exemple.fr" and elise.phone == "06 11 22 33 44"
    assert elise.current_location == "Lyon" and elise.activity == "Graphiste"
    assert (elise.adults, elise.children) == (2, 1)
    assert elise.message == "Rencontrée au salon, très motivée"
    assert timezone.localtime(elise.created_at).date() == date(2025, 3, 15)
    assert timezone.localtime(hugo.created_at).date() == date(2025, 3, 16)
    assert timezone.localtime(elise.last_inbound_at).date() == date(2025, 3, 15)
    assert lea.created_at.date() == timezone.now().date()  # no date in the file: today
    assert lea.phone == "07 55 66 77 88" and lea.email == ""
    # The consent ledger: contact granted with the batch's basis, by the advisor; the newsletter as mapped.
    for prospect in created:
        contact = ConsentRecord.objects.get(prospect=prospect, purpose=ConsentPurpose.CONTACT)
        assert contact.granted and contact.source == ConsentSource.IMPORT
        assert contact.basis == BASIS and contact.recorded_by == advisor
        assert prospect.consent_contact
    newsletter = {
        c.prospect_id: c.granted for c in ConsentRecord.objects.filter(purpose=ConsentPurpose.NEWSLETTER)
    }
    assert newsletter == {elise.pk: True, hugo.pk: False}
    assert elise.consent_newsletter and not hugo.consent_newsletter and not lea.consent_newsletter
    # The timeline: an IMPORT activity on each new prospect, and on the prospects the file repeated.
    imports = Activity.objects.filter(kind=ActivityKind.IMPORT)
    assert {a.prospect_id for a in imports} == {elise.pk, hugo.pk, lea.pk, *(p.pk for p in already_followed)}
    assert imports.get(prospect=elise).data == {"batch": batch.pk, "line": 2, "channel": "fair"}
    assert "ligne 5" in imports.get(prospect=already_followed[0]).text
    assert imports.get(prospect=elise).author == advisor
    # Personal data cleared; the summary keeps counts and line numbers.
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED and batch.applied_at is not None
    assert batch.rows == []
    assert batch.summary == {
        "header_line": 1,
        "created": 3,
        "created_lines": [2, 3, 6],
        "duplicates": 3,
        "duplicate_lines": [5, 7, 10],
        "noted_on_existing_lines": [5, 10],
        "errors": 4,
        "error_lines": [4, 8, 9, 11],
    }


def test_the_summary_page_gives_counts_and_line_numbers(client, batch):
    response = client.post(confirm_url(batch), follow=True)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Import terminé : 3 contacts créés." in content
    assert "<dt>Contacts créés</dt><dd>3</dd>" in content
    assert "<dd>2, 3, 6</dd>" in content  # created
    assert "<dd>5, 10</dd>" in content  # duplicates of prospects already followed
    assert "<dd>7</dd>" in content  # duplicate of an earlier line
    assert "<dd>4, 8, 9, 11</dd>" in content  # errors
    assert "Élise" not in content  # no personal data on the summary


def test_a_double_confirm_applies_once(client, batch):
    first = client.post(confirm_url(batch))
    count = Prospect.objects.count()
    second = client.post(confirm_url(batch), follow=True)

    assert first.status_code == 302
    assert Prospect.objects.count() == count == 5
    assert ConsentRecord.objects.filter(purpose=ConsentPurpose.CONTACT).count() == 3
    assert "Cet import a déjà été appliqué ou annulé" in second.content.decode()
    assert second.redirect_chain[-1][0] == done_url(batch)


def test_a_stale_batch_cannot_be_applied_a_second_time(batch, advisor):
    stale = ImportBatch.objects.get(pk=batch.pk)  # loaded before the first apply, still "preview"
    import_batch_apply(batch=batch, by=advisor)

    with pytest.raises(ImportNotPending):
        import_batch_apply(batch=stale, by=advisor)
    with pytest.raises(ImportNotPending):
        import_batch_cancel(batch=stale, by=advisor)
    assert Prospect.objects.count() == 5


def test_a_prospect_created_after_the_preview_is_not_duplicated_on_confirm(client, batch, gers):
    ProspectFactory(territory=gers, first_name="Hugo", email="HUGO.bernard@exemple.fr")

    client.post(confirm_url(batch))

    assert Prospect.objects.filter(email__iexact="hugo.bernard@exemple.fr").count() == 1
    batch.refresh_from_db()
    assert batch.summary["created_lines"] == [2, 6]


def test_a_large_file_is_applied_by_a_background_task(client, batch, monkeypatch):
    monkeypatch.setattr("sohosolo.prospects.views.imports.SYNC_ROWS", 5)  # the file has 10 rows

    response = client.post(confirm_url(batch))

    # The tests' task backend runs the task at once.
    assert response["Location"] == done_url(batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED and batch.rows == [] and batch.summary["created"] == 3
    assert Prospect.objects.count() == 5


def test_a_queued_batch_shows_its_progress_and_its_task_applies_it_once(client, batch, advisor, monkeypatch):
    queued = []

    class Later:
        @staticmethod
        def enqueue(*args):
            queued.append(args)

    monkeypatch.setattr("sohosolo.prospects.views.imports.SYNC_ROWS", 5)
    monkeypatch.setattr("sohosolo.prospects.imports.apply_import_batch", Later)

    client.post(confirm_url(batch))
    client.post(confirm_url(batch))  # a second click queues a second task

    assert queued == [(batch.pk, advisor.pk), (batch.pk, advisor.pk)]
    assert "L'import est en cours" in client.get(done_url(batch)).content.decode()
    assert "en cours de traitement en arrière-plan" in client.get(preview_url(batch)).content.decode()
    assert Prospect.objects.count() == 2
    monkeypatch.undo()
    assert apply_import_batch.call(batch.pk, advisor.pk)["created"] == 3
    assert apply_import_batch.call(batch.pk, advisor.pk) is None
    assert Prospect.objects.count() == 5
    assert "<dt>Contacts créés</dt><dd>3</dd>" in client.get(done_url(batch)).content.decode()


# --- Cancel ----------------------------------------------------------------------------------------


def test_cancelling_clears_the_rows_and_creates_nothing(client, batch):
    response = client.post(cancel_url(batch), follow=True)

    assert response.redirect_chain[-1][0] == done_url(batch)
    assert "Import annulé" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED and batch.rows == []
    assert Prospect.objects.count() == 2
    # A cancelled batch cannot be confirmed any more, nor previewed.
    client.post(confirm_url(batch))
    assert Prospect.objects.count() == 2
    assert client.get(preview_url(batch))["Location"] == done_url(batch)


# --- Other files -----------------------------------------------------------------------------------


def test_a_semicolon_csv_in_windows_1252_is_read(client, advisor):
    client.force_login(advisor)
    response = upload(client, "export-2024.csv", (DATA / "contacts_cp1252.csv").read_bytes())

    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.columns == ["Prénom", "Nom", "E-mail", "Tél.", "Commune", "Métier", "Date de contact"]
    assert batch.rows[1][:2] == ["François", "Gérard"]
    assert batch.mapping == {
        "first_name": 0,
        "last_name": 1,
        "email": 2,
        "phone": 3,
        "current_location": 4,
        "activity": 5,
        "created_at": 6,
    }
    summary = import_batch_apply(batch=batch, by=advisor)
    assert summary["created"] == 2
    amelie = Prospect.objects.get(first_name="Amélie")
    assert amelie.current_location == "Besançon" and amelie.activity == "Céramiste"
    assert timezone.localtime(amelie.created_at).date() == date(2024, 2, 1)


def test_a_tab_separated_utf8_file_without_bom_is_read():
    data = "Prénom\tCourriel\nNoé\tnoe@exemple.fr\n".encode()

    parsed = import_file_read(filename="contacts.txt", data=data)

    assert parsed.columns == ["Prénom", "Courriel"] and parsed.rows == [["Noé", "noe@exemple.fr"]]


def test_a_utf16_export_of_excel_is_read():
    data = "Prénom\tTéléphone\nJosé\t06 01 02 03 04\n".encode("utf-16")

    parsed = import_file_read(filename="contacts.txt", data=data)

    assert parsed.rows == [["José", "06 01 02 03 04"]]


def test_an_xlsx_workbook_is_read_from_its_first_sheet(client, advisor, gers):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Contacts"
    sheet.append(["Liste des contacts du salon"])  # a title row above the headers
    sheet.append([])
    sheet.append(["Prénom", "Nom", "Courriel", "Téléphone", "Adultes", "Date", "Newsletter"])
    sheet.append(["Inès", "Garcia", "ines@exemple.fr", 612345678, 2, datetime(2025, 4, 2), True])
    sheet.append(["Yann", "Le Gall", "yann@exemple.fr", None, 1.0, datetime(2025, 4, 3, 14, 30), "non"])
    workbook.create_sheet("Autre").append(["Prénom", "Courriel"])
    out = io.BytesIO()
    workbook.save(out)
    client.force_login(advisor)

    response = upload(client, "contacts.xlsx", out.getvalue())

    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.columns == ["Prénom", "Nom", "Courriel", "Téléphone", "Adultes", "Date", "Newsletter"]
    assert batch.rows == [
        ["Inès", "Garcia", "ines@exemple.fr", "612345678", "2", "2025-04-02", "oui"],
        ["Yann", "Le Gall", "yann@exemple.fr", "", "1", "2025-04-03 14:30", "non"],
    ]
    preview = import_batch_preview(batch)
    assert [row.line for row in preview.rows] == [4, 5]  # the spreadsheet's own line numbers
    assert preview.counts["ok"] == 2
    import_batch_apply(batch=batch, by=advisor)
    ines = Prospect.objects.get(first_name="Inès")
    assert ines.phone == "0612345678"  # the leading zero the spreadsheet dropped
    assert ines.adults == 2 and ines.consent_newsletter
    yann = Prospect.objects.get(first_name="Yann")
    assert timezone.localtime(yann.created_at).replace(tzinfo=None) == datetime(2025, 4, 3, 14, 30)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("contacts.csv", b"", "Le fichier est vide."),
        ("contacts.csv", b"\r\n\r\n", "Le fichier est vide."),
        ("contacts.csv", "Prénom;Courriel\r\n".encode(), "aucune ligne de contact à importer"),
        ("contacts.xlsx", b"PK\x03\x04 not really a zip", "le fichier est peut-être abîmé"),
        ("contacts.xlsx", b"just some text", "le fichier est peut-être abîmé"),
        ("contacts.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003 (.xls)"),
        ("contacts.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ni un CSV ni un classeur XLSX"),
        ("contacts.csv", b"une seule colonne\nbonjour\n", "Une seule colonne trouvée"),
        ("contacts.pdf", b"%PDF-1.4", "Choisissez un fichier .csv ou .xlsx."),
    ],
)
def test_an_unreadable_or_empty_file_gives_a_clear_error_and_stores_nothing(
    client, advisor, name, data, message
):
    client.force_login(advisor)

    response = upload(client, name, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def xlsx_bytes(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_opendocument_or_oversized_workbook_is_refused(monkeypatch):
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(ImportRefused, match="OpenDocument"):
        import_file_read(filename="contacts.ods", data=ods.getvalue())

    data = xlsx_bytes(["Prénom", "Courriel"], ["Noé", "noe@exemple.fr"])
    assert import_file_read(filename="contacts.xlsx", data=data).rows == [["Noé", "noe@exemple.fr"]]
    monkeypatch.setattr("sohosolo.prospects.imports.MAX_UNZIPPED", 1000)
    with pytest.raises(ImportRefused, match="trop volumineux une fois décompressé"):
        import_file_read(filename="contacts.xlsx", data=data)


def test_a_file_over_5_mb_is_refused(client, advisor):
    client.force_login(advisor)
    data = b"Prenom;Courriel\n" + b"x" * (5 * 1024 * 1024)

    response = upload(client, "big.csv", data)

    assert response.status_code == 400
    assert "Le fichier dépasse 5 Mo" in response.content.decode()
    assert not ImportBatch.objects.exists()
    with pytest.raises(ImportRefused):
        import_file_read(filename="big.csv", data=data)


def test_a_file_over_5000_rows_is_refused(client, advisor):
    client.force_login(advisor)
    lines = ["Prénom;Courriel"] + [f"P{i};p{i}@exemple.fr" for i in range(MAX_ROWS + 1)]

    response = upload(client, "many.csv", "\n".join(lines).encode())

    assert response.status_code == 400
    assert "plus de 5\u202f000 lignes" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert len(import_file_read(filename="ok.csv", data="\n".join(lines[:-1]).encode()).rows) == MAX_ROWS


def test_the_consent_basis_and_the_channel_are_required(client, advisor, gers):
    client.force_login(advisor)

    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("c.csv", contacts_csv()), "consent_basis": " "}
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Dites comment et quand ces personnes ont accepté d&#x27;être contactées." in content
    assert not ImportBatch.objects.exists()
    with pytest.raises(ImportRefused):
        import_batch_create(
            territory=gers,
            by=advisor,
            filename="c.csv",
            data=contacts_csv(),
            channel=Channel.FAIR,
            consent_basis="  ",
        )


# --- Purge of stale previews -----------------------------------------------------------------------


def test_previews_older_than_a_day_are_purged(gers, advisor):
    data = (DATA / "contacts_cp1252.csv").read_bytes()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        stale = import_batch_create(
            territory=gers, by=advisor, filename="a.csv", data=data, channel=Channel.FAIR, consent_basis=BASIS
        )
        applied = import_batch_create(
            territory=gers, by=advisor, filename="b.csv", data=data, channel=Channel.FAIR, consent_basis=BASIS
        )
        import_batch_apply(batch=applied, by=advisor)
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        fresh = import_batch_create(
            territory=gers, by=advisor, filename="c.csv", data=data, channel=Channel.FAIR, consent_basis=BASIS
        )
        assert import_previews_purge() == 0
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert purge_import_previews.call() == 1

    assert set(ImportBatch.objects.values_list("pk", flat=True)) == {applied.pk, fresh.pk}
    assert not ImportBatch.objects.filter(pk=stale.pk).exists()


def test_the_purge_is_a_daily_scheduled_job():
    assert REGISTRY["prospects.purge_import_previews"].every == timedelta(days=1)
    assert REGISTRY["prospects.purge_import_previews"].task == purge_import_previews


# --- Who may import --------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login(client, gers):
    response = client.get(UPLOAD)

    assert response.status_code == 302
    assert response["Location"].startswith("/fr/compte/connexion/?next=/fr/suivi/porteurs/import/")


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PROSPECT, Role.PARTNER])
def test_a_person_without_a_staff_role_is_refused(client, batch, gers, role):
    user = committee_member(village_in(gers)) if role == Role.COMMITTEE else member(gers, role)
    client.force_login(user)

    assert client.get(UPLOAD).status_code == 403
    assert upload(client, "contacts.csv", contacts_csv()).status_code == 403
    assert client.get(preview_url(batch)).status_code == 403
    assert client.post(confirm_url(batch)).status_code == 403
    assert ImportBatch.objects.count() == 1 and Prospect.objects.count() == 2


def test_a_territory_admin_may_import(client, gers):
    client.force_login(member(gers, Role.TERRITORY_ADMIN))

    assert client.get(UPLOAD).status_code == 200
    assert upload(client, "contacts.csv", contacts_csv()).status_code == 302


def test_the_batches_of_another_territory_answer_not_found(client, batch, landes):
    client.force_login(member(landes, Role.ADVISOR))

    # On their own territory's site, the Gers batch does not exist.
    for url in (mapping_url(batch), preview_url(batch), done_url(batch)):
        assert client.get(url, **LANDES).status_code == 404
    assert client.post(confirm_url(batch), **LANDES).status_code == 404
    assert client.post(cancel_url(batch), **LANDES).status_code == 404
    # On the Gers site, they have no role at all.
    assert client.get(UPLOAD).status_code == 404
    assert client.get(preview_url(batch)).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW and Prospect.objects.count() == 2


def test_line_ranges():
    assert line_ranges([10, 2, 3, 4, 7, 9]) == "2–4, 7, 9, 10"
    assert line_ranges([]) == ""
