"""Import of the programme's existing spreadsheets (CSV, XLSX): mapping, preview, confirmation.

The steps, each a function below:

1. ``import_batch_create`` reads the file (CSV with ``;``, ``,`` or tab, UTF-8 with or without BOM,
   UTF-16, Windows-1252 / Latin-1; or the first sheet of an XLSX workbook) into an ``ImportBatch``
   in preview, with the column mapping guessed from the header row (``mapping_guess``).
2. ``import_batch_map`` stores the mapping chosen by the advisor (prospect field -> column index).
3. ``import_batch_preview`` checks every row, computed on each call (nothing written): OK, ERROR
   (per-field messages) or DUPLICATE (of an active prospect of the territory, or of an earlier row).
4. ``import_batch_apply`` creates the OK rows once, even on a double submit (a conditional UPDATE on
   the status claims the batch), with their consent in the ledger (source: import, basis: the batch's)
   and an IMPORT activity; ``import_batch_cancel`` drops it. Both clear the rows (personal data): the
   summary keeps counts and line numbers only.
5. ``import_previews_purge``: previews nobody confirmed are deleted after 24 hours (daily job).

Line numbers are the spreadsheet's: the header's line plus the row's position (empty rows count).
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from sohosolo.core.scheduler import register_job

from .models import (
    ActivityKind,
    Channel,
    ConsentPurpose,
    ConsentSource,
    HeardFrom,
    ImportBatch,
    ImportStatus,
    Prospect,
    Sector,
    Timing,
    WorkStatus,
    normalise_phone,
)
from .services import ProspectError, activity_record, consent_record

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 100
MAX_CELL = 5000  # characters kept per cell
MAX_UNZIPPED = 100 * 1024 * 1024  # an XLSX is a zip: refuse one that would expand beyond this
# Above this many rows the confirmation hands the work to a background task (django_tasks): each
# created contact writes about twenty rows (prospect, ledger, timeline, audit log), too long for a request.
SYNC_ROWS = 500
PREVIEW_TTL = timedelta(hours=24)
DELIMITERS = (";", ",", "\t")


class ImportRefused(ProspectError):
    """The file or the batch cannot go further; ``message`` says why, for the advisor."""


class ImportNotPending(ImportRefused):
    """The batch was already applied or cancelled (a double submit, another tab)."""


# --- Prospect fields an import can fill -----------------------------------------------------------


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    kind: str  # text, email, phone, int, choice, date, bool
    max_length: int | None = None
    choices: type | None = None
    group: str = "identity"  # identity, project, other (the mapping page's fieldsets)
    synonyms: tuple[str, ...] = ()  # normalised header names (see _norm)
    keywords: tuple[str, ...] = ()  # words a header may contain


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "first_name",
        _("Prénom"),
        "text",
        100,
        synonyms=("prenom", "prenoms", "first name", "firstname", "given name", "forename"),
        keywords=("prenom",),
    ),
    ImportField(
        "last_name",
        _("Nom de famille"),
        "text",
        100,
        synonyms=("nom", "nom de famille", "last name", "lastname", "surname", "family name", "name"),
        keywords=("nom", "surname"),
    ),
    ImportField(
        "email",
        _("Courriel"),
        "email",
        254,
        synonyms=(
            "email",
            "e mail",
            "mail",
            "courriel",
            "adresse mail",
            "adresse email",
            "adresse e mail",
            "adresse electronique",
            "email address",
            "e mail address",
        ),
        keywords=("mail", "courriel"),
    ),
    ImportField(
        "phone",
        _("Téléphone"),
        "phone",
        30,
        synonyms=(
            "telephone",
            "tel",
            "portable",
            "mobile",
            "phone",
            "phone number",
            "numero de telephone",
            "gsm",
        ),
        keywords=("telephone", "tel", "phone", "portable", "mobile"),
    ),
    ImportField(
        "current_location",
        _("Ville actuelle"),
        "text",
        150,
        synonyms=(
            "ville",
            "commune",
            "ville actuelle",
            "lieu de residence",
            "residence",
            "localisation",
            "city",
            "town",
            "location",
            "ou vivez vous aujourd hui",
        ),
        keywords=("ville", "commune", "residence", "city"),
    ),
    ImportField(
        "activity",
        _("Activité"),
        "text",
        200,
        group="project",
        synonyms=("activite", "metier", "profession", "activity", "job", "occupation", "projet"),
        keywords=("activite", "metier", "profession"),
    ),
    ImportField(
        "sector",
        _("Secteur"),
        "choice",
        choices=Sector,
        group="project",
        synonyms=("secteur", "secteur d activite", "sector", "domaine", "filiere"),
        keywords=("secteur", "sector"),
    ),
    ImportField(
        "work_status",
        _("Situation professionnelle"),
        "choice",
        choices=WorkStatus,
        group="project",
        synonyms=("statut", "situation", "situation professionnelle", "statut professionnel", "work status"),
        keywords=("statut", "situation"),
    ),
    ImportField(
        "adults",
        _("Adultes"),
        "int",
        group="project",
        synonyms=("adultes", "nombre d adultes", "nb adultes", "adults"),
        keywords=("adulte", "adult"),
    ),
    ImportField(
        "children",
        _("Enfants"),
        "int",
        group="project",
        synonyms=("enfants", "nombre d enfants", "nb enfants", "children", "kids"),
        keywords=("enfant", "children"),
    ),
    ImportField(
        "timing",
        _("Échéance"),
        "choice",
        choices=Timing,
        group="project",
        synonyms=("echeance", "delai", "horizon", "quand", "timing", "calendrier", "date d installation"),
        keywords=("echeance", "delai"),
    ),
    ImportField(
        "message",
        _("Message, commentaires"),
        "text",
        group="project",
        synonyms=(
            "message",
            "messages",
            "commentaire",
            "commentaires",
            "remarque",
            "remarques",
            "note",
            "notes",
            "observations",
            "comments",
            "comment",
        ),
        keywords=("message", "commentaire", "remarque"),
    ),
    ImportField(
        "heard_from",
        _("Comment nous a-t-il connus ?"),
        "choice",
        choices=HeardFrom,
        group="other",
        synonyms=("source", "origine", "connu par", "comment nous avez vous connus", "heard from"),
        keywords=("connu",),
    ),
    ImportField(
        "created_at",
        _("Date du premier contact"),
        "date",
        group="other",
        synonyms=(
            "date",
            "date de contact",
            "date du contact",
            "date de creation",
            "cree le",
            "created",
            "created at",
            "date d inscription",
            "horodatage",
            "timestamp",
        ),
        keywords=("date",),
    ),
    ImportField(
        "consent_newsletter",
        _("Accepte la lettre d'information (oui / non)"),
        "bool",
        group="other",
        synonyms=("newsletter", "lettre d information", "infolettre", "inscription newsletter"),
        keywords=("newsletter", "infolettre"),
    ),
)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}
REQUIRED_FIELD = "first_name"
CONTACT_FIELDS = ("email", "phone")


def _norm(value: str) -> str:
    """Lower case, no accents, words separated by single spaces: "Prénom " gives "prenom"."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


