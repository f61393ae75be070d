"""Exports of the pipeline list (CSV, XLSX) and their audit trail.

An export holds personal data: each one is logged, one django-auditlog ACCESS entry per exported
prospect (``prospects_log_export``), before the file is produced. Rows are read by chunks of
``CHUNK`` prospects with ``values()``, so 10,000 rows stream in a few dozen queries and little memory.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Channel, HeardFrom, LostReason, Need, Prospect, Sector, Stage, Timing, WorkStatus
from .selectors import person_name

FORMATS = ("csv", "xlsx")
CHUNK = 500
CSV_DELIMITER = ";"  # what Excel expects in French locales
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell a spreadsheet would run as a formula (CSV injection); a phone number such as "+33 6…" is not one.
_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?![\d\s().]*$))")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

VALUE_FIELDS = (
    "pk",
    "first_name",
    "last_name",
    "email",
    "phone",
    "current_location",
    "stage",
    "stage_changed_at",
    "lost_reason",
    "advisor__first_name",
    "advisor__last_name",
    "advisor__email",
    "channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "heard_from",
    "sector",
    "activity",
    "work_status",
    "adults",
    "children",
    "timing",
    "anywhere",
    "needs",
    "consent_contact",
    "consent_share_villages",
    "consent_newsletter",
    "created_at",
    "next_action_on",
    "next_action",
    "installed_on",
    "is_sample",
)


class ExportError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- Audit ----------------------------------------------------------------------------------------


@transaction.atomic
def prospects_log_export(
    *, territory, user, prospect_ids: list[int], fmt: str, remote_addr: str | None = None
) -> int:
    """Write one audit entry (ACCESS, "export") per exported prospect, in one bulk insert.

    The entries carry no personal data (they outlive an erasure): the prospect's id, the territory,
    the format and the size of the export. Returns the number of entries written.
    """
    if fmt not in FORMATS:
        raise ExportError(_("Format d'export inconnu."))
    content_type = ContentType.objects.get_for_model(Prospect)
    actor = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    cid = get_cid()
    count = len(prospect_ids)
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(pk),
                object_id=pk,
                object_repr="export",
                action=LogEntry.Action.ACCESS,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                remote_addr=remote_addr or None,
                cid=cid,
                timestamp=now,
                additional_data={"territory": territory.pk, "prospect": pk, "export": fmt, "count": count},
            )
            for pk in prospect_ids
        ]
    )
    return count


# --- Rows -----------------------------------------------------------------------------------------


@dataclass
class Export:
    """The rows of an export, read lazily; headers and labels are resolved at creation, in the
    request's language (a streamed response is written after the view has returned)."""

    territory: object
    prospect_ids: list[int]

    def __post_init__(self):
        self.headers = [
            _("N°"),
            _("Prénom"),
            _("Nom de famille"),
            _("Adresse e-mail"),
            _("Téléphone"),
            _("Vit aujourd'hui à"),
            _("Étape"),
            _("Étape depuis le"),
            _("Motif de perte"),
            _("Conseiller"),
            _("Canal"),
            _("Source de campagne"),
            _("Support de campagne"),
            _("Campagne"),
            _("Nous a connus par"),
            _("Secteur"),
            _("Activité"),
            _("Situation professionnelle"),
            _("Adultes"),
            _("Enfants"),
            _("Échéance"),
            _("Villages choisis"),
            _("N'importe où dans le territoire"),
            _("Besoins"),
            _("Accepte d'être contacté"),
            _("Partage avec les villages"),
            _("Lettre d'information"),
            _("Créé le"),
            _("Prochaine action le"),
            _("Prochaine action"),
            _("Installé le"),
            _("Donnée d'exemple"),
        ]
        self._labels = {
            name: {value: str(label) for value, label in choices.choices}
            for name, choices in {
                "stage": Stage,
                "lost_reason": LostReason,
                "channel": Channel,
                "heard_from": HeardFrom,
                "sector": Sector,
                "work_status": WorkStatus,
                "timing": Timing,
                "needs": Need,
            }.items()
        }
        self._yes, self._no = _("oui"), _("non")

    def __len__(self) -> int:
        return len(self.prospect_ids)

    def _label(self, name: str, value: str) -> str:
        return self._labels[name].get(value, value) if value else ""

    def _yes_no(self, value) -> str:
        return "" if value is None else (self._yes if value else self._no)

    def _row(self, row: dict, villages: list[str]) -> list:
        advisor = person_name(
            _Named(row["advisor__first_name"], row["advisor__last_name"], row["advisor__email"])
            if row["advisor__email"]
            else None
        )
        return [
            row["pk"],
            row["first_name"],
            row["last_name"],
            row["email"],
            row["phone"],
            row["current_location"],
            self._label("stage", row["stage"]),
            _local_date(row["stage_changed_at"]),
            self._label("lost_reason", row["lost_reason"]),
            advisor,
            self._label("channel", row["channel"]),
            row["utm_source"],
            row["utm_medium"],
            row["utm_campaign"],
            self._label("heard_from", row["heard_from"]),
            self._label("sector", row["sector"]),
            row["activity"],
            self._label("work_status", row["work_status"]),
            row["adults"],
            row["children"],
            self._label("timing", row["timing"]),
            ", ".join(villages),
            self._yes_no(row["anywhere"]),
            ", ".join(self._label("needs", need) for need in (row["needs"] or []) if isinstance(need, str)),
            self._yes_no(row["consent_contact"]),
            self._yes_no(row["consent_share_villages"]),
            self._yes_no(row["consent_newsletter"]),
            _local_date(row["created_at"]),
            row["next_action_on"],
            row["next_action"],
            row["installed_on"],
            self._yes_no(row["is_sample"]),
        ]

    def rows(self) -> Iterator[list]:
        """The rows in the list's order, read CHUNK prospects at a time (values(), no model objects)."""
        through = Prospect.villages.through
        for start in range(0, len(self.prospect_ids), CHUNK):
            chunk = self.prospect_ids[start : start + CHUNK]
            values = {
                row["pk"]: row
                for row in Prospect.objects.active()
                .of_territory(self.territory)
                .filter(pk__in=chunk)
                .order_by()
                .values(*VALUE_FIELDS)
            }
            villages = defaultdict(list)
            for prospect_id, name in (
                through.objects.filter(prospect_id__in=chunk)
                .order_by("village__commune__name")
                .values_list("prospect_id", "village__commune__name")
            ):
                villages[prospect_id].append(name)
            for pk in chunk:
                if pk in values:  # erased since the export started: left out
                    yield self._row(values[pk], villages[pk])


