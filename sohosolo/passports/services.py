"""Writes on passports: opening, revocation, checklist, and the redemption of partners' offers."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sohosolo.prospects.models import ActivityKind, Prospect
from sohosolo.prospects.services import activity_record

from .models import DEFAULT_STEPS, ChecklistStep, Passport, Redemption, StepDone

VALIDITY = timedelta(days=2 * 365)
CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed at a desk
CHECK_LENGTH = 6


class PassportError(Exception):
    """A refused operation on a passport; ``message`` is shown to the person who acted."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class AlreadyUsed(PassportError):
    def __init__(self, message, *, last: Redemption):
        super().__init__(message)
        self.last = last


def checklist_steps(territory) -> list[ChecklistStep]:
    """The territory's checklist, created from the defaults the first time it is needed."""
    steps = list(ChecklistStep.objects.filter(territory=territory))
    if steps:
        return steps
    for position, (key, label) in enumerate(DEFAULT_STEPS):
        ChecklistStep.objects.get_or_create(
            territory=territory,
            key=key,
            defaults={"position": position, **{f"label_{lang}": _translated(label, lang) for lang in LANGS}},
        )
    return list(ChecklistStep.objects.filter(territory=territory))


LANGS = ("fr", "en", "es", "pt")


def _translated(label, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(label)


def _check_code() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))


def _create_numbered(prospect: Prospect, now) -> Passport:
    """Create the passport with the territory's next number for the year (retried on a concurrent insert)."""
    territory = prospect.territory
    year = timezone.localdate(now).year
    for _attempt in range(20):
        last = Passport.objects.filter(territory=territory, year=year).aggregate(m=Max("sequence"))["m"] or 0
        sequence = last + 1
        try:
            with transaction.atomic():
                return Passport.objects.create(
                    prospect=prospect,
                    territory=territory,
                    year=year,
                    sequence=sequence,
                    number=f"{territory.slug.upper()}-{year}-{sequence:04d}",
                    check_code=_check_code(),
                    opened_at=now,
                    valid_until=(timezone.localdate(now) + VALIDITY),
                )
        except IntegrityError:
            if Passport.objects.filter(prospect=prospect).exists():
                return Passport.objects.get(prospect=prospect)
            continue
    raise PassportError(_("Impossible d'attribuer un numéro de passeport ; réessayez."))


@transaction.atomic
def passport_open(*, prospect: Prospect, by=None, now=None) -> Passport:
    """Open (or reopen) the candidate's passport; idempotent."""
    now = now or timezone.now()
    passport = Passport.objects.select_for_update().filter(prospect=prospect).first()
    if passport is None:
        passport = _create_numbered(prospect, now)
        activity_record(
            prospect=prospect, kind=ActivityKind.PASSPORT, by=by, occurred_at=now,
            data={"event": "opened", "number": passport.number},
            text=str(_("Passeport ouvert : %(number)s") % {"number": passport.number}),
        )  # fmt: skip
    elif passport.revoked_at is not None or passport.valid_until < timezone.localdate(now):
        passport.revoked_at = None
        passport.revoked_reason = ""
        passport.valid_until = timezone.localdate(now) + VALIDITY
        passport.save(update_fields=["revoked_at", "revoked_reason", "valid_until"])
        activity_record(
            prospect=prospect, kind=ActivityKind.PASSPORT, by=by, occurred_at=now,
            data={"event": "reopened", "number": passport.number},
            text=str(_("Passeport rouvert : %(number)s") % {"number": passport.number}),
        )  # fmt: skip
    checklist_steps(prospect.territory)
    return passport