# --- Reading the file ------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    columns: list[str]
    rows: list[list[str]]
    header_line: int = 1


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:MAX_CELL]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportRefused(_("Le fichier n'a pas pu être lu : encodage inconnu.")) from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _delimiter(text: str) -> str:
    """The separator of the header line (the most frequent of ; , tab outside quotes)."""
    first = ""
    for line in text.splitlines():
        if line.strip():
            first = re.sub(r'"[^"]*"', "", line)
            break
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportRefused(_("Le fichier n'a pas pu être lu : ce n'est ni un CSV ni un classeur XLSX."))
    try:
        return [
            [_cell(c) for c in row[:MAX_COLUMNS]]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        ]
    except csv.Error as exc:
        raise ImportRefused(_("Le fichier CSV n'a pas pu être lu (%(error)s).") % {"error": exc}) from exc


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) on a damaged file
        raise ImportRefused(
            _("Le classeur XLSX n'a pas pu être lu : le fichier est peut-être abîmé.")
        ) from exc
    try:
        if not workbook.worksheets:
            return []
        rows, filled = [], 0
        for values in workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
            row = [_cell(v) for v in values]
            rows.append(row)
            if any(row):
                filled += 1
                if filled > MAX_ROWS + 1:
                    break  # too many: reported by _table
        return rows
    except Exception as exc:
        raise ImportRefused(
            _("Le classeur XLSX n'a pas pu être lu : le fichier est peut-être abîmé.")
        ) from exc
    finally:
        workbook.close()


