"""Committee and staff pages to keep a village's local services true (list, add, edit, re-confirm, delete).

Who may edit what is read from `Service.objects.editable_by` / `Village.objects.editable_by`: a service or
village outside the user's scope answers 404, anonymous visitors are sent to the login page.
"""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sohosolo.core.locking import form_after_conflict
from sohosolo.villages.models import Village

from .forms import ServiceForm
from .models import Service
from .services import (
    EditConflict,
    ServiceError,
    service_confirm,
    service_create,
    service_delete,
    service_update,
)


def _villages(request):
    return Village.objects.editable_by(request.user, request.territory).select_related("commune")


def _village_or_404(request, slug: str) -> Village:
    return get_object_or_404(_villages(request), slug=slug)


def _service_or_404(request, pk: int) -> Service:
    services = Service.objects.editable_by(request.user, request.territory).select_related(
        "commune", "commune__village"
    )
    return get_object_or_404(services, pk=pk)


def _village_of(service: Service) -> Village | None:
    try:
        return service.commune.village
    except Village.DoesNotExist:
        return None


def _back(service: Service):
    village = _village_of(service)
    if village is not None:
        return redirect("services_staff:village", village_slug=village.slug)
    return redirect("services_staff:index")


def _map_data(commune, service: Service | None = None) -> dict:
    """What point-picker.js needs: the commune's outline and centre, the current point, its labels."""
    return {
        "boundary": commune.boundary,
        "centre": [commune.lat, commune.lon],
        "point": [service.lat, service.lon] if service is not None and service.pk else None,
        "markerLabel": _("Position du service"),
    }


@require_safe
def index(request):
    """The villages whose services the user may keep: their committees', or all for territory staff."""
    territory = request.territory
    if territory is None or not request.user.has_perm("accounts.in_scope", territory):
        raise Http404("Not in this user's territories.")
    villages = _villages(request).annotate(service_count=Count("commune__services"))
    return render(request, "services/staff/index.html", {"villages": villages})


@require_safe
def village_services(request, village_slug: str):
    village = _village_or_404(request, village_slug)
    services = sorted(
        Service.objects.of_commune(village.commune), key=lambda s: (s.category_rank, s.name.casefold())
    )
    return render(request, "services/staff/village.html", {"village": village, "services": services})


@require_http_methods(["GET", "POST"])
def service_add(request, village_slug: str):
    village = _village_or_404(request, village_slug)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = service_create(commune=village.commune, data=form.service_data(), by=request.user)
        except ServiceError as exc:
            for field, message in exc.errors:
                form.add_error(field, message)
        else:
            messages.success(request, _("Service « %(name)s » ajouté.") % {"name": service.name})
            return redirect("services_staff:village", village_slug=village.slug)
    context = {
        "form": form,
        "service": None,
        "current": None,
        "village": village,
        "commune": village.commune,
        "map_data": _map_data(village.commune),
    }
    return render(request, "services/staff/form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def service_edit(request, pk: int):
    service = _service_or_404(request, pk)
    name = service.name
    form = ServiceForm(request.POST or None, instance=service)
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            service_update(
                service=service,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"] or 0,
                by=request.user,
            )
        except EditConflict as exc:
            current = Service.objects.filter(pk=service.pk).first()
            if current is None:
                raise Http404("The service was deleted meanwhile.") from exc
            form = form_after_conflict(ServiceForm, request, current, exc, instance=current)
            status = 409
        except ServiceError as exc:
            for field, message in exc.errors:
                form.add_error(field, message)
        else:
            messages.success(request, _("Service « %(name)s » enregistré.") % {"name": service.name})
            return _back(service)
    if form.errors and status == 200:
        status = 400
    context = {
        "form": form,
        "service": service,
        "service_name": name,
        "current": current,
        "village": _village_of(service),
        "commune": service.commune,
        "map_data": _map_data(service.commune, service),
    }
    return render(request, "services/staff/form.html", context, status=status)


@require_POST
def service_confirm_view(request, pk: int):
    service = _service_or_404(request, pk)
    service_confirm(service=service, by=request.user)
    messages.success(request, _("« %(name)s » confirmé : vérifié aujourd'hui.") % {"name": service.name})
    return _back(service)


@require_http_methods(["GET", "POST"])
def service_delete_view(request, pk: int):
    """GET asks for confirmation; only a POST deletes."""
    service = _service_or_404(request, pk)
    if request.method == "POST":
        response = _back(service)
        service_delete(service=service, by=request.user)
        messages.success(request, _("Service « %(name)s » supprimé.") % {"name": service.name})
        return response
    return render(
        request, "services/staff/delete.html", {"service": service, "village": _village_of(service)}
    )
