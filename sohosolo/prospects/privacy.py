"""Privacy of prospects: erasure (anonymisation), the JSON export of a person's file, export logging.

Anonymisation keeps what the funders' figures count (territory, stages and their history, channel,
campaign, sector, household sizes, timing, villages, needs, installation) and removes everything that
identifies the person, wherever the platform copied it: the prospect's own fields, the free text of
its timeline and consent ledger, the audit log, login attempts, emails in the outbox, import previews,
messages the person sent, and their account when it exists only for this project.
"""

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    CONSENT_FIELDS,
    Activity,
    ActivityKind,
    ConsentRecord,
    ConsentSource,
    ImportBatch,
    ImportStatus,
    Prospect,
    StageChange,
)
from .signals import prospect_anonymised

ERASED = "[effacé]"

# Reasons recorded with an anonymisation (a member of staff gives a free text instead).
REASON_RETENTION = "retention"
REASON_ACCOUNT_DELETION = "account_deletion"
REASON_LABELS = {
    REASON_RETENTION: _("durée de conservation dépassée"),
    REASON_ACCOUNT_DELETION: _("suppression de son compte par la personne"),
}

# Fields of Prospect that identify the person or hold free text: blanked on anonymisation.
# Every other field is kept: the figures count them (see the module docstring).
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "phone_normalised",
    "current_location",
    "activity",  # free text ("graphiste chez …"); the sector is kept
    "children_ages",
    "message",
    "heard_from_detail",
    "utm_term",
    "utm_content",
    "referrer",
    "landing_url",
    "next_action",
    "followup_comment",
)
# Other fields changed on anonymisation (links to the person and the advisor's to-do).
CLEARED_FIELDS = {"user": None, "next_action_on": None}

# Fields of the related models that may hold personal free text.
ACTIVITY_FREE_TEXT = ("text", "data")
CONSENT_FREE_TEXT = ("basis",)

# Relations to Prospect deliberately left out of the JSON export, as "app_label.Model.field" of the
# field pointing at Prospect, each with its reason. Every other relation is exported automatically
# (tests/prospects/test_export_json.py fails when a new relation is in neither).
EXCLUDED_RELATIONS: dict[str, str] = {
    # Nothing is left out today: the timeline, the stage history, the consent ledger and the chosen
    # villages all belong to the person. Example of an entry:
    # "stats.Snapshot.prospect": "aggregated figures, no personal data",
}

# Strings of Activity.data kept on anonymisation: identifiers ("qualified", "2026-11-v1"), never free text.
_IDENTIFIER = re.compile(r"^[\w.:@/+-]{0,60}$")


# --- Anonymisation --------------------------------------------------------------------------------


@dataclass
class _Person:
    """What identifies the person, as searched for in free text (lower case)."""

    emails: set[str] = dataclasses.field(default_factory=set)
    phones: set[str] = dataclasses.field(default_factory=set)
    names: set[tuple[str, str]] = dataclasses.field(default_factory=set)  # (first name, last name)

    def add_names(self, first: str, last: str) -> None:
        first, last = (first or "").strip().lower(), (last or "").strip().lower()
        if first or last:
            self.names.add((first, last))

    def add_emails(self, *emails: str) -> None:
        self.emails |= {e.strip().lower() for e in emails if e and e.strip()}

    @property
    def precise(self) -> set[str]:
        """Values precise enough to search other people's text for: emails, phones, full names."""
        full = set()
        for first, last in self.names:
            if first and last:
                full |= {f"{first} {last}", f"{last} {first}"}
        return self.emails | self.phones | full

    @property
    def needles(self) -> set[str]:
        """Every value, single names included (for text known to be about the person)."""
        single = {n for pair in self.names for n in pair if len(n) >= 2}
        return self.precise | single


def _person_of(prospect: Prospect | None, user) -> _Person:
    person = _Person()
    if prospect is not None:
        person.add_emails(prospect.email)
        person.phones |= {v for v in (prospect.phone.strip().lower(), prospect.phone_normalised) if v}
        person.add_names(prospect.first_name, prospect.last_name)
    if user is not None:
        from allauth.account.models import EmailAddress

        person.add_emails(user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True))
        person.add_names(user.first_name, user.last_name)
    return person


