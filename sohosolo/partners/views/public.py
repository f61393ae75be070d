"""Public pages (/<lang>/partenaires/): the territory's partners and their offers to passport holders."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from sohosolo.core.decorators import public, territory_or_404
from sohosolo.core.page_cache import cache_for_anonymous

from ..services import directory_partners, grouped_by_kind


@public
@require_safe
@cache_for_anonymous(300)
def directory(request):
    """Published partners of the request's territory, by kind, with their offers valid today."""
    territory = territory_or_404(request)
    partners = list(directory_partners(territory))
    context = {
        "groups": grouped_by_kind(partners),
        "partner_count": len(partners),
        "offer_count": sum(len(p.public_offers) for p in partners),
    }
    return render(request, "partners/public/directory.html", context)


@public
@require_safe
@cache_for_anonymous(300)
def partner_detail(request, slug: str):
    territory = territory_or_404(request)
    partner = get_object_or_404(directory_partners(territory), slug=slug)
    return render(request, "partners/public/partner_detail.html", {"partner": partner})
