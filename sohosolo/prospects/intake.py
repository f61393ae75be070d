"""Intake of the public project form: a new prospect and their account, or a new contact on a known one.

``project_intake`` runs in one transaction:

* **New contact** — a ``Prospect`` (channel form, the visitor's language, the request's territory, the
  source of the visit), the person's account (a ``User`` without password, or the existing account of
  that email) with the prospect role in the territory, every consent answer in the ledger, and a
  welcome email holding a one-time sign-in link to "Mon espace".
* **Known contact** (same email, case-insensitive, or same phone in the territory) — no second
  prospect: the known one gets a ``FORM`` activity summarising the new answers and the advisors are
  told. When the email matches, the answers fill only the fields still empty (what an advisor knows is
  never overwritten), the chosen villages are added and the consents go to the ledger. When only the
  phone matches, the person who typed may be someone else (a partner sharing a line, or someone
  who knows the number): the record is left as it is for the advisor to check, and no sign-in link is
  sent to the typed address — it gets a neutral acknowledgement instead.

The visitor sees the same confirmation in every case: the form never reveals that an email is known.

Sign-in links (``SignInTokenGenerator``) are bound to the user's id, password and last login, so the
first use kills them; they last ``SIGN_IN_LINK_DAYS`` days. They are never sent to accounts that need a
second factor (staff, superusers, anyone with an authenticator): those sign in normally.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sohosolo.accounts.models import STAFF_ROLES, Membership, Role, User
from sohosolo.accounts.rules import forget_roles
from sohosolo.core.outbox import outbox_enqueue

from .committee import committees_notify_new_prospect
from .models import (
    ActivityKind,
    Channel,
    ConsentPurpose,
    ConsentSource,
    HeardFrom,
    Need,
    Prospect,
    Sector,
    Timing,
    WorkStatus,
)
from .services import CONSENT_WORDING_VERSION, ProspectError, activity_record, consent_record

logger = logging.getLogger(__name__)

SIGN_IN_LINK_DAYS = 7
SIGN_IN_LINK_SECONDS = SIGN_IN_LINK_DAYS * 24 * 3600

# The answers of the form, as fields of Prospect.
ANSWER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "current_location",
    "activity",
    "sector",
    "work_status",
    "adults",
    "children",
    "children_ages",
    "timing",
    "anywhere",
    "needs",
    "message",
    "heard_from",
    "heard_from_detail",
)
# Fields a known contact's new answers may fill when they are still empty (never overwritten).
FILLABLE_FIELDS = tuple(name for name in ANSWER_FIELDS if name not in ("email", "anywhere", "needs"))
SOURCE_FIELDS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "referrer",
    "landing_url",
)
PURPOSES = (ConsentPurpose.CONTACT, ConsentPurpose.SHARE_VILLAGES, ConsentPurpose.NEWSLETTER)

# Values of the answers the form may leave out.
_EMPTY = {"adults": None, "children": None, "anywhere": False, "needs": []}

MATCH_EMAIL = "email"
MATCH_PHONE = "phone"


class IntakeError(ProspectError):
    """The project could not be recorded; ``message`` is for the visitor, ``field`` the form field."""


class ContactConsentRequired(IntakeError):
    pass


@dataclass
class IntakeResult:
    prospect: Prospect
    created: bool
    match: str = ""  # "", "email" or "phone"
    user: User | None = None
    sign_in_link_sent: bool = False
    new_villages: list = field(default_factory=list)


# --- One-time sign-in links ---------------------------------------------------------------------


class SignInTokenGenerator(PasswordResetTokenGenerator):
    """Like the password-reset tokens: the hash covers the password and the last login, so signing in
    once (which sets last_login) kills the link; it also dies after ``timeout`` seconds."""

    key_salt = "sohosolo.prospects.intake.SignInTokenGenerator"
    timeout = SIGN_IN_LINK_SECONDS

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= self.timeout

    def _now(self):
        # Naive local time like Django's generator, but from django.utils.timezone (time_machine-able).
        return timezone.now().replace(tzinfo=None)


sign_in_tokens = SignInTokenGenerator()


def sign_in_link_allowed(user: User | None) -> bool:
    """A one-time link may sign this account in: active, and no second factor required or set up."""
    from allauth.mfa.models import Authenticator

    if user is None or not user.is_active or user.is_staff or user.is_superuser:
        return False
    if Membership.objects.filter(user=user, role__in=STAFF_ROLES).exists():
        return False
    return not Authenticator.objects.filter(user=user).exists()


def sign_in_path(user: User, language: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    with translation.override(language):
        return reverse("prospects:sign_in", args=[uid, sign_in_tokens.make_token(user)])


def sign_in_user(uidb64: str, token: str) -> User | None:
    """The account a sign-in link opens, or None when the link is wrong, used, expired or not allowed."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or not sign_in_tokens.check_token(user, token) or not sign_in_link_allowed(user):
        return None
    return user


