from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from sohosolo.core.decorators import public, territory_or_404
from sohosolo.core.page_cache import cache_for_anonymous

from .forms import CommuneSearchForm
from .models import Commune

PAGE_SIZE = 30


@public
@require_safe
@cache_for_anonymous(300)
def commune_list(request):
    """Communes of the request's territory: accent-insensitive search, intercommunality filter, pages."""
    territory = territory_or_404(request)
    communes = Commune.objects.of_territory(territory)
    form = CommuneSearchForm(request.GET or None, territory=territory)
    if form.is_valid():
        communes = communes.search(form.cleaned_data["q"])
        if form.cleaned_data["epci"]:
            communes = communes.filter(epci_code=form.cleaned_data["epci"])
    page = Paginator(
        communes.only("code", "name", "postcodes", "population", "epci_name"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "territories/_commune_results_htmx.html" if request.htmx else "territories/commune_list.html"
    return render(request, template, context)


@public
@require_safe
@cache_for_anonymous(300)
def commune_detail(request, code: str):
    territory = territory_or_404(request)
    commune = get_object_or_404(Commune.objects.of_territory(territory), code=code)
    map_data = {
        "centre": [commune.lat, commune.lon],
        "boundary": commune.boundary,
        "markers": [
            {
                "lat": commune.townhall_lat,
                "lon": commune.townhall_lon,
                "label": gettext("Mairie — %(name)s") % {"name": commune.name},
            }
        ]
        if commune.townhall_lat
        else [],
    }
    return render(request, "territories/commune_detail.html", {"commune": commune, "map_data": map_data})
