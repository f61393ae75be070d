"""Referrals: an advisor refers a candidate to a partner of the territory, with the candidate's consent.

The consent is written to the prospect's ledger first (purpose ``partner_referral``, the advisor's
account of how the candidate agreed in ``basis``, the partner named in it). It covers what the
partner then sees of the person: name, email, phone and a summary of the project (activity, sector,
work situation, timing, household), with the advisor's message.

The partner's staff are emailed through the outbox (the candidate's first name only, and a link to
the page behind the login). They mark the referral contacted, appointment made, then done; each step
lands on the prospect's timeline (activity of kind ``referral``).

Who sees a referral (``referrals_visible_to``): a partner's staff, their own partners' only; the
territory's staff, every referral of the territory. A referral of an anonymised prospect, or whose
prospect withdrew the referral consent after it was made, is no longer shown to anyone. On
anonymisation (``prospect_anonymised``) the messages are emptied.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sohosolo.prospects.models import ActivityKind, ConsentPurpose, ConsentRecord, ConsentSource, Prospect
from sohosolo.prospects.services import activity_record, consent_record
from sohosolo.prospects.signals import prospect_anonymised

from .models import Partner, Referral, ReferralStatus

EMAIL_TEMPLATE = "referral_new"
MESSAGE_MAX_LENGTH = 2000
BASIS_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 500
# What a partner marks, in order (SENT is where every referral starts).
PARTNER_STEPS = (ReferralStatus.CONTACTED, ReferralStatus.APPOINTMENT, ReferralStatus.DONE)
# Who may refer (and see every referral of the territory).
STAFF_PERM = "prospects.change_prospect"


class ReferralError(Exception):
    """A refused referral operation; ``message`` is shown, tied to the form field ``field`` if set."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- Reads -------------------------------------------------------------------------------------------


def referral_partners(territory) -> QuerySet[Partner]:
    """The partners a candidate of the territory may be referred to."""
    return Partner.objects.of_territory(territory).order_by("name")


def referrals_visible_to(user, territory) -> QuerySet[Referral]:
    """The referrals this user may open: their partners' (all of the territory for its staff).

    Never those of an anonymised prospect, nor those made before the prospect withdrew the consent.
    """
    if territory is None or not getattr(user, "is_authenticated", False):
        return Referral.objects.none()
    withdrawn = ConsentRecord.objects.filter(
        prospect=OuterRef("prospect"),
        purpose=ConsentPurpose.PARTNER_REFERRAL,
        granted=False,
        at__gt=OuterRef("created_at"),
    )
    referrals = Referral.objects.filter(
        partner__territory=territory, prospect__territory=territory, prospect__anonymised_at__isnull=True
    ).exclude(Exists(withdrawn))
    if not user.has_perm(STAFF_PERM, territory):
        referrals = referrals.filter(partner__in=Partner.objects.of_user(user, territory).values("pk"))
    return referrals.select_related("partner", "prospect", "created_by")


def can_see_referrals(user, territory) -> bool:
    """Whether the user has a referrals page here: the territory's staff or a partner's staff."""
    if territory is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_perm(STAFF_PERM, territory) or Partner.objects.of_user(user, territory).exists()


def partner_staff_users(partner: Partner):
    """The active accounts holding the partner role for this partner."""
    from sohosolo.accounts.models import Role, User

    return (
        User.objects.filter(
            is_active=True,
            memberships__territory_id=partner.territory_id,
            memberships__role=Role.PARTNER,
            memberships__scope_type=ContentType.objects.get_for_model(Partner),
            memberships__scope_id=partner.pk,
        )
        .distinct()
        .order_by("pk")
    )


def referral_history(referral: Referral):
    """The timeline entries of this referral (creation and the partner's steps), newest first."""
    from sohosolo.prospects.models import Activity

    return (
        Activity.objects.filter(
            prospect_id=referral.prospect_id, kind=ActivityKind.REFERRAL, data__referral=referral.pk
        )
        .select_related("author")
        .order_by("-occurred_at", "-pk")
    )