def email_mark_verified(user: User) -> None:
    """The link proved the mailbox: the account's address is verified (created verified if missing)."""
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user,
            email=user.email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


# --- The intake ------------------------------------------------------------------------------------


@transaction.atomic
def project_intake(
    *,
    territory,
    answers: dict,
    consents: dict[str, bool],
    villages=(),
    language: str = "fr",
    source: dict | None = None,
    base_url: str | None = None,
    now: datetime | None = None,
) -> IntakeResult:
    """Record a project sent through the public form (see the module's docstring)."""
    if territory is None:
        raise IntakeError(_("Aucun territoire n'est configuré pour ce site."))
    if not consents.get(ConsentPurpose.CONTACT):
        raise ContactConsentRequired(
            _("Cochez la case qui autorise les conseillers à vous contacter pour envoyer votre projet."),
            field="consent_contact",
        )
    answers = {name: answers.get(name, _EMPTY.get(name, "")) for name in ANSWER_FIELDS}
    answers["email"] = (answers["email"] or "").strip().lower()
    if not answers["email"]:
        raise IntakeError(_("Indiquez votre adresse e-mail."), field="email")
    villages = list(villages)
    if any(v.territory_id != territory.pk or v.status != "published" for v in villages):
        raise IntakeError(
            _("Un des villages choisis n'est plus proposé. Choisissez à nouveau."), field="villages"
        )
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    source = {name: (source or {}).get(name, "") for name in SOURCE_FIELDS}
    now = now or timezone.now()

    known, match = _known_contact(territory, answers["email"], answers["phone"])
    if known is None:
        result = _create(territory, answers, consents, villages, language, source, now)
    else:
        result = _merge(known, match, answers, consents, villages, language, source, now)
    _email_visitor(result, answers, consents, villages, language, base_url)
    if result.match:
        _email_advisors(result, answers, base_url)
    if result.new_villages:
        committees_notify_new_prospect(prospect=result.prospect, villages=result.new_villages)
    return result


def _known_contact(territory, email: str, phone: str) -> tuple[Prospect | None, str]:
    """The prospect of the territory with this email (first) or this phone, and how it matched."""
    candidates = Prospect.objects.matching_contact(territory, email=email, phone=phone).order_by(
        "-last_inbound_at", "-pk"
    )
    by_email = candidates.filter(email__iexact=email).first()
    if by_email is not None:
        return _locked(by_email), MATCH_EMAIL
    by_phone = candidates.first()
    if by_phone is not None:
        return _locked(by_phone), MATCH_PHONE
    return None, ""


def _locked(prospect: Prospect) -> Prospect:
    return Prospect.objects.select_for_update().get(pk=prospect.pk)


def _create(territory, answers, consents, villages, language, source, now) -> IntakeResult:
    prospect = Prospect(
        territory=territory,
        channel=Channel.FORM,
        language=language,
        last_inbound_at=now,
        stage_changed_at=now,
        created_at=now,
        **answers,
        **source,
    )
    prospect.save()
    if villages:
        prospect.villages.add(*villages)
    user = _account_for(answers, territory, language)
    if user is not None:
        prospect.user = user
        prospect.save(update_fields=["user", "updated_at"])
    _record_consents(prospect, consents, now)
    return IntakeResult(prospect=prospect, created=True, user=user, new_villages=villages)