def _trimmed(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return row[:end]


def _table(raw: list[list[str]]) -> ParsedFile:
    """Header = the first row with two cells filled or more (a title above it is skipped); trailing empty
    cells and rows dropped; empty rows inside kept as [] (line numbers stay the spreadsheet's)."""
    if not any(any(row) for row in raw):
        raise ImportRefused(_("Le fichier est vide."))
    start = next((i for i, row in enumerate(raw) if sum(1 for cell in row if cell) >= 2), None)
    if start is None:
        raise ImportRefused(
            _(
                "Une seule colonne trouvée : le fichier doit avoir une ligne d'en-têtes et des colonnes "
                "séparées par des points-virgules, des virgules ou des tabulations."
            )
        )
    body = [row if any(row) else [] for row in raw[start + 1 :]]
    while body and not body[-1]:
        body.pop()
    filled = sum(1 for row in body if row)
    if not filled:
        raise ImportRefused(
            _("Le fichier ne contient qu'une ligne d'en-têtes : aucune ligne de contact à importer.")
        )
    if filled > MAX_ROWS:
        raise ImportRefused(
            _("Le fichier compte plus de %(max)s lignes : découpez-le en plusieurs fichiers.")
            % {"max": f"{MAX_ROWS:,}".replace(",", "\u202f")}
        )
    header = _trimmed(raw[start])
    body = [_trimmed(row) for row in body]
    width = max(len(header), *(len(row) for row in body))
    columns = [
        header[i] if i < len(header) and header[i] else str(_("Colonne %(n)s") % {"n": i + 1})
        for i in range(width)
    ]
    rows = [row + [""] * (width - len(row)) if row else [] for row in body]
    return ParsedFile(columns=columns, rows=rows, header_line=start + 1)


def import_file_read(*, filename: str, data: bytes) -> ParsedFile:
    """Read a CSV or XLSX file into a header and rows of strings, or raise ``ImportRefused``."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers."))
    if not data.strip():
        raise ImportRefused(_("Le fichier est vide."))
    name = filename.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise ImportRefused(
            _(
                "Les classeurs Excel 97-2003 (.xls) ne sont pas pris en charge : enregistrez-le en .xlsx ou en .csv."
            )
        )
    if data.startswith(b"PK\x03\x04"):
        try:
            entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except zipfile.BadZipFile as exc:
            raise ImportRefused(
                _("Le classeur n'a pas pu être lu : le fichier est peut-être abîmé.")
            ) from exc
        names = {entry.filename for entry in entries}
        if sum(entry.file_size for entry in entries) > MAX_UNZIPPED:
            raise ImportRefused(
                _("Ce classeur est trop volumineux une fois décompressé : enregistrez-le en .csv.")
            )
        if "xl/workbook.xml" not in names:
            raise ImportRefused(
                _(
                    "Ce classeur n'est pas au format XLSX (OpenDocument ?) : enregistrez-le en .xlsx ou en .csv."
                )
            )
        return _table(_read_xlsx(data))
    if name.endswith(".xlsx"):
        raise ImportRefused(_("Le classeur XLSX n'a pas pu être lu : le fichier est peut-être abîmé."))
    return _table(_read_csv(data))


def mapping_guess(columns: list[str]) -> dict[str, int]:
    """Prospect field -> column index, from the header names (French and English)."""
    headers = [_norm(c) for c in columns]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for spec in FIELDS:  # exact names first
        for i, header in enumerate(headers):
            if i not in used and header in spec.synonyms:
                mapping[spec.name] = i
                used.add(i)
                break
    for spec in FIELDS:  # then a keyword among the header's words ("Nom de famille", "Tél. portable")
        if spec.name in mapping:
            continue
        for i, header in enumerate(headers):
            words = header.split()
            if i in used or "naissance" in words:
                continue
            if any(k in words or (len(k) > 4 and k in header) for k in spec.keywords):
                mapping[spec.name] = i
                used.add(i)
                break
    return mapping


# --- The batch --------------------------------------------------------------------------------------


def import_batch_create(
    *, territory, by, filename: str, data: bytes, channel: str, consent_basis: str
) -> ImportBatch:
    """Read the file and store it as a batch in preview, with the guessed mapping (nothing else written)."""
    if not consent_basis.strip():
        raise ImportRefused(
            _("Dites comment et quand ces personnes ont accepté d'être contactées."), field="consent_basis"
        )
    channel = Channel(channel)
    parsed = import_file_read(filename=filename, data=data)
    return ImportBatch.objects.create(
        territory=territory,
        created_by=by if by is not None and by.is_authenticated else None,
        filename=filename[:255],
        columns=parsed.columns,
        rows=parsed.rows,
        mapping=mapping_guess(parsed.columns),
        channel=channel,
        consent_basis=consent_basis.strip(),
        summary={"header_line": parsed.header_line},
    )


def mapping_errors(mapping: dict[str, int]) -> list[tuple[str, str]]:
    """(field, message) for each missing column: the first name, and the email or the phone."""
    errors = []
    if REQUIRED_FIELD not in mapping:
        errors.append((REQUIRED_FIELD, _("Choisissez la colonne du prénom.")))
    if not any(name in mapping for name in CONTACT_FIELDS):
        errors.append(
            ("email", _("Choisissez la colonne du courriel ou celle du téléphone (au moins l'une des deux)."))
        )
    return errors


def import_batch_map(*, batch: ImportBatch, mapping: dict[str, int]) -> ImportBatch:
    """Store the advisor's mapping: known fields only, existing columns, prénom + (courriel or téléphone)."""
    if batch.status != ImportStatus.PREVIEW:
        raise ImportNotPending(_("Cet import est terminé : il ne peut plus être modifié."))
    clean = {
        name: int(index)
        for name, index in mapping.items()
        if name in FIELDS_BY_NAME and index is not None and 0 <= int(index) < len(batch.columns)
    }
    errors = mapping_errors(clean)
    if errors:
        raise ImportRefused(errors[0][1], field=errors[0][0])
    batch.mapping = clean
    batch.save(update_fields=["mapping"])
    return batch


# --- Checking the rows ------------------------------------------------------------------------------


class RowStatus:
    OK = "ok"
    ERROR = "error"
    DUPLICATE = "duplicate"


@dataclass
class RowError:
    field: str
    label: str
    message: str


@dataclass
class PreviewRow:
    line: int
    status: str
    values: dict = field(default_factory=dict)  # field -> cleaned value (for the Prospect)
    display: dict = field(default_factory=dict)  # field -> text shown in the preview
    errors: list[RowError] = field(default_factory=list)
    duplicate_of: Prospect | None = None  # an existing prospect of the territory
    duplicate_line: int | None = None  # an earlier row of the file
    duplicate_on: str = ""  # "email" or "phone"
    cells: list[str] = field(default_factory=list)  # display values, in the mapped fields' order

    @property
    def name(self) -> str:
        return f"{self.values.get('first_name', '')} {self.values.get('last_name', '')}".strip()


@dataclass
class ImportPreview:
    rows: list[PreviewRow]
    fields: list[ImportField]  # the mapped fields, in FIELDS order

    def _of(self, status: str) -> list[PreviewRow]:
        return [r for r in self.rows if r.status == status]

    @property
    def ok(self) -> list[PreviewRow]:
        return self._of(RowStatus.OK)

    @property
    def errors(self) -> list[PreviewRow]:
        return self._of(RowStatus.ERROR)

    @property
    def duplicates(self) -> list[PreviewRow]:
        return self._of(RowStatus.DUPLICATE)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "total": len(self.rows),
            "ok": len(self.ok),
            "error": len(self.errors),
            "duplicate": len(self.duplicates),
        }


