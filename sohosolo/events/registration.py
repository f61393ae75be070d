"""Registrations: a seat at an occurrence or a place on its waiting list, cancellation, attendance.

Capacity under concurrency: ``register`` and ``cancel`` run in one transaction that first locks the
occurrence row (``select_for_update``, PostgreSQL), then counts the confirmed registrations and
decides. On SQLite ``select_for_update`` does nothing, but every transaction begins IMMEDIATE
(config/settings/base.py: ``transaction_mode``), so writers are serialised the same way. The unique
constraint on (occurrence, lower(email)) among active registrations backs up the « already
registered » check.

Every email to a registrant carries a signed cancellation link (salt ``events.cancel``), usable until
the occurrence ends. A registration of a known prospect (logged-in user's prospect, or same email in
the territory) is linked to them and shows on their timeline, as does their attendance.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sohosolo.accounts.models import Role
from sohosolo.accounts.rules import is_staff_of, roles_in
from sohosolo.core.outbox import outbox_enqueue
from sohosolo.prospects.models import Activity, ActivityKind, Prospect

from .models import (
    Attendance,
    Audience,
    Occurrence,
    OccurrenceStatus,
    Registration,
    RegistrationStatus,
)

CANCEL_SALT = "events.cancel"
EMAIL_CONFIRMED = "event_registration"
EMAIL_WAITLISTED = "event_waitlist"
EMAIL_PROMOTED = "event_promoted"


# --- Errors ------------------------------------------------------------------------------------------


class RegistrationError(Exception):
    """A business rule refused the action; ``message`` is for the person, ``field`` the form field."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class RegistrationClosed(RegistrationError):
    """The occurrence is cancelled, has started or is over."""


class AudienceNotAllowed(RegistrationError):
    """The occurrence is reserved to people this visitor is not (yet): ``login_may_help`` when anonymous."""

    def __init__(self, message, *, login_may_help: bool = False):
        super().__init__(message)
        self.login_may_help = login_may_help


class AnswersMissing(RegistrationError):
    """Required questions left empty; ``errors`` maps each question key to its message."""

    def __init__(self, errors: dict):
        super().__init__(_("Merci de répondre aux questions obligatoires."))
        self.errors = errors


class AlreadyRegistered(RegistrationError):
    """This email already holds an active registration (confirmed or waitlisted) for the occurrence."""


class CancelLinkError(RegistrationError):
    """A cancellation link that cannot be used; ``reason`` is forged, unknown or expired."""

    def __init__(self, message, *, reason: str):
        super().__init__(message)
        self.reason = reason


class AttendanceError(RegistrationError):
    """Attendance can only be marked on a confirmed registration, as attended or no-show."""


# --- Reads -------------------------------------------------------------------------------------------


def confirmed_count(occurrence: Occurrence) -> int:
    return Registration.objects.filter(occurrence=occurrence).confirmed().count()


def seats_left(occurrence: Occurrence) -> int:
    return max(occurrence.capacity - confirmed_count(occurrence), 0)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list (FIFO: creation time, then id); None if not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = (
        Registration.objects.filter(occurrence_id=registration.occurrence_id)
        .waitlisted()
        .filter(created_at__lte=registration.created_at)
        .exclude(created_at=registration.created_at, pk__gte=registration.pk)
        .count()
    )
    return ahead + 1


def registration_closed_reason(occurrence: Occurrence, now: datetime | None = None) -> str:
    """Why nobody can register any more (empty string when registration is open)."""
    now = now or timezone.now()
    if occurrence.status == OccurrenceStatus.CANCELLED:
        return gettext("Ce rendez-vous est annulé : les inscriptions sont fermées.")
    if occurrence.starts_at <= now:
        return gettext("Ce rendez-vous a déjà commencé ou est passé : les inscriptions sont fermées.")
    if not occurrence.series.is_published:
        return gettext("Ce rendez-vous n'est pas publié.")
    return ""


