"""Writes on prospects: activities, consents, the pipeline's transitions, assignment, audit of reads.

Every write goes through these functions so that the timeline, the consent ledger and the audit log
stay complete. Views stay thin; errors are typed (``ProspectError`` and subclasses) and carry a
message meant for the person who acted.
"""

from datetime import date, datetime

from auditlog.signals import accessed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    CONSENT_FIELDS,
    TRANSITIONS,
    Activity,
    ActivityKind,
    ConsentPurpose,
    ConsentRecord,
    LostReason,
    Prospect,
    Stage,
    StageChange,
)
from .signals import stage_changed

# Version of the consent wordings shown on the forms: change it whenever a wording changes, so the
# ledger says which text a person agreed to.
CONSENT_WORDING_VERSION = "2026-11-v1"

# Fields required to mark a prospect installed (what the funders' figures count).
INSTALLATION_FIELDS = (
    "installed_commune",
    "installed_on",
    "installed_adults",
    "installed_children",
    "activity_created",
    "jobs_created",
    "first_contact_before_move",
    "helpful_actions",
)


class ProspectError(Exception):
    """A refused operation on a prospect; ``message`` is shown to the person who acted."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class TransitionNotAllowed(ProspectError):
    pass


class LostReasonRequired(ProspectError):
    pass


class InstallationIncomplete(ProspectError):
    def __init__(self, message, *, missing: list[str]):
        super().__init__(message)
        self.missing = missing


def activity_record(
    *,
    prospect: Prospect,
    kind: str,
    text: str = "",
    by=None,
    occurred_at: datetime | None = None,
    outcome: str = "",
    data: dict | None = None,
    village=None,
) -> Activity:
    """Add an entry to the prospect's timeline (used by every app: events, passports, committees)."""
    return Activity.objects.create(
        prospect=prospect,
        kind=kind,
        text=text,
        author=by if by is not None and by.is_authenticated else None,
        occurred_at=occurred_at or timezone.now(),
        outcome=outcome,
        data=data or {},
        village=village,
    )