# Words accepted for yes / no (normalised).
YES = {"oui", "o", "yes", "y", "1", "x", "vrai", "true", "ok", "accepte", "inscrit", "inscrite"}
NO = {"non", "n", "no", "0", "faux", "false", "refuse", "refus"}

# Common ways of writing a choice, beyond the values and the French labels (normalised -> value).
CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "timing": {
        "moins de 6 mois": Timing.UNDER_6,
        "6 mois": Timing.UNDER_6,
        "6 a 12 mois": Timing.SIX_TO_12,
        "6 12 mois": Timing.SIX_TO_12,
        "entre 6 et 12 mois": Timing.SIX_TO_12,
        "dans l annee": Timing.SIX_TO_12,
        "moins d un an": Timing.SIX_TO_12,
        "plus de 12 mois": Timing.OVER_12,
        "plus d un an": Timing.OVER_12,
        "12 mois": Timing.OVER_12,
    },
    "work_status": {
        "independant": WorkStatus.FREELANCE,
        "independante": WorkStatus.FREELANCE,
        "auto entrepreneur": WorkStatus.FREELANCE,
        "micro entrepreneur": WorkStatus.FREELANCE,
        "freelance": WorkStatus.FREELANCE,
        "teletravail": WorkStatus.TELEWORKER,
        "teletravailleur": WorkStatus.TELEWORKER,
        "teletravailleuse": WorkStatus.TELEWORKER,
        "salarie en teletravail": WorkStatus.TELEWORKER,
        "salariee en teletravail": WorkStatus.TELEWORKER,
        "chef d entreprise": WorkStatus.BUSINESS_OWNER,
        "cheffe d entreprise": WorkStatus.BUSINESS_OWNER,
        "dirigeant": WorkStatus.BUSINESS_OWNER,
        "createur d entreprise": WorkStatus.BUSINESS_CREATOR,
        "creatrice d entreprise": WorkStatus.BUSINESS_CREATOR,
        "creation d entreprise": WorkStatus.BUSINESS_CREATOR,
        "salarie": WorkStatus.EMPLOYEE,
        "salariee": WorkStatus.EMPLOYEE,
    },
    "heard_from": {
        "salon": HeardFrom.EVENT,
        "evenement": HeardFrom.EVENT,
        "internet": HeardFrom.SEARCH,
        "google": HeardFrom.SEARCH,
        "facebook": HeardFrom.SOCIAL,
        "instagram": HeardFrom.SOCIAL,
        "linkedin": HeardFrom.SOCIAL,
        "presse": HeardFrom.PRESS,
        "radio": HeardFrom.PRESS,
        "bouche a oreille": HeardFrom.WORD_OF_MOUTH,
    },
}