def audience_check(*, occurrence: Occurrence, user) -> None:
    """Raise AudienceNotAllowed when the user (or an anonymous visitor) may not join this occurrence."""
    audience = occurrence.audience
    if audience == Audience.PUBLIC:
        return
    territory = occurrence.series.territory
    if user is None or not user.is_authenticated:
        if audience == Audience.MEMBERS:
            message = _(
                "Ce rendez-vous est réservé aux Solos installés, membres du réseau. Connectez-vous avec "
                "votre compte de membre pour vous inscrire."
            )
        else:
            message = _(
                "Ce rendez-vous est réservé aux porteurs de projet suivis par le territoire. Connectez-vous "
                "pour vous inscrire ; si vous n'avez pas encore de compte, déposez d'abord votre projet."
            )
        raise AudienceNotAllowed(message, login_may_help=True)
    if is_staff_of(user, territory):
        return
    roles = roles_in(user, territory)
    if audience == Audience.MEMBERS and Role.MEMBER not in roles:
        raise AudienceNotAllowed(
            _(
                "Ce rendez-vous est réservé aux Solos installés, membres du réseau : votre compte n'en fait pas partie."
            )
        )
    if audience == Audience.PROSPECTS and not roles & {Role.PROSPECT, Role.MEMBER}:
        raise AudienceNotAllowed(
            _(
                "Ce rendez-vous est réservé aux porteurs de projet suivis par le territoire : déposez d'abord "
                "votre projet pour pouvoir vous inscrire."
            )
        )


def question_label(question: dict, language: str | None = None) -> str:
    """A question's label; a dict of labels per language is read in the current (or given) language."""
    label = question.get("label", "")
    if isinstance(label, dict):
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        return label.get(language) or label.get(settings.LANGUAGE_CODE) or next(iter(label.values()), "")
    return str(label)


def occurrence_questions(occurrence: Occurrence) -> list[dict]:
    """The occurrence's questions, each with a key (``q1``, ``q2``… when missing)."""
    questions = []
    for index, question in enumerate(occurrence.questions or [], start=1):
        if isinstance(question, str):
            question = {"label": question}
        if not isinstance(question, dict):
            continue
        questions.append({**question, "key": str(question.get("key") or f"q{index}")})
    return questions


def validate_answers(occurrence: Occurrence, answers: dict | None) -> dict:
    """The answers to the occurrence's questions, stripped; AnswersMissing for empty required ones."""
    answers = answers or {}
    cleaned, errors = {}, {}
    for question in occurrence_questions(occurrence):
        key = question["key"]
        value = str(answers.get(key) or "").strip()
        if value:
            cleaned[key] = value[:1000]
        elif question.get("required"):
            errors[key] = _("Merci de répondre à cette question.")
    if errors:
        raise AnswersMissing(errors)
    return cleaned


def known_prospect(*, territory, email: str, user=None) -> Prospect | None:
    """The prospect this person is: the logged-in user's in the territory, else the same email."""
    prospects = Prospect.objects.active().of_territory(territory)
    if user is not None and user.is_authenticated:
        prospect = prospects.filter(user=user).order_by("-created_at", "-pk").first()
        if prospect is not None:
            return prospect
    if email:
        return (
            Prospect.objects.matching_contact(territory, email=email).order_by("-created_at", "-pk").first()
        )
    return None


# --- Links -------------------------------------------------------------------------------------------


def cancel_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk}, salt=CANCEL_SALT, compress=True)


