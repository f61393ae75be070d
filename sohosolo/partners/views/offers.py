"""« Mon partenaire » (/suivi/partenaires/mes-offres/): a partner's staff manage its offers.

The territory's staff manage every partner's offers; a partner's staff only their own partner's: an
offer or a partner of another partner answers 404, even in the same territory.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sohosolo.accounts.permissions import check_territory_perm, territory_permission_required

from ..forms import OfferForm
from ..models import Offer, Partner
from ..services import (
    PartnerError,
    offer_create,
    offer_set_active,
    offer_update,
    offers_managed_by,
    partners_managed_by,
    with_status,
)
from .common import MANAGE, MANAGE_OFFERS, render_staff_page


def _offer(request, pk: int) -> Offer:
    check_territory_perm(request, MANAGE_OFFERS)
    return get_object_or_404(
        offers_managed_by(request.user, request.territory).select_related("partner"), pk=pk
    )


def _back(request, partner: Partner):
    """Territory staff go back to the partner's page, a partner's staff to « Mon partenaire »."""
    if request.user.has_perm(MANAGE, request.territory):
        return redirect("partners_staff:detail", pk=partner.pk)
    return redirect("partners_staff:my_offers")


@require_safe
@territory_permission_required(MANAGE_OFFERS)
def my_offers(request):
    partners = list(
        partners_managed_by(request.user, request.territory)
        .select_related("commune")
        .prefetch_related(
            Prefetch("offers", queryset=Offer.objects.order_by("-is_active", "valid_until", "pk"))
        )
        .order_by("name")
    )
    for partner in partners:
        partner.offer_rows = with_status(partner.offers.all())
    return render_staff_page(request, "partners/staff/my_offers.html", {"partners": partners})


def _save(request, form: OfferForm, *, partner: Partner, offer: Offer | None):
    if not form.is_valid():
        return None
    try:
        if offer is None:
            return offer_create(partner=partner, data=form.offer_data(), by=request.user)
        return offer_update(offer=offer, data=form.offer_data(), by=request.user)
    except PartnerError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _render_form(request, form: OfferForm, *, partner: Partner, offer: Offer | None):
    context = {"form": form, "partner": partner, "offer": offer}
    return render_staff_page(
        request, "partners/staff/offer_form.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def offer_create_view(request, partner_pk: int):
    check_territory_perm(request, MANAGE_OFFERS)
    partner = get_object_or_404(partners_managed_by(request.user, request.territory), pk=partner_pk)
    form = OfferForm(request.POST or None)
    if request.method == "POST":
        offer = _save(request, form, partner=partner, offer=None)
        if offer is not None:
            messages.success(request, _("Offre « %(title)s » ajoutée.") % {"title": offer.title_fr})
            return _back(request, partner)
    return _render_form(request, form, partner=partner, offer=None)


@require_http_methods(["GET", "POST"])
def offer_edit_view(request, pk: int):
    offer = _offer(request, pk)
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST":
        saved = _save(request, form, partner=offer.partner, offer=offer)
        if saved is not None:
            messages.success(request, _("Offre « %(title)s » enregistrée.") % {"title": saved.title_fr})
            return _back(request, saved.partner)
        offer.refresh_from_db()
    return _render_form(request, form, partner=offer.partner, offer=offer)


@require_POST
def offer_active_view(request, pk: int):
    """Deactivate (active=0) or reactivate (active=1) an offer; its past uses are kept."""
    offer = _offer(request, pk)
    active = request.POST.get("active") == "1"
    offer_set_active(offer=offer, active=active, by=request.user)
    if active:
        messages.success(request, _("Offre « %(title)s » réactivée.") % {"title": offer.title_fr})
    else:
        messages.success(
            request,
            _("Offre « %(title)s » désactivée : elle n'est plus proposée aux titulaires du passeport.")
            % {"title": offer.title_fr},
        )
    return _back(request, offer.partner)
