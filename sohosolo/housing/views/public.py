"""Public pages of housing offers: one offer, its photos, its approximate position, a contact form."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from sohosolo.core.decorators import public

from ..forms import ContactForm
from ..models import HousingOffer, HousingStatus
from ..services import APPROXIMATE_RADIUS_M, POSITION_GRID_M, housing_contact_send


@public
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="5/m", method="POST", block=True)
def offer_detail(request, pk: int):
    """A public offer of the request's territory; an offer that has left the public pages says so (410)."""
    if request.territory is None:
        raise Http404("No territory is configured.")
    offers = HousingOffer.objects.of_territory(request.territory)
    offer = offers.public().with_photos().filter(pk=pk).first()
    if offer is None:
        return _gone_or_404(request, offers, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        if form.is_robot():
            # Answer as if it worked, so the robot learns nothing; nothing is stored or sent.
            messages.success(request, _("Votre message a été transmis à l'auteur de l'offre."))
            return redirect(f"{request.path}#contact")
        if form.is_valid():
            housing_contact_send(
                offer=offer,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
                language=request.LANGUAGE_CODE,
                base_url=request.build_absolute_uri("/"),
            )
            messages.success(request, _("Votre message a été transmis à l'auteur de l'offre."))
            return redirect(f"{request.path}#contact")
    map_data = {
        "lat": offer.lat,
        "lon": offer.lon,
        "radius": APPROXIMATE_RADIUS_M,
        "label": _("Zone approximative du bien"),
    }
    context = {
        "offer": offer,
        "village": offer.village,
        "photos": list(offer.photos.all()),
        "form": form,
        "map_data": map_data,
        "radius_m": APPROXIMATE_RADIUS_M,
        "grid_m": POSITION_GRID_M,
    }
    return render(request, "housing/offer_detail.html", context, status=400 if form.errors else 200)


def _gone_or_404(request, offers, pk: int):
    """Expired or withdrawn offers that were once public answer 410 with a clear page; others 404."""
    gone = (
        offers.filter(
            pk=pk,
            published_at__isnull=False,
            status__in=[HousingStatus.PUBLISHED, HousingStatus.EXPIRED, HousingStatus.WITHDRAWN],
            village__status="published",
        )
        .select_related("village__commune")
        .first()
    )
    if gone is None:
        raise Http404("No public offer with this id.")
    return render(request, "housing/offer_gone.html", {"village": gone.village}, status=410)
