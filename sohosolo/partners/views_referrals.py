"""Referrals to partners (/<lang>/suivi/orientations/): the advisor's form, the partners' list and page.

- ``nouvelle/<prospect_pk>/``: an advisor (``prospects.change_prospect``) refers a prospect of the
  territory to one of its partners, after asking the person (the consent goes to the ledger).
- ``""`` and ``<pk>/``: a partner's staff see their own partners' referrals (another partner's
  answers 404, even in the same territory); the territory's staff see all of the territory's.
  Anyone else gets a 404. Each display of a referral's page is written to the audit log.
- ``<pk>/statut/``: the partner (or the territory's staff) marks it contacted, appointment, done.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sohosolo.accounts.permissions import check_territory_perm
from sohosolo.core.decorators import territory_or_404
from sohosolo.prospects.models import Prospect
from sohosolo.prospects.services import prospect_log_access

from .models import ReferralStatus
from .referrals import (
    BASIS_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PARTNER_STEPS,
    STAFF_PERM,
    ReferralError,
    can_see_referrals,
    referral_create,
    referral_history,
    referral_partners,
    referral_set_status,
    referrals_visible_to,
)

PER_PAGE = 30

# What the consent covers: shown on the advisor's form, and on the partner's page as a reminder.
SHARED_DATA = gettext_lazy(
    "son nom, son adresse e-mail, son téléphone et le résumé de son projet (activité, secteur, situation "
    "professionnelle, échéance, foyer), avec votre message"
)


class ReferralCreateForm(forms.Form):
    partner = forms.ModelChoiceField(label=gettext_lazy("Partenaire"), queryset=None)
    message = forms.CharField(
        label=gettext_lazy("Message au partenaire"),
        help_text=gettext_lazy("Ce que la personne attend de ce partenaire. 2000 caractères au plus."),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consent = forms.BooleanField(
        label=gettext_lazy(
            "La personne accepte d'être orientée vers ce partenaire et que lui soient transmis son nom, son "
            "adresse e-mail, son téléphone et le résumé de son projet (activité, secteur, situation "
            "professionnelle, échéance, foyer), avec ce message."
        ),
        error_messages={
            "required": gettext_lazy(
                "Une orientation demande l'accord de la personne : cochez la case après le lui avoir demandé."
            )
        },
    )
    basis = forms.CharField(
        label=gettext_lazy("Comment et quand a-t-elle donné son accord ?"),
        help_text=gettext_lazy(
            "Par exemple : « par téléphone le 12 mars ». Inscrit au registre des consentements."
        ),
        max_length=BASIS_MAX_LENGTH,
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = referral_partners(territory)


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Où en est cette orientation ?"),
        choices=[(s.value, s.label) for s in PARTNER_STEPS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note (facultative)"),
        help_text=gettext_lazy("Par exemple la date du rendez-vous. L'équipe du territoire la lira."),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _check_access(request):
    territory = territory_or_404(request)
    if not can_see_referrals(request.user, territory):
        raise Http404("Neither a partner's staff nor the territory's staff.")
    return territory


def _referral(request, pk: int):
    territory = _check_access(request)
    return get_object_or_404(referrals_visible_to(request.user, territory), pk=pk)


@never_cache
@require_safe
def referral_list(request):
    territory = _check_access(request)
    referrals = referrals_visible_to(request.user, territory).order_by("-created_at", "-pk")
    status = request.GET.get("statut", "")
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "referrals": page.object_list,
        "is_staff": request.user.has_perm(STAFF_PERM, territory),
        "statuses": ReferralStatus.choices,
        "status": status,
    }
    return render(request, "partners/referral_list.html", context)


def _render_detail(request, referral, *, form=None, status: int = 200):
    prospect_log_access(prospect=referral.prospect, user=request.user)
    context = {
        "referral": referral,
        "prospect": referral.prospect,
        "history": referral_history(referral),
        "form": form or ReferralStatusForm(),
        "shared_data": SHARED_DATA,
        "is_staff": request.user.has_perm(STAFF_PERM, request.territory),
    }
    return render(request, "partners/referral_detail.html", context, status=status)


@never_cache
@require_safe
def referral_detail(request, pk: int):
    return _render_detail(request, _referral(request, pk))


@never_cache
@require_POST
def referral_status(request, pk: int):
    referral = _referral(request, pk)
    form = ReferralStatusForm(request.POST)
    if form.is_valid():
        try:
            referral_set_status(
                referral=referral,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ReferralError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("C'est noté : l'équipe du territoire le verra dans le suivi du projet.")
            )
            return redirect("referrals:detail", pk=referral.pk)
    return _render_detail(request, referral, form=form, status=400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def referral_create_view(request, prospect_pk: int):
    check_territory_perm(request, STAFF_PERM)
    prospect = get_object_or_404(Prospect.objects.active().of_territory(request.territory), pk=prospect_pk)
    form = ReferralCreateForm(request.POST or None, territory=request.territory)
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_create(
                prospect=prospect,
                partner=form.cleaned_data["partner"],
                message=form.cleaned_data["message"],
                consent=form.cleaned_data["consent"],
                basis=form.cleaned_data["basis"],
                by=request.user,
            )
        except ReferralError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if referral.notified:
                messages.success(
                    request,
                    _("%(name)s est orienté·e vers %(partner)s : son équipe a été prévenue par courriel.")
                    % {"name": prospect.full_name, "partner": referral.partner.name},
                )
            else:
                messages.warning(
                    request,
                    _(
                        "%(name)s est orienté·e vers %(partner)s, mais ce partenaire n'a encore aucun compte : "
                        "prévenez-le vous-même, ou invitez son équipe."
                    )
                    % {"name": prospect.full_name, "partner": referral.partner.name},
                )
            return redirect("prospects_staff:detail", pk=prospect.pk)
    prospect_log_access(prospect=prospect, user=request.user)
    context = {"form": form, "prospect": prospect, "shared_data": SHARED_DATA}
    return render(request, "partners/referral_form.html", context, status=400 if form.errors else 200)