def prospect_anonymise(*, prospect: Prospect, by=None, reason: str, keep_account: bool = False) -> Prospect:
    """Erase the person behind a prospect and keep the anonymous figures (idempotent).

    ``reason``: REASON_RETENTION, REASON_ACCOUNT_DELETION or a member of staff's free text.
    The person's account is deleted when it exists only for this project (no other role, no other
    project, not staff); otherwise only its "prospect" role in this territory goes. ``keep_account``
    leaves the account alone (``accounts.services.account_delete`` deletes it itself afterwards).
    Sends ``signals.prospect_anonymised`` inside the transaction.
    """
    with transaction.atomic():
        prospect = Prospect.objects.select_for_update(of=("self",)).select_related("user").get(pk=prospect.pk)
        if prospect.anonymised_at:
            return prospect
        user = prospect.user
        person = _person_of(prospect, user)

        with disable_auditlog():
            _withdraw_consents(prospect, by)
            _blank_prospect(prospect)
            _blank_related(prospect, person)
            account_deleted = False
            if user is not None and not keep_account:
                account_deleted = _detach_account(prospect, user)
            prospect_anonymised.send(sender=Prospect, prospect=prospect)
            _scrub_other_relations(prospect, person)

        released = person.emails if account_deleted else {e for e in person.emails if not _email_in_use(e)}
        _scrub_audit_log(prospect, person, released=released)
        if user is not None and not keep_account:
            # The role this project gave (all the account's roles when the account went).
            _scrub_membership_log(person.emails, only_prospect_role=not account_deleted)
        _scrub_traces(person, released=released, kept=person.emails - released, prospect=prospect)
        _scrub_import_batches(prospect, person)
        _log_anonymisation(prospect, by=by, reason=_clean_reason(reason, person), person=person)
    return prospect


def person_forget(*, user) -> None:
    """Scrub what the platform keeps about an account that its owner is deleting.

    Called by ``accounts.services.account_delete`` for a private person (a prospect, an installed
    Solo), after their prospects were anonymised and their roles deleted, before the account goes.
    """
    person = _person_of(None, user)
    _scrub_membership_log(person.emails, only_prospect_role=False)
    _scrub_actor(person.emails)
    _scrub_traces(person, released=person.emails, kept=set())


def _withdraw_consents(prospect: Prospect, by) -> None:
    from .services import consent_record

    for purpose, field in CONSENT_FIELDS.items():
        if getattr(prospect, field):
            consent_record(
                prospect=prospect, purpose=purpose, granted=False, source=ConsentSource.ERASURE, by=by
            )
    prospect.refresh_from_db()


def _blank_prospect(prospect: Prospect) -> None:
    for name in PERSONAL_FIELDS:
        setattr(prospect, name, "")
    for name, value in CLEARED_FIELDS.items():
        setattr(prospect, name, value)
    prospect.anonymised_at = timezone.now()
    prospect.version += 1
    prospect.save()


def _blank_related(prospect: Prospect, person: _Person) -> None:
    needles = person.needles
    for activity in Activity.objects.filter(prospect=prospect):
        activity.text = ""
        activity.data = _scrub_data(activity.data, needles, keep_identifiers=True)
        activity.save(update_fields=["text", "data"])
    StageChange.objects.filter(prospect=prospect).update(note="")
    ConsentRecord.objects.filter(prospect=prospect).update(basis="")
    # The timeline says it happened (the reason is in the audit log, for the territory's admins).
    Activity.objects.create(prospect=prospect, kind=ActivityKind.OTHER, data={"event": "anonymised"})


def _scrub_other_relations(prospect: Prospect, person: _Person) -> None:
    """A safety net under the apps' own receivers: text naming the person in rows of other apps'
    tables that point at the prospect (a referral's message, a registration's note…)."""
    needles = person.needles
    for rel in Prospect._meta.related_objects:
        model = rel.related_model
        if model._meta.app_label == Prospect._meta.app_label or rel.many_to_many:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.unique
            and not f.choices
        ]
        for row in model._default_manager.filter(**{rel.field.name: prospect}):
            changed = {}
            for f in fields:
                value = f.value_from_object(row)
                if isinstance(f, models.JSONField):
                    scrubbed = _scrub_data(value, needles)
                    if scrubbed != value:
                        changed[f.attname] = scrubbed
                elif isinstance(value, str) and _contains(value, needles):
                    changed[f.attname] = ERASED[: f.max_length] if f.max_length else ERASED
            if changed:
                model._default_manager.filter(pk=row.pk).update(**changed)


def _contains(value: str, needles: set[str]) -> bool:
    """Whether the text holds one of the values: names as whole words ("Al" is not in "calme"),
    phone numbers whatever their separators."""
    low = (value or "").lower()
    for needle in needles:
        if "@" in needle or any(c.isdigit() for c in needle):
            if needle in low:
                return True
        elif re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", low):
            return True
    digits = re.sub(r"\D", "", low)
    return bool(digits) and any(n.isdigit() and len(n) >= 8 and n in digits for n in needles)