@transaction.atomic
def passport_revoke(*, prospect: Prospect, reason: str, by=None, now=None) -> Passport | None:
    """Revoke the prospect's passport (lost, erased); its QR code stops working at once."""
    passport = Passport.objects.select_for_update().filter(prospect=prospect, revoked_at__isnull=True).first()
    if passport is None:
        return None
    passport.revoked_at = now or timezone.now()
    passport.revoked_reason = reason[:200]
    passport.save(update_fields=["revoked_at", "revoked_reason"])
    if prospect.anonymised_at is None:
        activity_record(
            prospect=prospect, kind=ActivityKind.PASSPORT, by=by,
            data={"event": "revoked", "number": passport.number, "reason": reason},
            text=str(_("Passeport révoqué : %(number)s") % {"number": passport.number}),
        )  # fmt: skip
    return passport


@transaction.atomic
def step_set(*, passport: Passport, step: ChecklistStep, done: bool, by=None) -> None:
    """Tick or untick a checklist step (the advisor or the candidate)."""
    if step.territory_id != passport.territory_id:
        raise PassportError(_("Cette étape n'appartient pas à ce passeport."))
    if done:
        StepDone.objects.get_or_create(passport=passport, step=step, defaults={"done_by": _actor(by)})
    else:
        StepDone.objects.filter(passport=passport, step=step).delete()


@dataclass(frozen=True)
class OfferAvailability:
    offer: object
    used: int
    left: int
    last_used_at: object


def offers_left(passport: Passport, offers) -> list[OfferAvailability]:
    """For each offer, how many uses are left on this passport (one query for the counts)."""
    from django.db.models import Count

    counts = {
        row["offer"]: (row["n"], row["last"])
        for row in Redemption.objects.filter(passport=passport, offer__in=offers)
        .values("offer")
        .annotate(n=Count("pk"), last=Max("redeemed_at"))
    }
    rows = []
    for offer in offers:
        used, last = counts.get(offer.pk, (0, None))
        rows.append(OfferAvailability(offer, used, max(offer.uses_per_passport - used, 0), last))
    return rows


def redeem(*, passport: Passport, offer, by, today: date | None = None) -> Redemption:
    """Record one use of ``offer`` on ``passport``; never more than the offer's uses per passport.

    Each use takes the first free ``use_number`` in 1..uses_per_passport; the unique constraint makes
    a concurrent insert of the same number fail, and that caller tries the next number. When all are
    taken, AlreadyUsed says when the offer was last used. Safe on PostgreSQL and SQLite alike.
    """
    from .tokens import check_usable

    check_usable(passport)
    if not offer.is_active or offer not in type(offer).objects.active(on=today).filter(pk=offer.pk):
        raise PassportError(_("Cette offre n'est pas disponible actuellement."))
    if offer.partner.territory_id != passport.territory_id:
        raise PassportError(_("Cette offre n'est pas proposée aux passeports de ce territoire."))
    taken = set(
        Redemption.objects.filter(passport=passport, offer=offer).values_list("use_number", flat=True)
    )
    for number in range(1, offer.uses_per_passport + 1):
        if number in taken:
            continue
        try:
            with transaction.atomic():
                redemption = Redemption.objects.create(
                    passport=passport, offer=offer, use_number=number, redeemed_by=_actor(by)
                )
                activity_record(
                    prospect=passport.prospect, kind=ActivityKind.PASSPORT, by=by,
                    occurred_at=redemption.redeemed_at,
                    data={"event": "redeemed", "offer": offer.pk, "partner": offer.partner_id, "use": number},
                    text=str(_("Offre utilisée chez %(partner)s : %(offer)s") % {
                        "partner": offer.partner.name, "offer": offer.title}),
                )  # fmt: skip
                return redemption
        except IntegrityError:
            continue  # someone took this number at the same moment: try the next one
    last = Redemption.objects.filter(passport=passport, offer=offer).order_by("-redeemed_at").first()
    raise AlreadyUsed(
        _("Offre déjà utilisée le %(date)s.") % {"date": date_format(timezone.localtime(last.redeemed_at), "SHORT_DATETIME_FORMAT")},
        last=last,
    )  # fmt: skip


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None
