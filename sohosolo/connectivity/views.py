"""Committee and staff pages for a village's connectivity: the official figures, and the ground checks
("vérifié sur le terrain") the committee adds beside them.

A village or ground check outside the user's scope answers 404; anonymous visitors go to the login page.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from sohosolo.core.locking import form_after_conflict
from sohosolo.villages.models import Village

from .forms import CorrectionForm
from .models import ConnectivityCorrection
from .services import CorrectionError, EditConflict, correction_create, correction_delete, correction_update


def _villages(request):
    return Village.objects.editable_by(request.user, request.territory).select_related("commune")


def _village_or_404(request, slug: str) -> Village:
    return get_object_or_404(_villages(request), slug=slug)


def _correction_or_404(request, pk: int) -> ConnectivityCorrection:
    corrections = ConnectivityCorrection.objects.editable_by(request.user, request.territory)
    return get_object_or_404(corrections.select_related("commune", "commune__village"), pk=pk)


def _village_of(correction: ConnectivityCorrection) -> Village | None:
    try:
        return correction.commune.village
    except Village.DoesNotExist:
        return None


def _back(correction: ConnectivityCorrection):
    village = _village_of(correction)
    if village is not None:
        return redirect("connectivity_staff:village", village_slug=village.slug)
    return redirect("connectivity_staff:index")


def _form_data(form: CorrectionForm) -> dict:
    data = form.cleaned_data
    return {"topic": data["topic"], "note": data["note"], "checked_on": data["checked_on"]}


@require_safe
def index(request):
    territory = request.territory
    if territory is None or not request.user.has_perm("accounts.in_scope", territory):
        raise Http404("Not in this user's territories.")
    return render(request, "connectivity/staff/index.html", {"villages": _villages(request)})


@require_safe
def village_connectivity(request, village_slug: str):
    village = _village_or_404(request, village_slug)
    commune = village.commune
    corrections = ConnectivityCorrection.objects.filter(commune=commune).select_related("author")
    return render(
        request,
        "connectivity/staff/village.html",
        {"village": village, "commune": commune, "corrections": corrections},
    )


@require_http_methods(["GET", "POST"])
def correction_add(request, village_slug: str):
    village = _village_or_404(request, village_slug)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction_create(commune=village.commune, by=request.user, **_form_data(form))
        except CorrectionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Vérification de terrain ajoutée."))
            return redirect("connectivity_staff:village", village_slug=village.slug)
    context = {"form": form, "village": village, "correction": None, "current": None}
    return render(request, "connectivity/staff/form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def correction_edit(request, pk: int):
    correction = _correction_or_404(request, pk)
    form = CorrectionForm(request.POST or None, instance=correction)
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            correction_update(
                correction=correction,
                expected_version=form.cleaned_data["version"] or 0,
                by=request.user,
                **_form_data(form),
            )
        except EditConflict as exc:
            current = ConnectivityCorrection.objects.filter(pk=correction.pk).first()
            if current is None:
                raise Http404("The ground check was deleted meanwhile.") from exc
            form = form_after_conflict(CorrectionForm, request, current, exc, instance=current)
            status = 409
        except CorrectionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Vérification de terrain enregistrée."))
            return _back(correction)
    if form.errors and status == 200:
        status = 400
    context = {"form": form, "village": _village_of(correction), "correction": correction, "current": current}
    return render(request, "connectivity/staff/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def correction_delete_view(request, pk: int):
    """GET asks for confirmation; only a POST deletes."""
    correction = _correction_or_404(request, pk)
    if request.method == "POST":
        response = _back(correction)
        correction_delete(correction=correction, by=request.user)
        messages.success(request, _("Vérification de terrain supprimée."))
        return response
    return render(
        request,
        "connectivity/staff/delete.html",
        {"correction": correction, "village": _village_of(correction)},
    )
