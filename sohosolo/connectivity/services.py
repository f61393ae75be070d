"""Writes on connectivity: the import of official figures (CSV, see docs/connectivity-import.md) and the
committees' ground checks, which sit beside the official figures and never replace them."""

import csv
import datetime
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohosolo.core.locking import EditConflict, save_versioned
from sohosolo.core.page_cache import page_cache_bump
from sohosolo.territories.models import Commune
from sohosolo.territories.services import ImportFileError, ImportReport, RowError

from .models import OPERATORS, Connectivity, ConnectivityCorrection, MobileLevel

__all__ = [
    "COLUMNS",
    "CorrectionError",
    "EditConflict",
    "ImportFileError",
    "ImportReport",
    "connectivity_import_csv",
    "correction_create",
    "correction_delete",
    "correction_update",
]

# The documented columns, in order; `is_sample` (0/1) is an optional extra column.
COLUMNS = [
    "code", "fibre_share_pct", "best_dsl_mbps", "fixed_4g", "fixed_5g", "satellite",
    "mobile_orange", "mobile_sfr", "mobile_bouygues", "mobile_free", "source", "date",
]  # fmt: skip
OPTIONAL_COLUMNS = ["is_sample"]
IMPORTED_FIELDS = [
    "fibre_share_pct", "best_dsl_mbps", "fixed_4g", "fixed_5g", "satellite",
    "mobile_orange", "mobile_sfr", "mobile_bouygues", "mobile_free", "source", "date", "is_sample",
]  # fmt: skip
BOOLEANS = {"0": False, "1": True}
SOURCE_MAX_LENGTH = Connectivity._meta.get_field("source").max_length

Progress = Callable[[int, int], None]


# --- Reading the file ------------------------------------------------------------------------------


def _number(raw: str, column: str, high: float) -> float | None:
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{column} : nombre invalide ({raw!r})") from None
    if not 0 <= value <= high:
        raise ValueError(f"{column} : valeur hors limites ({raw.strip()}, attendu entre 0 et {high:g})")
    return value


def _boolean(raw: str, column: str) -> bool:
    value = BOOLEANS.get(raw.strip())
    if value is None:
        raise ValueError(f"{column} : booléen invalide ({raw!r}, attendu 0 ou 1)")
    return value


def _level(raw: str, column: str) -> str:
    value = raw.strip()
    if value not in MobileLevel.values:
        raise ValueError(f"{column} : niveau invalide ({raw!r}, attendu {', '.join(MobileLevel.values)})")
    return value


def _date(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"date : date invalide ({raw!r}, format AAAA-MM-JJ attendu)") from None


def _parse_row(row: dict, *, sample: bool) -> dict:
    code = (row.get("code") or "").strip()
    if not code:
        raise ValueError("code : code de commune manquant")
    source = (row.get("source") or "").strip()
    if not source:
        raise ValueError("source : source manquante")
    if len(source) > SOURCE_MAX_LENGTH:
        raise ValueError(f"source : trop longue ({len(source)} caractères, {SOURCE_MAX_LENGTH} au plus)")
    values = {
        "code": code,
        "fibre_share_pct": _number(row["fibre_share_pct"] or "", "fibre_share_pct", 100),
        "best_dsl_mbps": _number(row["best_dsl_mbps"] or "", "best_dsl_mbps", 10_000),
        "source": source,
        "date": _date(row["date"] or ""),
    }
    for column in ("fixed_4g", "fixed_5g", "satellite"):
        values[column] = _boolean(row[column] or "", column)
    for operator in OPERATORS:
        column = f"mobile_{operator}"
        values[column] = _level(row[column] or "", column)
    raw_sample = row.get("is_sample")
    values["is_sample"] = sample or (
        _boolean(raw_sample, "is_sample") if raw_sample not in (None, "") else False
    )
    return values