def _merge(prospect, match, answers, consents, villages, language, source, now) -> IntakeResult:
    trusted = match == MATCH_EMAIL
    filled: list[str] = []
    added_needs: list[str] = []
    new_villages: list = []
    user = None
    if trusted:
        for name in FILLABLE_FIELDS:
            value = answers[name]
            if value not in ("", None) and getattr(prospect, name) in ("", None):
                setattr(prospect, name, value)
                filled.append(name)
        known_needs = list(prospect.needs or [])
        added_needs = [need for need in answers["needs"] if need not in known_needs]
        if added_needs:
            prospect.needs = [need for need in Need.values if need in {*known_needs, *added_needs}]
            filled.append("needs")
        if answers["anywhere"] and not prospect.anywhere:
            prospect.anywhere = True
            filled.append("anywhere")
        known_ids = set(prospect.villages.values_list("pk", flat=True))
        new_villages = [v for v in villages if v.pk not in known_ids]
        user = _account_for(answers, prospect.territory, language, prospect=prospect)
        if user is not None and prospect.user_id is None:
            prospect.user = user
            filled.append("user")
    prospect.last_inbound_at = now
    update = ["last_inbound_at", "updated_at", *filled]
    if filled:
        prospect.version += 1  # an advisor's form opened before now must not overwrite the filled fields
        update.append("version")
    prospect.save(update_fields=update)
    if new_villages:
        prospect.villages.add(*new_villages)
    if trusted:
        _record_consents(prospect, consents, now)
    activity_record(
        prospect=prospect,
        kind=ActivityKind.FORM,
        occurred_at=now,
        text=_summary(answers, consents, villages, match, prospect.territory),
        data={
            "match": match,
            "answers": _jsonable(answers),
            "villages": [v.pk for v in villages],
            "villages_added": [v.pk for v in new_villages],
            "filled": [name for name in filled if name != "user"],
            "consents": {str(k): bool(v) for k, v in consents.items()},
            "consents_applied": trusted,
            "language": language,
            "source": {k: v for k, v in source.items() if v},
        },
    )
    # When only the phone matched, the account of the known prospect is not the typed address's:
    # the visitor gets no account from this message (the advisor checks who wrote first).
    return IntakeResult(
        prospect=prospect,
        created=False,
        match=match,
        user=user if trusted else None,
        new_villages=new_villages,
    )


def _record_consents(prospect: Prospect, consents: dict, now) -> None:
    for purpose in PURPOSES:
        consent_record(
            prospect=prospect,
            purpose=purpose,
            granted=bool(consents.get(purpose)),
            source=ConsentSource.PROJECT_FORM,
            wording_version=CONSENT_WORDING_VERSION,
            basis="Formulaire « Déposer mon projet » du site (case à cocher).",
            at=now,
        )


def _account_for(answers: dict, territory, language: str, prospect: Prospect | None = None) -> User | None:
    """The account of the typed email (created without password if none), with the prospect role.

    None when the address cannot be given an account safely: it is an unverified address of another
    account, or the known prospect is already tied to an account of another address.
    """
    email = answers["email"]
    if prospect is not None and prospect.user_id is not None:
        user = prospect.user
        if (
            user.email.lower() != email
            and not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
        ):
            return None
    else:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            other = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
            if other is not None:
                if not other.verified:
                    return None
                user = other.user
        if user is None:
            user = _create_user(answers, language)
    Membership.objects.get_or_create(
        user=user, territory=territory, role=Role.PROSPECT, scope_type=None, scope_id=None
    )
    forget_roles(user)
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email).exists():
        EmailAddress.objects.create(
            user=user,
            email=user.email,
            verified=False,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    return user


def _create_user(answers: dict, language: str) -> User:
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=answers["email"],
                password=None,
                first_name=answers["first_name"][:150],
                last_name=answers["last_name"][:150],
                preferred_language=language,
            )
    except IntegrityError:  # created by a simultaneous request
        return User.objects.get(email__iexact=answers["email"])


# --- Emails ----------------------------------------------------------------------------------------


def _base(territory, base_url: str | None) -> str:
    if not base_url:
        hosts = territory.hostnames or ["localhost"]
        base_url = f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{hosts[0]}"
    return base_url.rstrip("/")


def _url(view_name: str, language: str, base: str, args=()) -> str:
    try:
        with translation.override(language):
            return base + reverse(view_name, args=args)
    except NoReverseMatch:
        return ""