@lru_cache(maxsize=64)
def _choice_table(name: str, language: str) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """For a choice field, in the active language: {normalised value or label: value} and the labels'
    parts (split on , / ; ( ) and "ou"), normalised, with their value."""
    spec = FIELDS_BY_NAME[name]
    exact: dict[str, str] = {}
    parts = []
    for value, label in spec.choices.choices:
        exact[_norm(value)] = value
        exact[_norm(str(label))] = value
        parts += [(_norm(p), value) for p in re.split(r"[,/;()]| ou ", str(label)) if _norm(p)]
    return exact, tuple(parts)


def _choice_value(spec: ImportField, raw: str) -> str | None:
    """The choice's value for a cell: its code, its label, a part of the label, or a common alias;
    None when nothing (or more than one value) matches."""
    text = _norm(raw)
    if not text:
        return ""
    aliases = CHOICE_ALIASES.get(spec.name, {})
    if text in aliases:
        return str(aliases[text])
    exact, parts = _choice_table(spec.name, get_language() or "fr")
    if text in exact:
        return exact[text]
    found = {
        value
        for part, value in parts
        if part == text
        or (min(len(part), len(text)) >= 4 and (part.startswith(text) or text.startswith(part)))
    }
    return next(iter(found)) if len(found) == 1 else None


# Dates as spreadsheets write them: 2025-03-31 (ISO, also with a time), 31/03/2025, 31-03-25, 31.03.2025…
ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")
FRENCH_DATE = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:\s+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?"
)


def _parse_date(raw: str) -> datetime | None:
    raw = raw.strip()
    if match := ISO_DATE.fullmatch(raw):
        year, month, day, *clock = match.groups()
    elif match := FRENCH_DATE.fullmatch(raw):
        day, month, year, *clock = match.groups()
        if len(year) == 2:
            year = f"20{year}"
    else:
        return None
    try:
        parsed = datetime(int(year), int(month), int(day), *(int(c or 0) for c in clock))
    except ValueError:
        return None
    return timezone.make_aware(parsed)


