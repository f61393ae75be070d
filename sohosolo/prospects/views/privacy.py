"""Privacy pages: erasure and data export by staff, the audit log of one prospect, the retention link."""

import json

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from sohosolo.accounts.permissions import territory_permission_required
from sohosolo.core.decorators import public

from ..models import Prospect
from ..privacy import prospect_anonymise, prospect_export, prospect_log_export
from ..retention import RetentionLinkError, retention_deadline, retention_keep, retention_prospect_for_token


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif de l'effacement"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Par exemple : « demande de la personne par courriel du 3 mars ». Inscrit au journal des "
            "actions ; n'y mettez ni nom ni coordonnées."
        ),
        error_messages={"required": gettext_lazy("Indiquez le motif de l'effacement.")},
    )


def _prospect(request, pk: int) -> Prospect:
    """A prospect of the request's territory (another territory's answers 404)."""
    return get_object_or_404(Prospect.objects.of_territory(request.territory), pk=pk)


@require_http_methods(["GET", "POST"])
@territory_permission_required("prospects.erase_prospect")
def erase(request, pk: int):
    prospect = _prospect(request, pk)
    if prospect.anonymised_at:
        messages.info(request, _("Ce porteur de projet a déjà été anonymisé."))
        return redirect("prospects_staff:list")
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        prospect_anonymise(prospect=prospect, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("Les données personnelles du porteur de projet n° %(pk)s ont été effacées.")
            % {"pk": prospect.pk},
        )
        return redirect("prospects_staff:list")
    return render(
        request,
        "prospects/privacy_erase.html",
        {"prospect": prospect, "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
@territory_permission_required("prospects.export_prospects")
def export_json(request, pk: int):
    """The prospect's whole file as JSON (to answer a person's access request); logged as an export."""
    prospect = _prospect(request, pk)
    if prospect.anonymised_at:
        messages.info(
            request, _("Ce porteur de projet a été anonymisé : il n'y a plus de données personnelles.")
        )
        return redirect("prospects_staff:list")
    prospect_log_export(prospects=[prospect], by=request.user, kind="json")
    response = HttpResponse(
        json.dumps({"prospect": prospect_export(prospect)}, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="porteur-{prospect.pk}-{stamp}.json"'
    return response


@require_safe
@territory_permission_required("prospects.view_prospect_audit")
def audit(request, pk: int):
    """The journal of the staff area, on one prospect (reads, changes, exports)."""
    from sohosolo.accounts.views.team import audit_log_page

    return audit_log_page(request, prospect=_prospect(request, pk))


# --- Retention link (public: the person follows it from the email) ---------------------------------


@public
@never_cache  # a personal link: no copy kept by a browser or a proxy
@require_http_methods(["GET", "POST"])
def retention_confirm(request, token: str):
    """The retention email's link: a button to keep the file; forged, expired or erased → 400."""
    try:
        prospect = retention_prospect_for_token(token)
        if request.method == "POST":
            prospect = retention_keep(prospect=prospect)
            return render(request, "prospects/retention_kept.html", {"prospect": prospect})
    except RetentionLinkError as exc:
        return render(request, "prospects/retention_invalid.html", {"message": exc.message}, status=400)
    return render(
        request,
        "prospects/retention_confirm.html",
        {"prospect": prospect, "deadline": retention_deadline(prospect)},
    )
