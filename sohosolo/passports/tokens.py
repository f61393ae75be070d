"""The signed code in a passport's QR: valid as long as the passport is (revocation invalidates it).

The token carries the passport's id and number, signed with the project's secret (django.core.signing,
its own salt): a printed copy keeps working until the passport is revoked or expires, a forged or
altered code is refused. Checking the state happens on every scan, so nothing needs re-signing.
"""

from django.core import signing
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import Passport

SALT = "passports.scan"


class PassportCodeError(Exception):
    """A scanned code that cannot be used; ``message`` is shown to the partner."""

    def __init__(self, message, *, reason: str):
        super().__init__(str(message))
        self.message = message
        self.reason = reason  # "forged", "unknown", "revoked", "expired"


def passport_token(passport: Passport) -> str:
    # No timestamp (the passport's own state says whether it is valid): the same passport always has
    # the same code, on screen and on paper.
    return signing.Signer(salt=SALT).sign_object({"p": passport.pk, "n": passport.number}, compress=True)


def passport_from_token(token: str) -> Passport:
    """The passport a scanned token designates, if it can be used now; else PassportCodeError."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError) as exc:  # ValueError: a signed value that is not our JSON
        raise PassportCodeError(_("Ce code de passeport n'est pas valide."), reason="forged") from exc
    passport = (
        Passport.objects.select_related("prospect", "territory")
        .filter(pk=data.get("p"), number=data.get("n"))
        .first()
    )
    return check_usable(passport)


def check_usable(passport: Passport | None) -> Passport:
    if passport is None:
        raise PassportCodeError(_("Ce passeport n'existe pas."), reason="unknown")
    if passport.revoked_at is not None:
        raise PassportCodeError(
            _("Ce passeport a été révoqué le %(date)s.")
            % {"date": date_format(passport.revoked_at.date(), "SHORT_DATE_FORMAT")},
            reason="revoked",
        )
    if not passport.is_valid:
        raise PassportCodeError(
            _("Ce passeport a expiré le %(date)s.")
            % {"date": date_format(passport.valid_until, "SHORT_DATE_FORMAT")},
            reason="expired",
        )
    return passport