def _clean_value(spec: ImportField, raw: str) -> tuple[object, str]:
    """(value for the Prospect, text shown); raises ValidationError with the advisor's message."""
    raw = (raw or "").strip()
    if spec.kind == "text":
        if spec.max_length and len(raw) > spec.max_length:
            raise ValidationError(_("trop long (%(max)s caractères au plus).") % {"max": spec.max_length})
        return raw, raw
    if spec.kind == "email":
        if not raw:
            return "", ""
        try:
            validate_email(raw)
        except ValidationError:
            raise ValidationError(_("« %(value)s » n'est pas une adresse valide.") % {"value": raw}) from None
        return raw, raw
    if spec.kind == "phone":
        if not raw:
            return "", ""
        digits = normalise_phone(raw)
        if re.fullmatch(r"[1-9]\d{8}", raw.replace(" ", "")):
            raw = "0" + raw.replace(" ", "")  # a French number whose leading 0 a spreadsheet dropped
            digits = raw
        if len(raw) > spec.max_length or not 6 <= len(digits) <= 15 or re.search(r"[a-zA-Z]", raw):
            raise ValidationError(
                _("« %(value)s » n'est pas un numéro de téléphone valide.") % {"value": raw}
            )
        return raw, raw
    if spec.kind == "int":
        if not raw:
            return None, ""
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            number = -1.0
        if not number.is_integer() or not 0 <= number <= 99:
            raise ValidationError(_("« %(value)s » n'est pas un nombre entre 0 et 99.") % {"value": raw})
        return int(number), str(int(number))
    if spec.kind == "choice":
        value = _choice_value(spec, raw)
        if value is None:
            raise ValidationError(
                _("« %(value)s » ne correspond à aucune valeur connue (valeurs possibles : %(choices)s).")
                % {"value": raw, "choices": " ; ".join(str(label) for label in spec.choices.labels)}
            )
        return value, (str(spec.choices(value).label) if value else "")
    if spec.kind == "date":
        if not raw:
            return None, ""
        parsed = _parse_date(raw)
        if parsed is None:
            raise ValidationError(
                _("« %(value)s » n'est pas une date lisible (par exemple 31/03/2025 ou 2025-03-31).")
                % {"value": raw}
            )
        if parsed > timezone.now():
            raise ValidationError(_("la date « %(value)s » est dans le futur.") % {"value": raw})
        return parsed, parsed.strftime("%d/%m/%Y")
    if spec.kind == "bool":
        text = _norm(raw)
        if not text:
            return None, ""
        if text in YES:
            return True, str(_("oui"))
        if text in NO:
            return False, str(_("non"))
        raise ValidationError(_("« %(value)s » : écrivez oui ou non.") % {"value": raw})
    raise ValueError(spec.kind)


def _check_row(mapping: dict[str, int], cells: list[str], line: int) -> PreviewRow:
    row = PreviewRow(line=line, status=RowStatus.OK)
    for spec in FIELDS:
        if spec.name not in mapping:
            continue
        index = mapping[spec.name]
        raw = cells[index] if index < len(cells) else ""
        try:
            row.values[spec.name], row.display[spec.name] = _clean_value(spec, raw)
        except ValidationError as exc:
            row.display[spec.name] = raw
            row.errors.append(RowError(spec.name, str(spec.label), str(exc.messages[0])))
    if not row.values.get("first_name") and "first_name" not in {e.field for e in row.errors}:
        row.errors.append(
            RowError("first_name", str(FIELDS_BY_NAME["first_name"].label), str(_("prénom manquant.")))
        )
    has_contact = row.values.get("email") or row.values.get("phone")
    contact_error = {e.field for e in row.errors} & set(CONTACT_FIELDS)
    if not has_contact and not contact_error:
        row.errors.append(
            RowError(
                "email",
                str(_("Coordonnées")),
                str(_("ni courriel ni téléphone : personne à recontacter impossible.")),
            )
        )
    if row.errors:
        row.status = RowStatus.ERROR
    return row


