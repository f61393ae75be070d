"""« Mes villages »: a committee edits the pages of its villages only (any other village answers 404)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sohosolo.accounts.permissions import territory_permission_required
from sohosolo.core.locking import EditConflict, form_after_conflict

from ..forms import PhotoForm, TravelTimesForm, VillageEditForm
from ..models import Village
from ..services import (
    VillageError,
    village_photo_add,
    village_photo_remove,
    village_travel_times_set,
    village_update,
)


def _editable_village(request, slug: str) -> Village:
    """The village if this user may edit it, else 404 (another village, another territory, no role)."""
    territory = request.territory
    if territory is None:
        raise Http404("No territory is configured.")
    return get_object_or_404(
        Village.objects.editable_by(request.user, territory)
        .select_related("commune", "territory")
        .prefetch_related("photos", "measured_travel_times"),
        slug=slug,
    )


@require_safe
@territory_permission_required("villages.view_my_villages")
def my_villages(request):
    villages = (
        Village.objects.editable_by(request.user, request.territory)
        .select_related("commune", "updated_by")
        .prefetch_related("photos")
    )
    return render(request, "villages/committee/my_villages.html", {"villages": villages})


def _render_edit(
    request, village: Village, *, form=None, photo_form=None, travel_form=None, status=200, current=None
):
    context = {
        "village": village,
        "form": form or VillageEditForm(initial=VillageEditForm.initial_for(village), village=village),
        "photo_form": photo_form or PhotoForm(),
        "travel_form": travel_form or TravelTimesForm(village=village),
        "photos": list(village.photos.all()),
        "travel_times": village.travel_times(),
        "current": current,
        # Browsers do not keep a chosen file when the form comes back: say so rather than lose it silently.
        "photo_dropped": bool(status != 200 and request.FILES),
    }
    return render(request, "villages/committee/village_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def village_edit(request, slug: str):
    village = _editable_village(request, slug)
    if request.method == "GET":
        return _render_edit(request, village)
    form = VillageEditForm(
        request.POST, request.FILES, village=village, initial=VillageEditForm.initial_for(village)
    )
    if not form.is_valid():
        return _render_edit(request, village, form=form, status=400)
    if not set(form.changed_data) - {"version"}:
        messages.info(request, _("Aucune modification à enregistrer."))
        return redirect("villages_staff:edit", slug=village.slug)
    try:
        village_update(
            village=village,
            expected_version=form.cleaned_data["version"],
            by=request.user,
            data=form.text_data(),
            product_photo=form.cleaned_data.get("product_photo"),
            remove_product_photo=form.cleaned_data.get("remove_product_photo", False),
        )
    except EditConflict as exc:
        # Keep the loser's text, carry the current version so a second save (after comparing) goes
        # through, and show what is saved now beside it.
        current = Village.objects.select_related("commune", "territory").get(pk=village.pk)
        form = form_after_conflict(VillageEditForm, request, current, exc, village=current)
        return _render_edit(request, current, form=form, status=409, current=current)
    if village.status == "published":
        messages.success(request, _("Modifications enregistrées : elles sont en ligne."))
    else:
        messages.success(
            request,
            _(
                "Modifications enregistrées. La page sera visible quand l'équipe du territoire l'aura publiée."
            ),
        )
    return redirect("villages_staff:edit", slug=village.slug)


@require_POST
def village_photo_add_view(request, slug: str):
    village = _editable_village(request, slug)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            village_photo_add(
                village=village,
                image=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
                by=request.user,
            )
        except VillageError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Photo ajoutée."))
            return redirect(_edit_url(village, "photos"))
    return _render_edit(request, village, photo_form=form, status=400)


@require_POST
def village_photo_remove_view(request, slug: str, pk: int):
    village = _editable_village(request, slug)
    photo = get_object_or_404(village.photos.all(), pk=pk)
    village_photo_remove(village=village, photo=photo, by=request.user)
    messages.success(request, _("Photo retirée."))
    return redirect(_edit_url(village, "photos"))


@require_POST
def village_travel_times_view(request, slug: str):
    village = _editable_village(request, slug)
    form = TravelTimesForm(request.POST, village=village)
    if form.is_valid():
        try:
            village_travel_times_set(village=village, minutes_by_city=form.minutes_by_city(), by=request.user)
        except VillageError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Temps de trajet enregistrés."))
            return redirect(_edit_url(village, "trajets"))
    return _render_edit(request, village, travel_form=form, status=400)


def _edit_url(village: Village, anchor: str) -> str:
    return reverse("villages_staff:edit", args=[village.slug]) + f"#{anchor}"