def _email_visitor(result: IntakeResult, answers, consents, villages, language, base_url) -> None:
    prospect = result.prospect
    territory = prospect.territory
    base = _base(territory, base_url)
    context = {
        "first_name": answers["first_name"],
        "territory_name": territory.name,
        "villages": [v.name for v in villages],
        "anywhere": answers["anywhere"],
        "consent_share_villages": bool(consents.get(ConsentPurpose.SHARE_VILLAGES)),
        "consent_newsletter": bool(consents.get(ConsentPurpose.NEWSLETTER)),
        "login_url": _url("account_login", language, base),
        "privacy_url": _url("content:privacy", language, base),
        "has_account": result.user is not None,
    }
    user = result.user
    if user is not None and sign_in_link_allowed(user):
        expires = timezone.now() + timedelta(days=SIGN_IN_LINK_DAYS)
        outbox_enqueue(
            to=answers["email"],
            template="prospect_welcome",
            context={
                **context,
                "sign_in_url": base + sign_in_path(user, language),
                "expires_at": timezone.localtime(expires),
                "link_days": SIGN_IN_LINK_DAYS,
            },
            language=language,
            territory=territory,
            kind="prospect_welcome",
        )
        result.sign_in_link_sent = True
    else:
        outbox_enqueue(
            to=answers["email"],
            template="prospect_received",
            context=context,
            language=language,
            territory=territory,
            kind="prospect_received",
        )


def advisors_to_tell(prospect: Prospect) -> list[User]:
    """The prospect's advisor, or, when none is assigned, every advisor and admin of the territory."""
    if prospect.advisor_id and prospect.advisor.is_active:
        return [prospect.advisor]
    return list(
        User.objects.filter(
            is_active=True,
            memberships__territory=prospect.territory,
            memberships__role__in=STAFF_ROLES,
        )
        .distinct()
        .order_by("pk")
    )


def _email_advisors(result: IntakeResult, answers, base_url) -> None:
    prospect = result.prospect
    territory = prospect.territory
    base = _base(territory, base_url)
    for advisor in advisors_to_tell(prospect):
        language = advisor.preferred_language or territory.default_language or settings.LANGUAGE_CODE
        outbox_enqueue(
            to=advisor.email,
            template="prospect_known_contact",
            context={
                "advisor_name": advisor.first_name,
                "prospect_name": str(prospect),
                "typed_name": f"{answers['first_name']} {answers['last_name']}".strip(),
                "typed_email": answers["email"],
                "match": result.match,
                "phone_only": result.match == MATCH_PHONE,
                "territory_name": territory.name,
                "url": _url("prospects_staff:detail", language, base, args=[prospect.pk]),
            },
            language=language,
            territory=territory,
            kind="prospect_known_contact",
        )


# --- The activity's summary ------------------------------------------------------------------------


def _jsonable(answers: dict) -> dict:
    return {k: v for k, v in answers.items() if v not in ("", None, [], False)}


def _summary(answers, consents, villages, match, territory) -> str:
    """The new answers, readable on the prospect's timeline (in the territory's language)."""
    labels = {name: Prospect._meta.get_field(name).verbose_name for name in ANSWER_FIELDS}
    choices = {
        "sector": Sector,
        "work_status": WorkStatus,
        "timing": Timing,
        "heard_from": HeardFrom,
    }
    with translation.override(territory.default_language or settings.LANGUAGE_CODE):
        lines = [
            gettext("Nouveau contact via le formulaire (même adresse e-mail).")
            if match == MATCH_EMAIL
            else gettext(
                "Nouveau contact via le formulaire (même téléphone, autre adresse e-mail : vérifiez "
                "qu'il s'agit de la même personne ; la fiche n'a pas été modifiée)."
            )
        ]
        for name in ANSWER_FIELDS:
            value = answers.get(name)
            if value in ("", None, [], False):
                continue
            if name in choices:
                value = choices[name](value).label
            elif name == "needs":
                value = ", ".join(str(Need(n).label) for n in value)
            elif name == "anywhere":
                value = gettext("oui")
            lines.append(f"{str(labels[name]).capitalize()} : {value}")
        if villages:
            lines.append(
                gettext("Villages choisis : %(names)s") % {"names": ", ".join(v.name for v in villages)}
            )
        answers_text = {True: gettext("oui"), False: gettext("non")}
        for purpose in PURPOSES:
            lines.append(f"{str(purpose.label).capitalize()} : {answers_text[bool(consents.get(purpose))]}")
    return "\n".join(lines)