def _scrub_data(value, needles: set[str], *, keep_identifiers: bool = False):
    """A copy of a JSON value without the strings that name the person.

    With ``keep_identifiers``, any string that is not an identifier ("qualified", "2026-11-v1") goes
    too: free text in structured data may describe the person in words no search finds.
    """
    if isinstance(value, dict):
        return {k: _scrub_data(v, needles, keep_identifiers=keep_identifiers) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_data(v, needles, keep_identifiers=keep_identifiers) for v in value]
    if isinstance(value, str) and (
        _contains(value, needles) or (keep_identifiers and not _IDENTIFIER.match(value))
    ):
        return ERASED
    return value


def _detach_account(prospect: Prospect, user) -> bool:
    """Delete the account if it exists only for this project, else remove this project's role.

    Returns True when the account was deleted.
    """
    from sohosolo.accounts.models import Membership, Role
    from sohosolo.accounts.rules import forget_roles

    other_roles = Membership.objects.filter(user=user).exclude(role=Role.PROSPECT).exists()
    other_projects = user.prospects.active().exclude(pk=prospect.pk)
    if not (other_roles or other_projects.exists() or user.is_staff or user.is_superuser):
        user.memberships.all().delete()  # roles first (see accounts.services.account_delete)
        user.delete()
        return True
    if not other_projects.filter(territory=prospect.territory).exists():
        Membership.objects.filter(user=user, territory=prospect.territory, role=Role.PROSPECT).delete()
    forget_roles(user)
    return False


def _email_in_use(email: str) -> bool:
    from sohosolo.accounts.models import User

    return User.objects.filter(email__iexact=email).exists()


def _entry_update(entry: LogEntry, **fields) -> None:
    # Never entry.save(): inside a request, auditlog's context would stamp the current user as actor.
    LogEntry.objects.filter(pk=entry.pk).update(**fields)


def _scrub_audit_log(prospect: Prospect, person: _Person, *, released: set[str]) -> None:
    """Blank the personal values in the log entries of the prospect, its activities and consents.

    Entries of other apps' models that say they are about this prospect (``additional_data``'s
    "prospect") lose the values naming the person.
    """
    types = ContentType.objects.get_for_models(Prospect, Activity, ConsentRecord)
    kept = {
        types[Prospect]: {f.name for f in Prospect._meta.get_fields()} - set(PERSONAL_FIELDS),
        types[Activity]: {f.name for f in Activity._meta.get_fields()} - set(ACTIVITY_FREE_TEXT),
        types[ConsentRecord]: {f.name for f in ConsentRecord._meta.get_fields()} - set(CONSENT_FREE_TEXT),
    }
    activities = [str(pk) for pk in Activity.objects.filter(prospect=prospect).values_list("pk", flat=True)]
    consents = [
        str(pk) for pk in ConsentRecord.objects.filter(prospect=prospect).values_list("pk", flat=True)
    ]
    condition = (
        Q(additional_data__prospect=prospect.pk)
        | Q(content_type=types[Prospect], object_pk=str(prospect.pk))
        | Q(content_type=types[Activity], object_pk__in=activities)
        | Q(content_type=types[ConsentRecord], object_pk__in=consents)
    )
    label = str(prospect)
    needles = person.needles
    for entry in LogEntry.objects.filter(condition).select_related("content_type"):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        if entry.content_type in kept:
            fields = kept[entry.content_type]
            changes = {k: v if k in fields else [ERASED, ERASED] for k, v in changes.items()}
            data = {k: v for k, v in data.items() if k in _KEPT_LOG_DATA}
        else:
            changes = _scrub_data(changes, needles)
            data = _scrub_data(data, needles)
        update = {"changes": changes, "changes_text": "", "serialized_data": None, "additional_data": data}
        if entry.content_type == types[Prospect]:
            update["object_repr"] = label
        elif _contains(entry.object_repr, needles):
            update["object_repr"] = ERASED
        _entry_update(entry, **update)
    _scrub_actor(released)


# Keys of a prospect log entry's additional data that hold no personal data.
_KEPT_LOG_DATA = ("territory", "prospect", "export", "count")


def _scrub_actor(emails: set[str]) -> None:
    """Entries where the person acted (in their space): the actor's email and address go."""
    if not emails:
        return
    condition = Q(pk__in=[])
    for email in emails:
        condition |= Q(actor_email__iexact=email)
    LogEntry.objects.filter(condition).update(actor_email=None, remote_addr=None, remote_port=None)


