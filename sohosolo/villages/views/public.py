"""Public pages: the welcome villages of the territory, a village's page and its committee's contact form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from sohosolo.core.decorators import public, territory_or_404

from ..forms import ContactForm, VillageFilterForm
from ..models import Village
from ..services import VillageError, committee_message_send

PAGE_SIZE = 12


@public
@require_safe
def village_list(request):
    """Published villages of the request's territory, filtered by intercommunality, in pages."""
    territory = territory_or_404(request)
    villages = Village.objects.of_territory(territory).published()
    epcis = list(
        villages.exclude(commune__epci_name="")
        .order_by("commune__epci_name")
        .values_list("commune__epci_code", "commune__epci_name")
        .distinct()
    )
    form = VillageFilterForm(request.GET or None, epcis=epcis)
    if form.is_valid() and form.cleaned_data["epci"]:
        villages = villages.filter(commune__epci_code=form.cleaned_data["epci"])
    villages = villages.select_related("commune").prefetch_related("photos")
    page = Paginator(villages, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "villages/village_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


def _published_village(request, slug: str) -> Village:
    territory = territory_or_404(request)
    return get_object_or_404(
        Village.objects.of_territory(territory)
        .published()
        .select_related("commune", "territory")
        .prefetch_related("photos", "measured_travel_times"),
        slug=slug,
    )


def _map_data(village: Village) -> dict:
    commune = village.commune
    markers = []
    if commune.townhall_lat is not None and commune.townhall_lon is not None:
        markers.append(
            {
                "lat": commune.townhall_lat,
                "lon": commune.townhall_lon,
                "label": _("Mairie de %(name)s") % {"name": commune.name},
            }
        )
    else:
        markers.append({"lat": commune.lat, "lon": commune.lon, "label": commune.name})
    return {"centre": [commune.lat, commune.lon], "boundary": commune.boundary, "markers": markers}


def _render_detail(request, village: Village, contact_form: ContactForm, status: int = 200):
    members = list(village.committee_members().only("first_name"))
    first_names = [m.first_name.strip() for m in members if m.first_name.strip()]
    context = {
        "village": village,
        "commune": village.commune,
        "photos": list(village.photos.all()),
        "travel_times": village.travel_times(),
        "committee_first_names": first_names,
        "committee_unnamed": len(members) - len(first_names),
        "has_committee": bool(members),
        "contact_form": contact_form,
        "map_data": _map_data(village),
        "can_edit": request.user.is_authenticated
        and Village.objects.editable_by(request.user, village.territory).filter(pk=village.pk).exists(),
    }
    return render(request, "villages/village_detail.html", context, status=status)


@public
@require_safe
def village_detail(request, slug: str):
    village = _published_village(request, slug)
    return _render_detail(request, village, ContactForm())


@public
@require_POST
@ratelimit(key="ip", rate="5/m", block=True)
def village_contact(request, slug: str):
    """Store the visitor's message and email it to each committee member; errors keep what was typed."""
    village = _published_village(request, slug)
    form = ContactForm(request.POST)
    if form.is_valid():
        page_url = request.build_absolute_uri(reverse("villages:detail", args=[village.slug]))
        try:
            committee_message_send(
                village=village,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
                language=request.LANGUAGE_CODE,
                page_url=page_url,
            )
        except VillageError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Merci, votre message a été envoyé au comité d'accueil de %(name)s. Il vous répondra par courriel."
                )
                % {"name": village.name},
            )
            return redirect("villages:detail", slug=village.slug)
    return _render_detail(request, village, form, status=400)
