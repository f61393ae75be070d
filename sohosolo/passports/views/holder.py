""" "Mon passeport" in "Mon espace" (/<lang>/mon-espace/passeport/): the holder's passport, its
checklist (which the holder ticks), the partners' offers still available, the appointments taken
through a referral, the QR code to show a partner, and the one-page printable version.

The passport is found from the logged-in account: the person's project in the request's territory.
There is no identifier in the address, so nobody can open another person's passport; someone without
a passport in this territory gets a page explaining when it opens.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sohosolo.core.decorators import territory_or_404
from sohosolo.partners.models import Offer, Referral, ReferralStatus

from ..forms import StepToggleForm
from ..models import ChecklistStep, Passport, StepDone
from ..qr import qr_svg, scan_url
from ..services import PassportError, checklist_steps, offers_left, step_set

# The print view lists at most this many offers, so that the passport fits one A4 page.
PRINT_OFFERS_MAX = 10


# --- Reads ------------------------------------------------------------------------------------------


def holder_passport(request) -> Passport | None:
    """The request user's passport in the request's territory (the current one first), or None."""
    territory = territory_or_404(request)
    return (
        Passport.objects.filter(
            territory=territory, prospect__user=request.user, prospect__anonymised_at__isnull=True
        )
        .select_related("prospect", "prospect__advisor", "territory")
        .order_by(F("revoked_at").asc(nulls_first=True), "-opened_at")
        .first()
    )


def passports_elsewhere(request) -> list[Passport]:
    """The user's passports in other territories (to say where to find them)."""
    return list(
        Passport.objects.filter(prospect__user=request.user, prospect__anonymised_at__isnull=True)
        .exclude(territory=request.territory)
        .select_related("territory")
    )


@dataclass(frozen=True)
class StepRow:
    step: ChecklistStep
    done: StepDone | None

    @property
    def is_done(self) -> bool:
        return self.done is not None


@dataclass(frozen=True)
class Checklist:
    rows: list[StepRow]

    @property
    def done_count(self) -> int:
        return sum(1 for row in self.rows if row.is_done)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 0


def passport_checklist(passport: Passport) -> Checklist:
    steps = checklist_steps(passport.territory)
    done = {row.step_id: row for row in StepDone.objects.filter(passport=passport)}
    return Checklist([StepRow(step, done.get(step.pk)) for step in steps])


def passport_offers(passport: Passport):
    """Each active offer of the territory's published partners, with the uses left on the passport."""
    offers = list(
        Offer.objects.active()
        .filter(partner__territory=passport.territory_id, partner__is_published=True)
        .select_related("partner")
        .order_by("partner__name", "title")
    )
    return offers_left(passport, offers)


def passport_appointments(passport: Passport) -> list[Referral]:
    """The referrals to a partner where an appointment was made (there is no calendar yet)."""
    return list(
        Referral.objects.filter(
            prospect=passport.prospect_id,
            partner__territory=passport.territory_id,
            status=ReferralStatus.APPOINTMENT,
        )
        .select_related("partner")
        .order_by("-updated_at")
    )


def passport_state(passport: Passport) -> str:
    if passport.revoked_at is not None:
        return "revoked"
    if passport.valid_until < timezone.localdate():
        return "expired"
    return "valid"


def passport_context(request, passport: Passport) -> dict:
    """What the passport page, its print view and the staff's print view show."""
    state = passport_state(passport)
    # Offers still open first; those used up (« utilisée le … ») after them.
    offers = sorted(passport_offers(passport), key=lambda row: row.left == 0) if state == "valid" else []
    context = {
        "passport": passport,
        "prospect": passport.prospect,
        "state": state,
        "checklist": passport_checklist(passport),
        "offers": offers,
        "offers_available": [row for row in offers if row.left],
        "offers_used": [row for row in offers if row.used],
        "appointments": passport_appointments(passport) if state == "valid" else [],
    }
    if state == "valid":
        context["qr"] = qr_svg(
            scan_url(request, passport),
            label=_("QR code du passeport %(number)s") % {"number": passport.number},
        )
    return context


def print_language(passport: Passport) -> str:
    """The holder's language for the printed passport, when the site offers it."""
    offered = {code for code, _name in settings.LANGUAGES}
    return passport.prospect.language if passport.prospect.language in offered else get_language()


# --- Views ------------------------------------------------------------------------------------------


@require_safe
def passport_detail(request):
    passport = holder_passport(request)
    if passport is None:
        context = {"elsewhere": passports_elsewhere(request), "has_project": _has_project(request)}
        return render(request, "passports/holder_none.html", context)
    context = passport_context(request, passport)
    context["print_language"] = print_language(passport)
    return render(request, "passports/holder_detail.html", context)


@require_safe
def passport_print(request):
    passport = holder_passport(request)
    if passport is None:
        raise Http404("No passport for this person in this territory.")
    context = passport_context(request, passport)
    context["back_url"] = reverse("passports:detail")
    context["print_offers_max"] = PRINT_OFFERS_MAX
    return render(request, "passports/holder_print.html", context)


@require_POST
def step_toggle(request):
    """The holder ticks or unticks a step; back to the checklist (POST, redirect, GET)."""
    passport = holder_passport(request)
    if passport is None:
        raise Http404("No passport for this person in this territory.")
    form = StepToggleForm(request.POST, territory=passport.territory)
    if not form.is_valid():
        raise Http404("No such step in this territory's checklist.")
    step, done = form.cleaned_data["step"], form.cleaned_data["done"]
    if passport.revoked_at is not None:
        messages.error(request, _("Ce passeport est révoqué : ses étapes ne peuvent plus être modifiées."))
        return redirect(reverse("passports:detail") + "#etapes")
    try:
        step_set(passport=passport, step=step, done=done, by=request.user)
    except PassportError as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, _("Étape « %(step)s » cochée.") % {"step": step.label})
        else:
            messages.success(request, _("Étape « %(step)s » décochée.") % {"step": step.label})
    return redirect(reverse("passports:detail") + "#etapes")


def _has_project(request) -> bool:
    return request.user.prospects.filter(territory=request.territory, anonymised_at__isnull=True).exists()