def _scrub_membership_log(emails: set[str], *, only_prospect_role: bool) -> None:
    """Log entries of roles: their additional data and description hold the account's email."""
    from sohosolo.accounts.models import Membership, Role

    if not emails:
        return
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Membership), additional_data__email__in=sorted(emails)
    )
    if only_prospect_role:
        entries = entries.filter(additional_data__role=Role.PROSPECT)
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        _entry_update(
            entry,
            additional_data={**entry.additional_data, "email": ERASED},
            object_repr=ERASED,
            changes_text="",
            serialized_data=None,
            changes={k: [ERASED, ERASED] if k == "user" else v for k, v in changes.items()},
        )


def _scrub_traces(
    person: _Person, *, released: set[str], kept: set[str], prospect: Prospect | None = None
) -> None:
    """Login attempts, addresses, messages and emails that name the person.

    ``released``: the person's emails no account uses any more (everything keyed on them goes);
    ``kept``: emails an account kept for another role still uses (only this project's emails go).
    """
    from allauth.account.models import EmailAddress
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from sohosolo.core.models import OutboxMessage, OutboxStatus
    from sohosolo.housing.models import HousingContactMessage
    from sohosolo.villages.models import CommitteeMessage

    for email in released:
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=email).delete()
        EmailAddress.objects.filter(email__iexact=email).delete()
        CommitteeMessage.objects.filter(email__iexact=email).delete()
        HousingContactMessage.objects.filter(email__iexact=email).delete()

    condition = Q(pk__in=[])
    for email in released:
        condition |= Q(to__iexact=email)
    for email in kept:
        condition |= Q(to__iexact=email, kind__startswith="prospect")
    for value in person.precise - person.phones:
        condition |= (
            Q(subject__icontains=value) | Q(body_text__icontains=value) | Q(body_html__icontains=value)
        )
    for phone in person.phones:
        condition |= Q(body_text__icontains=phone) | Q(body_html__icontains=phone)
    if prospect is not None:
        # Emails about prospects (to advisors, committees) may name the person by one name only.
        about = Q(
            kind__startswith="prospect", territory=prospect.territory, created_at__gte=prospect.created_at
        )
        for name in person.needles - person.precise:
            if len(name) >= 3:
                condition |= about & (
                    Q(subject__icontains=name) | Q(body_text__icontains=name) | Q(body_html__icontains=name)
                )
    messages = OutboxMessage.objects.filter(condition)
    # Not sent yet: nobody needs them any more. Sent or failed: the row stays, without its content.
    messages.filter(status=OutboxStatus.PENDING).delete()
    messages.update(to=ERASED, subject=ERASED, body_text=ERASED, body_html=ERASED, last_error="")


def _scrub_import_batches(prospect: Prospect, person: _Person) -> None:
    """Import previews still holding the person's spreadsheet row; summaries naming them."""
    for batch in ImportBatch.objects.filter(territory=prospect.territory):
        rows = batch.rows
        if batch.status == ImportStatus.PREVIEW and isinstance(rows, list):
            rows = [row for row in rows if not _is_persons_row(row, person)]
        summary = _scrub_data(batch.summary, person.precise)
        if rows != batch.rows or summary != batch.summary:
            ImportBatch.objects.filter(pk=batch.pk).update(rows=rows, summary=summary)


def _is_persons_row(row, person: _Person) -> bool:
    """A spreadsheet row is the person's when it holds their email, phone, or full name."""
    cells = [str(c).strip().lower() for c in (row if isinstance(row, list) else [row])]
    if _contains(" | ".join(cells), person.precise):
        return True
    return any(first and last and first in cells and last in cells for first, last in person.names)


def _clean_reason(reason: str, person: _Person) -> str:
    """A member of staff's reason, without the person's name or contact in it."""
    reason = (reason or "").strip()[:500]
    for needle in sorted(person.needles, key=len, reverse=True):
        reason = re.sub(rf"(?<!\w){re.escape(needle)}(?!\w)", ERASED, reason, flags=re.IGNORECASE)
    return reason


def _log_anonymisation(prospect: Prospect, *, by, reason: str, person: _Person) -> LogEntry:
    """One log entry without personal data: the prospect was anonymised, by whom and why."""
    by_person = by is not None and (getattr(by, "email", "") or "").lower() in person.emails
    actor = by if by is not None and by.is_authenticated and not by_person else None
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Prospect),
        object_pk=str(prospect.pk),
        object_id=prospect.pk,
        object_repr=str(prospect),
        action=LogEntry.Action.UPDATE,
        changes={"anonymised_at": ["None", prospect.anonymised_at.isoformat()]},
        additional_data={
            **prospect.get_additional_data(),
            "anonymised": True,
            "reason": reason,
            "by": "person" if by_person else ("staff" if actor else "system"),
        },
    )
    # Set after creation: inside a request, auditlog's context stamps the current user on save.
    _entry_update(
        entry,
        actor=actor,
        actor_email=actor.email if actor else None,
        remote_addr=entry.remote_addr if actor else None,
        remote_port=entry.remote_port if actor else None,
    )
    return entry


