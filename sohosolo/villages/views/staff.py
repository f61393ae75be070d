"""Staff area (/suivi/villages/): the territory's villages, creation, publication, history."""

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sohosolo.accounts.models import Membership, Role
from sohosolo.accounts.permissions import territory_permission_required
from sohosolo.core.audit import readable_changes

from ..forms import UnpublishForm, VillageCreateForm
from ..models import Village
from ..services import VillageError, village_create, village_publish, village_unpublish

MANAGE = "villages.manage_villages"


def _village(request, slug: str) -> Village:
    return get_object_or_404(
        Village.objects.of_territory(request.territory).select_related("commune", "territory"), slug=slug
    )


@require_safe
@territory_permission_required(MANAGE)
def village_list(request):
    committee_size = (
        Membership.objects.filter(
            territory=request.territory,
            role=Role.COMMITTEE,
            scope_type=ContentType.objects.get_for_model(Village),
            scope_id=OuterRef("pk"),
        )
        .values("scope_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    villages = (
        Village.objects.of_territory(request.territory)
        .select_related("commune", "updated_by")
        .annotate(committee_size=Coalesce(Subquery(committee_size), 0))
    )
    return render(request, "villages/staff/village_list.html", {"villages": villages})


@require_http_methods(["GET", "POST"])
@territory_permission_required(MANAGE)
def village_create_view(request):
    form = VillageCreateForm(request.POST or None, territory=request.territory)
    if request.method == "POST" and form.is_valid():
        try:
            village = village_create(
                territory=request.territory, commune=form.cleaned_data["commune"], by=request.user
            )
        except VillageError as exc:
            form.add_error("commune", exc.message)
        else:
            messages.success(
                request,
                _(
                    "Le village %(name)s est créé, en brouillon. Invitez son comité d'accueil, complétez sa page puis publiez-la."
                )
                % {"name": village.name},
            )
            return redirect("villages_staff:list")
    return render(
        request,
        "villages/staff/village_create.html",
        {"form": form, "communes": form.available().order_by("search_name")},
        status=400 if form.errors else 200,
    )


@require_POST
@territory_permission_required(MANAGE)
def village_publish_view(request, slug: str):
    village = _village(request, slug)
    try:
        village_publish(village=village, by=request.user)
    except VillageError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("La page de %(name)s est en ligne.") % {"name": village.name})
    return redirect("villages_staff:list")


@require_http_methods(["GET", "POST"])
@territory_permission_required(MANAGE)
def village_unpublish_view(request, slug: str):
    village = _village(request, slug)
    form = UnpublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            village_unpublish(
                village=village,
                reason=form.cleaned_data["reason"],
                by=request.user,
                page_url=request.build_absolute_uri(reverse("villages_staff:edit", args=[village.slug])),
            )
        except VillageError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("La page de %(name)s n'est plus en ligne ; le comité a reçu le motif.")
                % {"name": village.name},
            )
            return redirect("villages_staff:list")
    return render(
        request,
        "villages/staff/village_unpublish.html",
        {"village": village, "form": form},
        status=400 if form.errors else 200,
    )


# Fields a reader of the history does not need (the untranslated columns repeat a language's).
_HIDDEN_FIELDS = {
    "id",
    "territory",
    "commune",
    "village",
    "created_at",
    "updated_at",
    "updated_by",
    "version",
    "position",
    "presentation",
    "product_title",
    "product_text",
}


_ACTION_LABELS = {
    LogEntry.Action.CREATE: _lazy("création"),
    LogEntry.Action.UPDATE: _lazy("modification"),
    LogEntry.Action.DELETE: _lazy("suppression"),
}


@require_safe
@territory_permission_required(MANAGE)
def village_history(request, slug: str):
    """Who changed what on this village (page, photos, travel times), newest first."""
    village = _village(request, slug)
    entries = (
        LogEntry.objects.filter(
            additional_data__territory=request.territory.pk, additional_data__village_id=village.pk
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.shown_changes = readable_changes(entry, hidden=_HIDDEN_FIELDS, verbose_names=True)
        entry.action_label = _ACTION_LABELS.get(entry.action, entry.get_action_display())
    return render(request, "villages/staff/village_history.html", {"village": village, "page": page})