def registration_for_cancel_token(token: str, *, now: datetime | None = None) -> Registration:
    """The registration a cancellation link stands for; CancelLinkError if forged, unknown or expired.

    A link is valid until the occurrence ends (a cancelled registration is returned: the page says so).
    """
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=CANCEL_SALT)
        pk = int(data["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise CancelLinkError(
            _(
                "Ce lien d'annulation n'est pas valide. Vérifiez qu'il a été copié en entier depuis le courriel."
            ),
            reason="forged",
        ) from None
    registration = Registration.objects.select_related("occurrence__series__territory").filter(pk=pk).first()
    if registration is None:
        raise CancelLinkError(
            _("Cette inscription n'existe plus : le rendez-vous a peut-être été supprimé."), reason="unknown"
        )
    if registration.occurrence.ends_at <= now:
        raise CancelLinkError(
            _("Ce lien d'annulation a expiré : le rendez-vous est terminé."), reason="expired"
        )
    return registration


def cancel_url(
    registration: Registration, *, language: str | None = None, base_url: str | None = None
) -> str:
    """The absolute cancellation link (the territory's first host name outside a request)."""
    from .series_services import base_url_of

    language = language or registration.language or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("events:cancel", kwargs={"token": cancel_token(registration)})
    return base_url_of(registration.occurrence.series.territory, base_url) + path


# --- Emails and timeline -----------------------------------------------------------------------------


def _language(registration: Registration) -> str:
    languages = dict(settings.LANGUAGES)
    if registration.language in languages:
        return registration.language
    territory_default = getattr(registration.occurrence.series.territory, "default_language", "")
    return territory_default if territory_default in languages else settings.LANGUAGE_CODE


def email_context(registration: Registration, *, language: str, base_url: str | None = None) -> dict:
    """What every registrant email shows: the occurrence, its place and time, the cancellation link."""
    from .series_services import occurrence_url

    occurrence = registration.occurrence
    series = occurrence.series
    return {
        "registration": registration,
        "occurrence": occurrence,
        "series": series,
        "name": registration.name,
        "time_zone": series.timezone,
        "territory_name": series.territory.name,
        "cancel_url": cancel_url(registration, language=language, base_url=base_url),
        "occurrence_url": occurrence_url(occurrence, language=language, base_url=base_url),
        "position": waitlist_position(registration),
    }


def email_registrant(
    registration: Registration, template: str, *, base_url: str | None = None, ics: bool = False
) -> None:
    """Queue emails/<template> to the registrant, in their language, with the cancellation link."""
    from .series_services import occurrence_ics_attachment

    language = _language(registration)
    attachments = None
    if ics:
        attachments = [
            occurrence_ics_attachment(registration.occurrence, language=language, base_url=base_url)
        ]
    outbox_enqueue(
        to=registration.email,
        template=template,
        context=email_context(registration, language=language, base_url=base_url),
        language=language,
        territory=registration.occurrence.series.territory,
        kind=template,
        attachments=attachments,
    )


def _when(occurrence: Occurrence) -> str:
    local = occurrence.starts_at.astimezone(ZoneInfo(occurrence.series.timezone))
    return date_format(local, "DATETIME_FORMAT")


def _timeline(registration: Registration, event: str, *, by=None, occurred_at=None) -> None:
    """Write the registration's step on the prospect's timeline (in French: the advisors' language)."""
    if registration.prospect_id is None:
        return
    occurrence = registration.occurrence
    with translation.override(settings.LANGUAGE_CODE):
        title = str(occurrence.series.title)
        when = _when(occurrence)
        texts = {
            "registered": gettext("Inscription à « %(title)s » du %(when)s."),
            "waitlisted": gettext("Inscription sur liste d'attente à « %(title)s » du %(when)s."),
            "promoted": gettext("Place libérée : inscription confirmée à « %(title)s » du %(when)s."),
            "cancelled": gettext("Inscription annulée à « %(title)s » du %(when)s."),
        }
        text = texts[event] % {"title": title, "when": when}
    from sohosolo.prospects.services import activity_record

    activity_record(
        prospect=registration.prospect,
        kind=ActivityKind.EVENT,
        text=text,
        by=by,
        occurred_at=occurred_at,
        data={"event": event, "registration": registration.pk, "occurrence": occurrence.pk},
    )


# --- Writes ------------------------------------------------------------------------------------------


def _locked_occurrence(pk: int) -> Occurrence:
    return Occurrence.objects.select_for_update(of=("self",)).select_related("series__territory").get(pk=pk)


def register(
    *,
    occurrence: Occurrence,
    name: str,
    email: str,
    language: str,
    answers: dict | None = None,
    user=None,
    base_url: str | None = None,
    now: datetime | None = None,
) -> Registration:
    """Register a person: a seat while there is one, else the waiting list; emails them either way."""
    name, email = (name or "").strip(), (email or "").strip()
    if not name:
        raise RegistrationError(_("Indiquez votre nom."), field="name")
    if not email:
        raise RegistrationError(_("Indiquez votre adresse e-mail."), field="email")
    audience_check(occurrence=occurrence, user=user)
    cleaned = validate_answers(occurrence, answers)
    user = user if user is not None and user.is_authenticated else None
    try:
        with transaction.atomic():
            # The lock: one registration (or cancellation) of this occurrence at a time.
            occurrence = _locked_occurrence(occurrence.pk)
            now = now or timezone.now()
            reason = registration_closed_reason(occurrence, now)
            if reason:
                raise RegistrationClosed(reason)
            audience_check(occurrence=occurrence, user=user)  # the audience may have changed meanwhile
            registrations = Registration.objects.filter(occurrence=occurrence)
            if registrations.active().filter(email__iexact=email).exists():
                raise _already_registered()
            confirmed = registrations.confirmed().count()
            status = (
                RegistrationStatus.CONFIRMED
                if confirmed < occurrence.capacity
                else RegistrationStatus.WAITLISTED
            )
            registration = Registration.objects.create(
                occurrence=occurrence,
                user=user,
                prospect=known_prospect(territory=occurrence.series.territory, email=email, user=user),
                name=name[:150],
                email=email,
                language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
                answers=cleaned,
                status=status,
                created_at=now,
            )
            confirmed_now = status == RegistrationStatus.CONFIRMED
            _timeline(registration, "registered" if confirmed_now else "waitlisted", by=user)
            email_registrant(
                registration,
                EMAIL_CONFIRMED if confirmed_now else EMAIL_WAITLISTED,
                base_url=base_url,
                ics=confirmed_now,
            )
    except IntegrityError as exc:
        # The unique constraint caught a duplicate the check above could not see (concurrent insert).
        raise _already_registered() from exc
    return registration


def _already_registered() -> AlreadyRegistered:
    return AlreadyRegistered(
        _(
            "Vous êtes déjà inscrit à ce rendez-vous avec cette adresse e-mail (ou sur sa liste d'attente). "
            "Le courriel de confirmation contient un lien pour annuler."
        ),
        field="email",
    )


def _promote(occurrence: Occurrence, *, base_url: str | None, now: datetime) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served (the caller holds the lock)."""
    if occurrence.status != OccurrenceStatus.SCHEDULED or occurrence.starts_at <= now:
        return []
    registrations = Registration.objects.filter(occurrence=occurrence)
    free = occurrence.capacity - registrations.confirmed().count()
    if free <= 0:
        return []
    promoted = list(registrations.waitlisted().select_related("prospect")[:free])
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        registration.occurrence = occurrence
        _timeline(registration, "promoted")
        email_registrant(registration, EMAIL_PROMOTED, base_url=base_url, ics=True)
    return promoted


def fill_from_waitlist(occurrence: Occurrence, *, base_url: str | None = None) -> list[Registration]:
    """Promote waitlisted people into free seats (e.g. after the capacity was raised); emails them."""
    with transaction.atomic():
        occurrence = _locked_occurrence(occurrence.pk)
        return _promote(occurrence, base_url=base_url, now=timezone.now())


def cancel(registration: Registration, *, by=None, base_url: str | None = None) -> Registration:
    """Cancel a registration; a freed seat goes to the first person waiting (emailed). Idempotent."""
    with transaction.atomic():
        occurrence = _locked_occurrence(registration.occurrence_id)
        registration = Registration.objects.select_related("prospect").get(pk=registration.pk)
        registration.occurrence = occurrence
        if registration.status == RegistrationStatus.CANCELLED:
            return registration
        now = timezone.now()
        held_a_seat = registration.status == RegistrationStatus.CONFIRMED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        _timeline(registration, "cancelled", by=by)
        if held_a_seat:
            _promote(occurrence, base_url=base_url, now=now)
    return registration


def mark_attendance(*, registration: Registration, attendance: str, by=None) -> Registration:
    """Record attended / no-show; the prospect's timeline keeps one attendance entry, kept up to date."""
    if attendance not in (Attendance.ATTENDED, Attendance.NO_SHOW):
        raise AttendanceError(_("Choisissez « Présent » ou « Absent »."))
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("occurrence__series__territory", "prospect")
            .get(pk=registration.pk)
        )
        if registration.status != RegistrationStatus.CONFIRMED:
            raise AttendanceError(_("Seules les personnes inscrites (pas en liste d'attente) sont pointées."))
        registration.attendance = attendance
        registration.checked_in_at = timezone.now()
        registration.save(update_fields=["attendance", "checked_in_at"])
        if registration.prospect_id is not None:
            _record_attendance(registration, by=by)
    return registration