@transaction.atomic
def consent_record(
    *,
    prospect: Prospect,
    purpose: str,
    granted: bool,
    source: str,
    by=None,
    basis: str = "",
    wording_version: str = CONSENT_WORDING_VERSION,
    at: datetime | None = None,
) -> ConsentRecord | None:
    """Write a consent or a withdrawal to the ledger and update the prospect's current state.

    Returns None (and writes nothing) when the state does not change, except for the first record of
    a purpose, which is always written (a "no" at sign-up is worth keeping as proof of the choice).
    """
    purpose = ConsentPurpose(purpose)
    field = CONSENT_FIELDS.get(purpose)
    already = prospect.consents.filter(purpose=purpose).exists() if prospect.pk else False
    if field and already and getattr(prospect, field) == granted:
        return None
    record = ConsentRecord.objects.create(
        prospect=prospect,
        purpose=purpose,
        granted=granted,
        at=at or timezone.now(),
        source=source,
        wording_version=wording_version,
        basis=basis,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    if field and getattr(prospect, field) != granted:
        setattr(prospect, field, granted)
        prospect.save(update_fields=[field, "updated_at"])
    activity_record(
        prospect=prospect,
        kind=ActivityKind.CONSENT,
        by=by,
        occurred_at=record.at,
        data={"purpose": purpose.value, "granted": granted, "source": source, "version": wording_version},
    )
    return record


def _check_installation(prospect: Prospect, installation: dict) -> dict:
    values = {name: installation.get(name, getattr(prospect, name)) for name in INSTALLATION_FIELDS}
    missing = [
        name
        for name, value in values.items()
        if value is None or value == "" or (name == "helpful_actions" and value is None)
    ]
    if missing:
        raise InstallationIncomplete(
            _("Pour marquer ce projet « installé », renseignez : %(fields)s.")
            % {"fields": ", ".join(str(Prospect._meta.get_field(name).verbose_name) for name in missing)},
            missing=missing,
        )
    return values


@transaction.atomic
def prospect_transition(
    *,
    prospect: Prospect,
    to: str,
    by,
    reason: str = "",
    note: str = "",
    installation: dict | None = None,
    at: datetime | None = None,
) -> Prospect:
    """Move a prospect to another stage if the transition is allowed; record who, when and why.

    Lost needs a reason (``LostReason``); installed needs the installation fields (see
    ``INSTALLATION_FIELDS``), given in ``installation`` or already on the prospect.
    """
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    to = Stage(to)
    if prospect.anonymised_at:
        raise TransitionNotAllowed(_("Ce porteur de projet a été anonymisé."))
    if to not in TRANSITIONS[prospect.stage]:
        raise TransitionNotAllowed(
            _("Passage de « %(from)s » à « %(to)s » impossible.")
            % {"from": Stage(prospect.stage).label, "to": to.label}
        )
    update = ["stage", "stage_changed_at", "lost_reason", "updated_at"]
    if to == Stage.LOST:
        if reason not in LostReason.values:
            raise LostReasonRequired(_("Indiquez le motif de la perte."), field="reason")
        if reason == LostReason.OTHER and not note.strip():
            raise LostReasonRequired(_("Précisez le motif « autre » dans la note."), field="note")
        prospect.lost_reason = reason
    else:
        prospect.lost_reason = ""
        reason = ""
    if to == Stage.INSTALLED:
        for name, value in _check_installation(prospect, installation or {}).items():
            setattr(prospect, name, value)
        update += list(INSTALLATION_FIELDS)
    from_stage = prospect.stage
    now = at or timezone.now()
    prospect.stage = to
    prospect.stage_changed_at = now
    prospect.version += 1
    prospect.save(update_fields=[*update, "version"])
    StageChange.objects.create(
        prospect=prospect, from_stage=from_stage, to_stage=to, reason=reason, note=note, by=_actor(by), at=now
    )
    activity_record(
        prospect=prospect,
        kind=ActivityKind.STAGE,
        by=by,
        occurred_at=now,
        text=note,
        data={"from": from_stage, "to": to.value, "reason": reason},
    )
    stage_changed.send(sender=Prospect, prospect=prospect, from_stage=from_stage, to_stage=to.value, by=by)
    return prospect


@transaction.atomic
def prospect_assign(*, prospect: Prospect, advisor, by) -> Prospect:
    """Give the prospect to an advisor of the territory (None: unassigned)."""
    from sohosolo.accounts.models import STAFF_ROLES, Membership

    if advisor is not None and not (
        advisor.is_superuser
        or Membership.objects.filter(
            user=advisor, territory=prospect.territory, role__in=STAFF_ROLES
        ).exists()
    ):
        raise ProspectError(_("Cette personne n'est pas conseiller de ce territoire."), field="advisor")
    if prospect.advisor_id == (advisor.pk if advisor else None):
        return prospect
    prospect.advisor = advisor
    prospect.save(update_fields=["advisor", "updated_at"])
    activity_record(
        prospect=prospect,
        kind=ActivityKind.ASSIGNMENT,
        by=by,
        data={"advisor": advisor.pk if advisor else None},
        text=(advisor.get_full_name() or advisor.email) if advisor else "",
    )
    return prospect


def prospect_set_next_action(*, prospect: Prospect, on: date | None, what: str, by) -> Prospect:
    if on is not None and not what.strip():
        raise ProspectError(_("Dites quelle est la prochaine action."), field="next_action")
    prospect.next_action_on = on
    prospect.next_action = what.strip() if on else ""
    prospect.save(update_fields=["next_action_on", "next_action", "updated_at"])
    return prospect


def prospect_log_access(*, prospect: Prospect, user) -> None:
    """Record a read of the prospect's personal data in the audit log (django-auditlog ACCESS)."""
    accessed.send(sender=Prospect, instance=prospect)


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None
