"""Writes on accounts: invitations, roles, account data and deletion."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sohosolo.core.outbox import outbox_enqueue

from .models import Invitation, Membership, Role, User
from .rules import forget_roles
from .scopes import scope_kind

INVITATION_VALIDITY = timedelta(days=14)
INVITABLE_ROLES = (Role.ADVISOR, Role.TERRITORY_ADMIN, Role.COMMITTEE, Role.PARTNER)


class AccountError(Exception):
    """A business rule refused the action; ``message`` is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class InvitationError(AccountError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("territory").filter(token_hash=_hash(token)).first()


def _scope_fields(role: str, scope) -> dict:
    kind = scope_kind(role)
    if kind is None:
        if scope is not None:
            raise InvitationError(_("Ce rôle ne se limite pas à un lieu ou un partenaire."))
        return {"scope_type": None, "scope_id": None}
    if scope is None or scope._meta.label != kind.model_label:
        raise InvitationError(_("Choisissez à quoi ce rôle donne accès."))
    return {"scope_type": ContentType.objects.get_for_model(scope), "scope_id": scope.pk}


def _send_invitation(invitation: Invitation, token: str, base_url: str) -> None:
    with translation.override(invitation.language):
        path = reverse("accounts:invitation", kwargs={"token": token})
    outbox_enqueue(
        to=invitation.email,
        template="invitation",
        context={
            "invitation": invitation,
            "territory_name": invitation.territory.name,
            "role": invitation.get_role_display,
            "url": base_url.rstrip("/") + path,
            "expires_at": invitation.expires_at,
        },
        language=invitation.language,
        territory=invitation.territory,
    )


@transaction.atomic
def invitation_create(
    *, territory, email: str, role: str, by: User, base_url: str, language: str = "fr", scope=None
) -> Invitation:
    """Invite a person by email to a role in a territory; the email leaves after commit."""
    email = email.strip().lower()
    if role not in INVITABLE_ROLES:
        raise InvitationError(_("Ce rôle ne s'obtient pas par invitation."))
    scope_fields = _scope_fields(role, scope)
    if Membership.objects.filter(
        user__email__iexact=email, territory=territory, role=role, **scope_fields
    ).exists():
        raise InvitationError(_("Cette personne a déjà ce rôle."))
    if (
        Invitation.objects.pending()
        .filter(territory=territory, email__iexact=email, role=role, **scope_fields)
        .exists()
    ):
        raise InvitationError(_("Une invitation est déjà en attente pour cette personne et ce rôle."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        territory=territory,
        email=email,
        role=role,
        language=language,
        token_hash=_hash(token),
        invited_by=by,
        sent_at=now,
        expires_at=now + INVITATION_VALIDITY,
        **scope_fields,
    )
    _send_invitation(invitation, token, base_url)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User, base_url: str) -> Invitation:
    """Send a fresh link (the old one stops working) valid for another 14 days."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.cancelled_at:
        raise InvitationError(_("Cette invitation n'est plus active."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = _hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_VALIDITY
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    _send_invitation(invitation, token, base_url)
    return invitation


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, by: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationError(_("Cette invitation a déjà été acceptée."))
    if not invitation.cancelled_at:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
    return invitation


def invitation_check(invitation: Invitation | None) -> Invitation:
    """Raise InvitationError with a clear message unless the invitation can be accepted now."""
    if invitation is None:
        raise InvitationError(
            _("Ce lien d'invitation n'est pas valide. Il a peut-être été remplacé par un plus récent.")
        )
    state = invitation.state
    if state == "accepted":
        raise InvitationError(_("Cette invitation a déjà été acceptée."))
    if state == "cancelled":
        raise InvitationError(_("Cette invitation a été annulée. Contactez la personne qui vous a invité."))
    if state == "expired":
        raise InvitationError(_("Cette invitation a expiré. Demandez une nouvelle invitation."))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Give the invited role to the user whose email is the invited one."""
    invitation = invitation_check(Invitation.objects.select_for_update().filter(pk=invitation.pk).first())
    if user.email.lower() != invitation.email.lower():
        raise InvitationError(
            _("Cette invitation est destinée à %(email)s. Connectez-vous avec cette adresse.")
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user,
        territory=invitation.territory,
        role=invitation.role,
        scope_type=invitation.scope_type,
        scope_id=invitation.scope_id,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_roles(user)
    return membership


def _admins_left(territory, excluding: Membership) -> bool:
    return (
        Membership.objects.of_territory(territory)
        .filter(role=Role.TERRITORY_ADMIN)
        .exclude(pk=excluding.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: User) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role not in (Role.ADVISOR, Role.TERRITORY_ADMIN):
        raise AccountError(
            _("Seuls les rôles de l'équipe (conseiller, administrateur) peuvent être échangés.")
        )
    if membership.role == Role.TERRITORY_ADMIN and role != Role.TERRITORY_ADMIN:
        if not _admins_left(membership.territory, membership):
            raise AccountError(_("Le territoire doit garder au moins un administrateur."))
    if Membership.objects.filter(
        user=membership.user, territory=membership.territory, role=role, scope_type=None, scope_id=None
    ).exists():
        raise AccountError(_("Cette personne a déjà ce rôle."))
    membership.role = role
    membership.save(update_fields=["role"])
    forget_roles(membership.user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, by: User) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.TERRITORY_ADMIN and not _admins_left(membership.territory, membership):
        raise AccountError(_("Le territoire doit garder au moins un administrateur."))
    membership.delete()
    forget_roles(membership.user)


def account_export(*, user: User) -> dict:
    """Everything the platform holds about the person: the account and their projects (GDPR access)."""
    from allauth.account.models import EmailAddress

    from sohosolo.prospects.privacy import prospect_export

    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "roles": [
            {"territory": m.territory.slug, "role": m.role, "since": m.created_at.isoformat()}
            for m in user.memberships.select_related("territory")
        ],
        "mfa": sorted({a.type for a in user.authenticator_set.all()}),
        # Each project of the person, with everything that hangs on it (see prospects.privacy).
        "prospects": [prospect_export(p) for p in user.prospects.active().select_related("territory")],
    }


# Roles of private people: deleting such an account also scrubs their traces (audit log, emails,
# login attempts). Staff keep their name on what they did (the log's actor email stays).
PRIVATE_ROLES = frozenset({Role.PROSPECT, Role.MEMBER})


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the account and what hangs on it; refuse to leave a territory without an administrator.

    The person's projects are erased first (``prospects.privacy.prospect_anonymise``: anonymous
    figures stay); for a private person, the traces of the account go too (``person_forget``).
    """
    from sohosolo.prospects.privacy import REASON_ACCOUNT_DELETION, person_forget, prospect_anonymise

    for membership in user.memberships.filter(role=Role.TERRITORY_ADMIN):
        if not _admins_left(membership.territory, membership):
            raise AccountError(
                _(
                    "Vous êtes le dernier administrateur du territoire %(name)s : nommez-en un autre avant de supprimer votre compte."
                )
                % {"name": membership.territory.name}
            )
    private = (
        not (user.is_staff or user.is_superuser)
        and not user.memberships.exclude(role__in=PRIVATE_ROLES).exists()
    )
    for prospect in user.prospects.active():
        prospect_anonymise(prospect=prospect, by=user, reason=REASON_ACCOUNT_DELETION, keep_account=True)
    # Delete the roles first: the audit log records each deletion with this user as actor, and
    # only rows that exist before user.delete() get their actor set to NULL. Cascading from the
    # user would write log rows pointing at the deleted user and the commit would fail (FK).
    user.memberships.all().delete()
    if private:
        person_forget(user=user)
    user.delete()
