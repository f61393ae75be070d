"""The partner's side of the passport (/<lang>/passeport/): the scan page, one-tap redemption, the desk.

Who sees what:

- A partner's staff member (role PARTNER scoped to a partner of the request's territory) opens the
  QR code's URL and sees the holder's first name, the passport's number and validity, and only
  their own partners' offers still valid, each with one « Utiliser » button (POST, then redirect).
- The territory's staff (advisors, administrators) may open the same page, read-only: every
  partner's offers of the territory and what is left of them, no button. Only a partner records
  the use of its own offer (a redemption is the partner's word that the service was given).
- Anyone else (a committee member, a prospect, a partner of another territory) gets a 404, before
  the code is even read, so the page says nothing to them about the code.

A forged, unknown, revoked or expired code gives a page saying which, with status 400. A passport of
another territory answers 404. Every display of the page is written to the audit log (ACCESS on the
prospect), and each redemption lands on the prospect's timeline (``services.redeem``).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from sohosolo.core.decorators import territory_or_404
from sohosolo.partners.models import Offer, Partner
from sohosolo.prospects.services import prospect_log_access

from ..scan_forms import DeskLookupForm
from ..services import AlreadyUsed, PassportError, offers_left, redeem
from ..tokens import PassportCodeError, passport_from_token, passport_token

# Territory staff see the page read-only (they follow the prospect anyway).
STAFF_PERM = "prospects.view_pipeline"
# The desk lookup: attempts per minute, per user and per address (a wrong pair is a generic error).
DESK_RATE = "10/m"

INVALID_TITLES = {
    "forged": gettext_lazy("Code de passeport non valide"),
    "unknown": gettext_lazy("Passeport introuvable"),
    "revoked": gettext_lazy("Passeport révoqué"),
    "expired": gettext_lazy("Passeport expiré"),
}


class ScanAccess:
    """What the user may do on the partner's pages of the request's territory (404 if nothing)."""

    def __init__(self, request):
        territory = territory_or_404(request)
        self.partners = list(Partner.objects.of_user(request.user, territory).order_by("name"))
        self.is_staff = request.user.has_perm(STAFF_PERM, territory)
        if not self.partners and not self.is_staff:
            raise Http404("Neither a partner's staff nor the territory's staff.")

    @property
    def can_redeem(self) -> bool:
        return bool(self.partners)

    def offers(self, territory):
        """The offers this user sees on a passport: their partners' (or, read-only, all the territory's)."""
        offers = Offer.objects.active().select_related("partner")
        if self.partners:
            offers = offers.filter(partner__in=[p.pk for p in self.partners])
        else:
            offers = offers.filter(partner__territory=territory)
        return list(offers.order_by("partner__name", "pk"))


def _invalid(request, error: PassportCodeError):
    """The clear page of a code that cannot be used: which problem, what to do (status 400)."""
    context = {
        "title": INVALID_TITLES.get(error.reason, INVALID_TITLES["forged"]),
        "message": error.message,
        "reason": error.reason,
    }
    return render(request, "passports/scan_invalid.html", context, status=400)


def _passport(request, token: str):
    """(passport, None) for a usable code of the request's territory, or (None, the 400 page)."""
    try:
        passport = passport_from_token(token)
    except PassportCodeError as exc:
        return None, _invalid(request, exc)
    if passport.territory_id != request.territory.pk:
        raise Http404("A passport of another territory.")
    return passport, None


@never_cache
@require_safe
def scan(request, token: str):
    access = ScanAccess(request)
    passport, invalid = _passport(request, token)
    if invalid is not None:
        return invalid
    prospect_log_access(prospect=passport.prospect, user=request.user)
    rows = offers_left(passport, access.offers(request.territory))
    context = {
        "passport": passport,
        "first_name": passport.prospect.first_name,
        "token": token,
        "rows": rows,
        "can_redeem": access.can_redeem,
        "show_partner": not access.can_redeem or len(access.partners) > 1,
        "partners": access.partners,
    }
    return render(request, "passports/scan_page.html", context)


@never_cache
@require_POST
def redeem_view(request, token: str, offer_pk: int):
    """« Utiliser »: record one use of the partner's offer, then back to the scan page (PRG).

    A second tap, or a colleague's at the same moment, on an offer with no use left gives one
    redemption and « already used on <date> » (the unique constraint of ``Redemption`` decides).
    """
    access = ScanAccess(request)
    if not access.can_redeem:
        raise Http404("Only a partner's staff record the use of its offers.")
    passport, invalid = _passport(request, token)
    if invalid is not None:
        return invalid
    offer = get_object_or_404(
        Offer.objects.filter(partner__in=[p.pk for p in access.partners]).select_related("partner"),
        pk=offer_pk,
    )
    prospect_log_access(prospect=passport.prospect, user=request.user)
    try:
        redemption = redeem(passport=passport, offer=offer, by=request.user)
    except PassportCodeError as exc:  # revoked or expired between the scan and the tap
        return _invalid(request, exc)
    except AlreadyUsed as exc:
        messages.warning(
            request, _("« %(offer)s » : %(reason)s") % {"offer": offer.title, "reason": exc.message}
        )
    except PassportError as exc:
        messages.error(
            request, _("« %(offer)s » : %(reason)s") % {"offer": offer.title, "reason": exc.message}
        )
    else:
        messages.success(
            request,
            _("C'est enregistré : « %(offer)s » utilisée par %(name)s le %(date)s.")
            % {
                "offer": offer.title,
                "name": passport.prospect.first_name,
                "date": date_format(timezone.localtime(redemption.redeemed_at), "SHORT_DATETIME_FORMAT"),
            },
        )
    return redirect("passports_scan:scan", token=token)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user_or_ip", rate=DESK_RATE, method="POST", block=True)
@ratelimit(key="ip", rate=DESK_RATE, method="POST", block=True)
def desk(request):
    """A partner's desk without a camera: the passport's number and check code open its scan page."""
    ScanAccess(request)
    form = DeskLookupForm(request.POST or None, territory=request.territory)
    if request.method == "POST":
        if form.is_valid():
            return redirect("passports_scan:scan", token=passport_token(form.passport))
        return render(request, "passports/scan_desk.html", {"form": form}, status=400)
    return render(request, "passports/scan_desk.html", {"form": form})
