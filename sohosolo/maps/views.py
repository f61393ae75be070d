from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from sohosolo.core.decorators import public, territory_or_404
from sohosolo.territories.models import Commune

from .forms import MapFilterForm
from .layers import LAYERS, popup_object
from .selectors import attach_row_facts, housing_results, village_results

PAGE_SIZE = 20


def _page_query(request, page_param: str) -> str:
    """The query string of the current filters without `page_param`, for pagination links."""
    query = request.GET.copy()
    query.pop(page_param, None)
    return query.urlencode()


def _map_config(territory) -> dict:
    bounds = Commune.objects.of_territory(territory).aggregate(
        south=Min("lat"), west=Min("lon"), north=Max("lat"), east=Max("lon")
    )
    sample_url = reverse("maps:popup", args=["KIND", 0])
    return {
        "api": reverse("api:map_points"),
        "popupUrl": sample_url.replace("KIND", "{kind}").replace("/0/", "/{id}/"),
        "bounds": [[bounds["south"], bounds["west"]], [bounds["north"], bounds["east"]]]
        if bounds["south"] is not None
        else None,
        "layers": [
            {"key": layer.key, "label": str(layer.label), "source": layer.source, "default": layer.default}
            for layer in LAYERS.values()
        ],
        "labels": {
            "loading": gettext("Chargement…"),
            "error": gettext("Les données de la carte n'ont pas pu être chargées. Réessayez plus tard."),
            "popupError": gettext("Les détails n'ont pas pu être chargés."),
            "clusterOf": gettext("Groupe de %(count)s éléments : zoomer"),
            "zoomIn": gettext("Zoom avant"),
            "zoomOut": gettext("Zoom arrière"),
            "closePopup": gettext("Fermer la bulle"),
            "shown": gettext("%(count)s éléments affichés sur la carte."),
            "shownOne": gettext("1 élément affiché sur la carte."),
            "clustered": gettext(
                "%(count)s éléments dans cette zone, regroupés par secteur : zoomez pour les voir un par un."
            ),
            "none": gettext("Aucun élément de ces couches dans cette zone de la carte."),
        },
    }


@public
@require_safe
def map_page(request):
    """The map and its accessible results list: the same filters, from the query string."""
    territory = territory_or_404(request)
    form = MapFilterForm(request.GET or None, territory=territory)
    invalid = form.is_bound and not form.is_valid()
    filters = form.to_filters()

    villages = Paginator(village_results(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    city = filters.city or (form.fields["city"].initial if "city" in form.fields else "")
    for village in villages:
        attach_row_facts(village, territory=territory, city=city)
    offers = Paginator(housing_results(filters), PAGE_SIZE).get_page(request.GET.get("hpage"))

    context = {
        "form": form,
        "invalid": invalid,
        "villages": villages,
        "offers": offers,
        "village_query": _page_query(request, "page"),
        "housing_query": _page_query(request, "hpage"),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "maps/_results_htmx.html", context)
    context["map_config"] = _map_config(territory)
    context["layer_groups"] = _layer_groups()
    return render(request, "maps/map.html", context, status=400 if invalid else 200)


def _layer_groups() -> list[dict]:
    groups: dict[str, dict] = {}
    for layer in LAYERS.values():
        group = groups.setdefault(str(layer.group), {"label": layer.group, "layers": []})
        group["layers"].append(layer)
    return list(groups.values())


@public
@require_safe
def popup(request, kind: str, pk: int):
    """The details of one point of the map, as an HTML fragment for its popup."""
    territory = territory_or_404(request)
    source, obj = popup_object(kind, territory, pk)
    if hasattr(obj, "travel_rows"):
        # A popup stays short (phones): the travel time to the city the visitor chose, else the first.
        city = request.GET.get("city", "")
        rows = [row for row in obj.travel_rows if row["city"] == city]
        obj.travel_rows = rows or obj.travel_rows[:1]
    context = {"object": obj, "layer": LAYERS.get(getattr(obj, "category", kind))}
    return render(request, source.popup_template, context)