def _record_attendance(registration: Registration, *, by=None) -> None:
    occurrence = registration.occurrence
    with translation.override(settings.LANGUAGE_CODE):
        template = (
            gettext("Présent à « %(title)s » du %(when)s.")
            if registration.attendance == Attendance.ATTENDED
            else gettext("Absent à « %(title)s » du %(when)s.")
        )
        text = template % {"title": str(occurrence.series.title), "when": _when(occurrence)}
    data = {
        "event": "attendance",
        "registration": registration.pk,
        "occurrence": occurrence.pk,
        "attendance": registration.attendance,
        "attended": registration.attendance == Attendance.ATTENDED,
    }
    existing = (
        Activity.objects.select_for_update(of=("self",))
        .filter(
            prospect_id=registration.prospect_id,
            kind=ActivityKind.EVENT,
            data__event="attendance",
            data__registration=registration.pk,
        )
        .first()
    )
    if existing is not None:
        existing.text, existing.data = text, data
        existing.author = by if by is not None and by.is_authenticated else existing.author
        existing.save(update_fields=["text", "data", "author"])
        return
    from sohosolo.prospects.services import activity_record

    activity_record(
        prospect=registration.prospect,
        kind=ActivityKind.EVENT,
        text=text,
        by=by,
        occurred_at=occurrence.starts_at,
        data=data,
    )