def import_batch_preview(batch: ImportBatch) -> ImportPreview:
    """Every row with its status, computed from the rows, the mapping and the territory's prospects."""
    mapping = {name: int(i) for name, i in (batch.mapping or {}).items() if name in FIELDS_BY_NAME}
    header_line = int((batch.summary or {}).get("header_line", 1))
    # The territory's active prospects by email and phone, read once (a file holds up to 5,000 rows).
    by_email: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    existing = Prospect.objects.active().of_territory(batch.territory_id).order_by("pk")
    for pk, email, phone in existing.values_list("pk", "email", "phone_normalised"):
        if email:
            by_email.setdefault(email.strip().lower(), pk)
        if phone:
            by_phone.setdefault(phone, pk)
    seen_email: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    rows = []
    for position, cells in enumerate(batch.rows or []):
        if not cells or not any(cells):
            continue
        row = _check_row(mapping, cells, header_line + 1 + position)
        rows.append(row)
        if row.status == RowStatus.ERROR:
            continue
        email = (row.values.get("email") or "").lower()
        phone = normalise_phone(row.values.get("phone") or "")
        for kind, key, known, seen in (
            ("email", email, by_email, seen_email),
            ("phone", phone, by_phone, seen_phone),
        ):
            if not key:
                continue
            if key in known:
                row.status, row.duplicate_on = RowStatus.DUPLICATE, kind
                row.duplicate_of = known[key]  # a pk for now, the prospect below
                break
            if key in seen:
                row.status, row.duplicate_on, row.duplicate_line = RowStatus.DUPLICATE, kind, seen[key]
                break
        if email:
            seen_email.setdefault(email, row.line)
        if phone:
            seen_phone.setdefault(phone, row.line)
    prospects = Prospect.objects.in_bulk([r.duplicate_of for r in rows if r.duplicate_of])
    fields = [spec for spec in FIELDS if spec.name in mapping]
    for row in rows:
        if row.duplicate_of:
            row.duplicate_of = prospects[row.duplicate_of]
        row.cells = [row.display.get(spec.name, "") for spec in fields]
    return ImportPreview(rows=rows, fields=fields)


# --- Applying, cancelling, purging ------------------------------------------------------------------


def _prospect_from(row: PreviewRow, batch: ImportBatch, now: datetime) -> Prospect:
    values = dict(row.values)
    created = values.pop("created_at", None) or now
    # The current state of the consents the ledger records just after (consent_record then has no
    # second save of the prospect to make: one audit entry per new prospect, not three).
    newsletter = bool(values.pop("consent_newsletter", None))
    return Prospect.objects.create(
        territory_id=batch.territory_id,
        channel=batch.channel,
        created_at=created,
        stage_changed_at=created,
        last_inbound_at=created,
        consent_contact=True,
        consent_newsletter=newsletter,
        **values,
    )


@transaction.atomic
def import_batch_apply(*, batch: ImportBatch, by) -> dict:
    """Create the OK rows' prospects, once: a second call (double submit) raises ``ImportNotPending``.

    Duplicates are not created; an existing prospect a row duplicates gets an IMPORT activity saying
    it was in the file. Returns the summary (counts and line numbers only), also stored on the batch.
    """
    now = timezone.now()
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEW).update(
        status=ImportStatus.APPLIED, applied_at=now
    )
    if not claimed:
        raise ImportNotPending(_("Cet import a déjà été appliqué ou annulé : rien n'a été refait."))
    batch.refresh_from_db()
    errors = mapping_errors(batch.mapping or {})
    if errors:
        raise ImportRefused(errors[0][1], field=errors[0][0])  # rolls the claim back
    preview = import_batch_preview(batch)
    basis = batch.consent_basis
    created_lines, noted = [], []
    for row in preview.rows:
        if row.status == RowStatus.OK:
            prospect = _prospect_from(row, batch, now)
            consent_record(
                prospect=prospect,
                purpose=ConsentPurpose.CONTACT,
                granted=True,
                source=ConsentSource.IMPORT,
                basis=basis,
                by=by,
            )
            if row.values.get("consent_newsletter") is not None:
                consent_record(
                    prospect=prospect,
                    purpose=ConsentPurpose.NEWSLETTER,
                    granted=row.values["consent_newsletter"],
                    source=ConsentSource.IMPORT,
                    basis=basis,
                    by=by,
                )
            activity_record(
                prospect=prospect,
                kind=ActivityKind.IMPORT,
                by=by,
                occurred_at=now,
                text=str(
                    _("Importé du fichier « %(file)s », ligne %(line)s.")
                    % {"file": batch.filename, "line": row.line}
                ),
                data={"batch": batch.pk, "line": row.line, "channel": batch.channel},
            )
            created_lines.append(row.line)
        elif row.status == RowStatus.DUPLICATE and row.duplicate_of is not None:
            activity_record(
                prospect=row.duplicate_of,
                kind=ActivityKind.IMPORT,
                by=by,
                occurred_at=now,
                text=str(
                    _(
                        "Présent dans le fichier importé « %(file)s », ligne %(line)s : fiche existante, non recréée."
                    )
                    % {"file": batch.filename, "line": row.line}
                ),
                data={"batch": batch.pk, "line": row.line, "duplicate": True},
            )
            noted.append(row.line)
    summary = {
        "header_line": (batch.summary or {}).get("header_line", 1),
        "created": len(created_lines),
        "created_lines": created_lines,
        "duplicates": len(preview.duplicates),
        "duplicate_lines": [r.line for r in preview.duplicates],
        "noted_on_existing_lines": noted,
        "errors": len(preview.errors),
        "error_lines": [r.line for r in preview.errors],
    }
    batch.rows = []
    batch.summary = summary
    batch.save(update_fields=["rows", "summary"])
    return summary