def read_connectivity_csv(path: Path) -> list[tuple[int, dict]]:
    """Return (line number, row) for every row; raise ImportFileError if the file cannot be used at all.

    Accepts a UTF-8 file (with or without BOM) separated by commas or semicolons (spreadsheet exports).
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = fh.readline()
            delimiter = ";" if header.count(";") > header.count(",") else ","
            fh.seek(0)  # the utf-8-sig decoder is reset too, so a BOM is skipped again
            reader = csv.DictReader(fh, delimiter=delimiter)
            fieldnames = [name.strip() for name in reader.fieldnames or []]
            missing = [c for c in COLUMNS if c not in fieldnames]
            if missing:
                raise ImportFileError(f"colonnes manquantes : {', '.join(missing)}")
            reader.fieldnames = fieldnames
            rows = []
            for row in reader:
                if None in row:
                    raise ImportFileError(f"ligne {reader.line_num} : plus de valeurs que de colonnes")
                rows.append((reader.line_num, row))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(f"fichier CSV illisible : {exc}") from exc
    return rows


# --- Applying it -----------------------------------------------------------------------------------


@transaction.atomic
def connectivity_import_csv(
    *, path: Path, sample: bool = False, country: str = "FR", progress: Progress | None = None
) -> ImportReport:
    """Create or update the connectivity of each commune in the file (keyed by official code).

    A bad row is reported with its line and reason and skipped; the other rows are applied. An unreadable
    file, or one missing a column, raises ImportFileError and applies nothing. Running it twice changes
    nothing the second time.
    """
    rows = read_connectivity_csv(path)
    report = ImportReport()
    parsed: list[tuple[int, dict]] = []
    for line, raw in rows:
        try:
            parsed.append((line, _parse_row(raw, sample=sample)))
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc)))

    communes = dict(
        Commune.objects.filter(country=country, code__in=[v["code"] for _, v in parsed]).values_list(
            "code", "pk"
        )
    )
    existing = {c.commune_id: c for c in Connectivity.objects.filter(commune_id__in=communes.values())}
    to_create, to_update, seen = [], [], set()
    total = len(parsed)
    for index, (line, values) in enumerate(parsed, start=1):
        code = values.pop("code")
        if code not in communes:
            report.errors.append(RowError(line, f"code : commune inconnue ({code})"))
        elif code in seen:
            report.errors.append(RowError(line, f"code : commune {code} en double dans le fichier"))
        else:
            seen.add(code)
            current = existing.get(communes[code])
            if current is None:
                to_create.append(Connectivity(commune_id=communes[code], **values))
                report.created += 1
            else:
                changed = [f for f in IMPORTED_FIELDS if getattr(current, f) != values[f]]
                for f in changed:
                    setattr(current, f, values[f])
                if changed:
                    to_update.append(current)
                    report.updated += 1
                else:
                    report.unchanged += 1
        if progress and (index % 200 == 0 or index == total):
            progress(index, total)
    Connectivity.objects.bulk_create(to_create, batch_size=500)
    Connectivity.objects.bulk_update(to_update, IMPORTED_FIELDS, batch_size=500)
    # Bulk writes send no signal: forget cached map answers (fibre filter) ourselves.
    transaction.on_commit(page_cache_bump)
    report.errors.sort(key=lambda e: e.line)
    return report


# --- Committees' ground checks ---------------------------------------------------------------------


class CorrectionError(Exception):
    """A ground check was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _check(*, topic: str, note: str, checked_on: datetime.date) -> tuple[str, str]:
    topic, note = topic.strip(), note.strip()
    if not topic:
        raise CorrectionError(
            str(_("Indiquez ce qui a été vérifié (fibre, ADSL, réseau mobile…).")), field="topic"
        )
    if not note:
        raise CorrectionError(str(_("Décrivez ce que vous avez constaté.")), field="note")
    if checked_on > timezone.localdate():
        raise CorrectionError(
            str(_("La date de vérification ne peut pas être dans le futur.")), field="checked_on"
        )
    return topic, note


@transaction.atomic
def correction_create(
    *, commune: Commune, topic: str, note: str, checked_on: datetime.date, by
) -> ConnectivityCorrection:
    """Record a committee's ground check for a commune, shown beside the official figures."""
    topic, note = _check(topic=topic, note=note, checked_on=checked_on)
    return ConnectivityCorrection.objects.create(
        commune=commune, topic=topic, note=note, checked_on=checked_on, author=by
    )


@transaction.atomic
def correction_update(
    *,
    correction: ConnectivityCorrection,
    topic: str,
    note: str,
    checked_on: datetime.date,
    expected_version: int,
    by,
) -> ConnectivityCorrection:
    """Save an edited ground check unless someone saved it since the form was opened (EditConflict)."""
    correction.topic, correction.note = _check(topic=topic, note=note, checked_on=checked_on)
    correction.checked_on = checked_on
    return save_versioned(
        correction, expected_version=expected_version, fields=["topic", "note", "checked_on"]
    )


@transaction.atomic
def correction_delete(*, correction: ConnectivityCorrection, by) -> None:
    """Delete a ground check (the audit log keeps what it said; its actor comes from the request)."""
    correction.delete()