# --- Writes ------------------------------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *, prospect: Prospect, partner: Partner, message: str, consent: bool, basis: str, by
) -> Referral:
    """Refer the candidate to the partner: consent in the ledger, the referral, the timeline, emails.

    ``consent``: the advisor confirms the candidate agreed to what the partner will see; ``basis``
    says how and when (« par téléphone le 12 mars »). Sets ``referral.notified`` to the number of the
    partner's staff emailed (0: the partner has no account yet; the advisor should tell it).
    """
    message = (message or "").strip()
    basis = (basis or "").strip()
    if prospect.anonymised_at is not None:
        raise ReferralError(_("Ce porteur de projet a été anonymisé."))
    if partner.territory_id != prospect.territory_id:
        raise ReferralError(_("Choisissez un partenaire du territoire."), field="partner")
    if not consent:
        raise ReferralError(
            _("Une orientation demande l'accord de la personne : cochez la case après le lui avoir demandé."),
            field="consent",
        )
    if not basis:
        raise ReferralError(_("Dites comment et quand la personne a donné son accord."), field="basis")
    if len(basis) > BASIS_MAX_LENGTH:
        raise ReferralError(_("%(max)s caractères au plus.") % {"max": BASIS_MAX_LENGTH}, field="basis")
    if not message:
        raise ReferralError(
            _("Écrivez un message au partenaire : ce que la personne attend de lui."), field="message"
        )
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ReferralError(_("%(max)s caractères au plus.") % {"max": MESSAGE_MAX_LENGTH}, field="message")
    open_ones = Referral.objects.select_for_update().filter(prospect=prospect, partner=partner)
    withdrawn = (
        ConsentRecord.objects.filter(
            prospect=prospect, purpose=ConsentPurpose.PARTNER_REFERRAL, granted=False
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if withdrawn is not None:  # referrals made before a withdrawal are closed for good
        open_ones = open_ones.filter(created_at__gt=withdrawn)
    open_one = open_ones.exclude(status=ReferralStatus.DONE).first()
    if open_one is not None:
        raise ReferralError(
            _("Cette personne est déjà orientée vers %(partner)s (orientation en cours).")
            % {"partner": partner.name},
            field="partner",
        )
    consent_record(
        prospect=prospect,
        purpose=ConsentPurpose.PARTNER_REFERRAL,
        granted=True,
        source=ConsentSource.STAFF,
        basis=f"{partner.name} : {basis}",
        by=by,
    )
    referral = Referral.objects.create(
        prospect=prospect, partner=partner, message=message, created_by=_actor(by)
    )
    activity_record(
        prospect=prospect,
        kind=ActivityKind.REFERRAL,
        by=by,
        occurred_at=referral.created_at,
        text=str(_("Orientation vers %(partner)s.") % {"partner": partner.name}),
        data={"event": "sent", "referral": referral.pk, "partner": partner.pk, "status": referral.status},
    )
    referral.notified = _notify_partner(referral)
    return referral


@transaction.atomic
def referral_set_status(*, referral: Referral, status: str, by, note: str = "") -> Referral:
    """The partner says where the referral stands (contacted, appointment, done), with a short note."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("partner", "prospect")
        .get(pk=referral.pk)
    )
    note = (note or "").strip()
    if status not in PARTNER_STEPS:
        raise ReferralError(_("Choisissez où en est l'orientation."), field="status")
    if len(note) > NOTE_MAX_LENGTH:
        raise ReferralError(_("%(max)s caractères au plus.") % {"max": NOTE_MAX_LENGTH}, field="note")
    if referral.prospect.anonymised_at is not None:
        raise ReferralError(_("Ce porteur de projet a été anonymisé."))
    if status == referral.status and not note:
        return referral
    previous = referral.status
    referral.status = status
    referral.save(update_fields=["status", "updated_at"])
    label = ReferralStatus(status).label
    text = str(_("%(partner)s : %(status)s.") % {"partner": referral.partner.name, "status": label})
    activity_record(
        prospect=referral.prospect,
        kind=ActivityKind.REFERRAL,
        by=by,
        text=f"{text}\n{note}" if note else text,
        data={
            "event": "status",
            "referral": referral.pk,
            "partner": referral.partner_id,
            "status": status,
            "from": previous,
        },
    )
    return referral


def _notify_partner(referral: Referral) -> int:
    """Email each of the partner's staff (first name of the candidate only; the rest is behind the login)."""
    from sohosolo.core.outbox import outbox_enqueue

    partner = referral.partner
    territory = partner.territory
    count = 0
    for user in partner_staff_users(partner):
        if not user.email:
            continue
        language = user.preferred_language or territory.default_language or settings.LANGUAGE_CODE
        outbox_enqueue(
            to=user.email,
            template=EMAIL_TEMPLATE,
            context={
                "recipient_first_name": user.first_name,
                "first_name": referral.prospect.first_name,
                "partner_name": partner.name,
                "territory_name": territory.name,
                "url": _absolute_url(referral, language),
            },
            language=language,
            territory=territory,
            kind=EMAIL_TEMPLATE,
        )
        count += 1
    return count


def _absolute_url(referral: Referral, language: str) -> str:
    """The referral's page on the territory's first host name (an email needs the host)."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("referrals:detail", args=[referral.pk])
    hosts = referral.partner.territory.hostnames or ["localhost"]
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{hosts[0]}{path}"


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- Erasure -----------------------------------------------------------------------------------------


@receiver(prospect_anonymised, dispatch_uid="partners.referrals.prospect_anonymised")
def referrals_forget_messages(sender, prospect, **kwargs) -> None:
    """An anonymised prospect's referrals keep their partner and status (the figures), not the message."""
    Referral.objects.filter(prospect=prospect).update(message="")