def import_batch_queue(*, batch: ImportBatch, by) -> None:
    """Confirm a large batch: mark it queued and apply it in the background (``apply_import_batch``).

    The task claims the batch like a confirmation in the request, so a second click, or a
    cancellation before the task runs, leaves it applied once or not at all.
    """
    summary = {**(batch.summary or {}), "queued_at": timezone.now().isoformat()}
    if not ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEW).update(summary=summary):
        raise ImportNotPending(_("Cet import a déjà été appliqué ou annulé : rien n'a été refait."))
    batch.summary = summary
    apply_import_batch.enqueue(batch.pk, by.pk if by is not None and by.is_authenticated else None)


def import_batch_is_queued(batch: ImportBatch) -> bool:
    return batch.status == ImportStatus.PREVIEW and bool((batch.summary or {}).get("queued_at"))


def import_batch_cancel(*, batch: ImportBatch, by) -> None:
    """Drop a preview: its rows (personal data) are cleared, nothing is created."""
    cancelled = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEW).update(
        status=ImportStatus.CANCELLED, rows=[], summary={"cancelled": True}
    )
    if not cancelled:
        raise ImportNotPending(_("Cet import a déjà été appliqué ou annulé."))
    batch.refresh_from_db()


def import_previews_purge(*, now: datetime | None = None) -> int:
    """Delete the previews nobody confirmed or cancelled within 24 hours (their rows are personal data)."""
    cutoff = (now or timezone.now()) - PREVIEW_TTL
    deleted, _by_model = ImportBatch.objects.filter(
        status=ImportStatus.PREVIEW, created_at__lt=cutoff
    ).delete()
    return deleted


def line_ranges(lines: list[int]) -> str:
    """Line numbers for the summary, runs of three or more shortened: [2, 3, 4, 7, 9, 10] -> "2–4, 7, 9, 10"."""
    runs: list[list[int]] = []
    for n in sorted(lines):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = []
    for run in runs:
        parts += [f"{run[0]}–{run[-1]}"] if len(run) >= 3 else [str(n) for n in run]
    return ", ".join(parts)


@task()
def apply_import_batch(batch_id: int, user_id: int | None) -> dict | None:
    """Apply a large batch confirmed by ``user_id`` (see ``import_batch_queue``)."""
    from django.contrib.auth import get_user_model

    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return None  # purged meanwhile
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        return import_batch_apply(batch=batch, by=user)
    except ImportNotPending:
        return None  # applied by an earlier task, or cancelled


@task()
def purge_import_previews() -> int:
    """Retention: previews of imports (personal data) not confirmed within 24 hours are deleted."""
    return import_previews_purge()


register_job(name="prospects.purge_import_previews", task=purge_import_previews, every=timedelta(days=1))