# --- Export ---------------------------------------------------------------------------------------


def prospect_export(prospect: Prospect) -> dict:
    """Everything held about a prospect, built by walking the model's relations (GDPR access).

    Every relation pointing at Prospect (``_meta.related_objects``) and every many-to-many field is
    exported, except those listed in EXCLUDED_RELATIONS: a table added later with a foreign key to
    Prospect is included without changing this function.
    """
    data = _row(prospect, skip=set())
    for field in Prospect._meta.many_to_many:
        data[field.name] = [_display(obj) for obj in getattr(prospect, field.name).all()]
    data.update(_reverse_relations(prospect, depth=0))
    return data


def exported_relation_keys() -> dict[str, str]:
    """Relation label ("app.Model.field" pointing at Prospect) → key of prospect_export's dict.

    Many-to-many relations appear twice: the field itself and the foreign key of its through table.
    """
    keys = {}
    for rel in Prospect._meta.related_objects:
        keys[_relation_label(rel)] = rel.get_accessor_name()
        if rel.many_to_many:
            keys.update(_through_labels(rel.through, rel.get_accessor_name()))
    for m2m in Prospect._meta.many_to_many:
        keys.update(_through_labels(m2m.remote_field.through, m2m.name))
    return {label: key for label, key in keys.items() if label not in EXCLUDED_RELATIONS}


def _through_labels(through, key: str) -> dict[str, str]:
    return {
        f"{through._meta.label}.{f.name}": key
        for f in through._meta.get_fields()
        if f.is_relation and f.concrete and f.related_model is Prospect
    }


def _relation_label(rel) -> str:
    return f"{rel.related_model._meta.label}.{rel.field.name}"


MAX_DEPTH = 2


def _reverse_relations(obj: models.Model, *, depth: int) -> dict:
    result = {}
    for rel in obj._meta.related_objects:
        if depth == 0 and _relation_label(rel) in EXCLUDED_RELATIONS:
            continue
        if depth > 0 and rel.related_model is Prospect:
            continue
        manager_rows = rel.related_model._default_manager.filter(**{rel.field.name: obj})
        rows = []
        for row in manager_rows:
            item = _row(row, skip={rel.field.name})
            if depth + 1 < MAX_DEPTH:
                item.update(_reverse_relations(row, depth=depth + 1))
            rows.append(item)
        if rel.one_to_one:
            result[rel.get_accessor_name()] = rows[0] if rows else None
        else:
            result[rel.get_accessor_name()] = rows
    return result


def _row(obj: models.Model, *, skip: set[str]) -> dict:
    from sohosolo.accounts.models import User

    row = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip or field.name == "version":
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            if isinstance(related, User):
                # Staff are named, not their accounts' addresses; the person's own account is theirs.
                row[field.name] = related.get_full_name() or (
                    related.email if related.pk == getattr(obj, "user_id", None) else ""
                )
            else:
                row[field.name] = _display(related) if related is not None else None
            continue
        value = field.value_from_object(obj)
        row[field.name] = _json_value(value)
        if field.choices and value not in (None, ""):
            row[f"{field.name}_label"] = str(getattr(obj, f"get_{field.name}_display")())
    return row


def _display(obj) -> str:
    return str(obj)


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if hasattr(value, "name") and hasattr(value, "url"):  # files
        return value.name or None
    return value


# --- Export logging -------------------------------------------------------------------------------


def prospect_log_export(*, prospects, by, kind: str) -> int:
    """Record in the audit log that these prospects' personal data left the platform (an export).

    One ACCESS entry per prospect, marked with ``additional_data["export"] = kind`` ("csv", "json"…)
    so the territory's journal tells exports from reads (like ``exports.prospects_log_export`` for the
    list's CSV/XLSX files). Returns the number of entries.
    """
    content_type = ContentType.objects.get_for_model(Prospect)
    actor = by if by is not None and by.is_authenticated else None
    prospects = list(prospects)
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=str(p.pk),
            object_id=p.pk,
            object_repr="export",  # no personal data: the entry outlives an erasure
            action=LogEntry.Action.ACCESS,
            actor=actor,
            actor_email=actor.email if actor else None,
            additional_data={**p.get_additional_data(), "export": kind, "count": len(prospects)},
        )
        for p in prospects
    ]
    LogEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)