@dataclass
class _Named:
    first_name: str
    last_name: str
    email: str

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def _local_date(value) -> date | None:
    return timezone.localtime(value).date() if value else None


# --- Files ----------------------------------------------------------------------------------------


def export_filename(territory, fmt: str) -> str:
    return f"porteurs-de-projet-{territory.slug}-{timezone.localdate().isoformat()}.{fmt}"


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if _FORMULA.match(text) else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(export: Export) -> Iterator[str]:
    """UTF-8 with a byte order mark (so Excel reads the accents), ';'-separated, ISO dates."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff" + writer.writerow(export.headers)
    for row in export.rows():
        yield writer.writerow([_csv_cell(value) for value in row])


def _no_store(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


def csv_response(export: Export, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(export), content_type="text/csv; charset=utf-8")
    return _no_store(response, filename)


def xlsx_bytes(export: Export, *, title: str) -> bytes:
    """A write-only workbook: bold frozen header, real dates (ISO format), text never run as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(export.headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(header) + 4))
    bold = Font(bold=True)
    header_cells = []
    for header in export.headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in export.rows():
        sheet.append([_xlsx_cell(sheet, value, WriteOnlyCell) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value, cell_class):
    if isinstance(value, str):
        value = _ILLEGAL_XLSX.sub("", value)
        if value.startswith("="):
            cell = cell_class(sheet, value=value)
            cell.data_type = "s"  # shown as typed, never evaluated
            return cell
    return value


def xlsx_response(export: Export, filename: str, *, title: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(export, title=title), content_type=XLSX_CONTENT_TYPE)
    return _no_store(response, filename)


def export_response(export: Export, fmt: str, *, filename: str, title: str) -> HttpResponse:
    if fmt == "csv":
        return csv_response(export, filename)
    return xlsx_response(export, filename, title=title)


def prospect_ids(queryset) -> list[int]:
    """The ids of the (filtered, ordered) list, all pages: what is exported and logged."""
    return list(queryset.prefetch_related(None).values_list("pk", flat=True))
