"""The public JSON API (platform-wide; filters by territory slug). Public by design: see core.middleware."""

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query
from ninja.decorators import decorate_view
from ninja.errors import ValidationError
from ninja.security import django_auth
from ninja.throttling import AnonRateThrottle

from sohosolo.core.page_cache import cache_for_anonymous
from sohosolo.territories.models import Commune, Territory

from .schemas import CommuneDetailOut, CommuneFilters, CommunePage, ErrorOut, MeOut, TerritoryOut

api = NinjaAPI(
    title="Soho Solo API",
    version="1",
    description="Données publiques de Soho Solo : territoires et communes (sources : INSEE, IGN, DILA, La Poste "
    "— Licence Ouverte 2.0).",
    throttle=[AnonRateThrottle(settings.API_RATE_LIMIT)],
    urls_namespace="api",
)


from .routers import connectivity as connectivity_router  # noqa: E402
from .routers import events as events_router  # noqa: E402
from .routers import housing as housing_router  # noqa: E402
from .routers import map as map_router  # noqa: E402
from .routers import services as services_router  # noqa: E402
from .routers import villages as villages_router  # noqa: E402

api.add_router("/map", map_router.router)
api.add_router("/villages", villages_router.router)
api.add_router("/services", services_router.router)
api.add_router("/housing", housing_router.router)
api.add_router("/connectivity", connectivity_router.router)
api.add_router("/events", events_router.router)


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


@api.get("/territories", response=list[TerritoryOut], tags=["territories"])
@decorate_view(cache_for_anonymous(300))
def list_territories(request: HttpRequest):
    """All territories served by the platform."""
    return Territory.objects.all()


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@api.get("/communes", response={200: CommunePage, 422: ErrorOut}, tags=["communes"])
@decorate_view(cache_for_anonymous(300))
def list_communes(request: HttpRequest, filters: Query[CommuneFilters]):
    """Communes, paginated; filter by territory slug, postcode and name (accent-insensitive)."""
    communes = Commune.objects.select_related("territory").defer("boundary", "townhall_opening_hours")
    if filters.territory:
        territory = Territory.objects.filter(slug=filters.territory).first()
        if territory is None:
            raise _field_error("territory", f"Unknown territory: {filters.territory}")
        communes = communes.of_territory(territory)
    if filters.postcode:
        communes = communes.filter(postcodes__icontains=filters.postcode)
    if filters.name:
        communes = communes.search(filters.name)
    count = communes.count()
    start = (filters.page - 1) * filters.page_size
    items = list(communes.order_by("country", "code")[start : start + filters.page_size])
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "next": _page_url(request, filters.page + 1) if start + filters.page_size < count else None,
        "previous": _page_url(request, filters.page - 1) if filters.page > 1 else None,
        "items": items,
    }


@api.get("/communes/{code}", response={200: CommuneDetailOut, 404: ErrorOut}, tags=["communes"])
@decorate_view(cache_for_anonymous(300))
def get_commune(request: HttpRequest, code: str, country: str = "FR"):
    """One commune by its official code, with its boundary and town hall."""
    commune = get_object_or_404(
        Commune.objects.select_related("territory"), country=country.upper(), code=code
    )
    commune.townhall = {
        "address": commune.townhall_address,
        "lat": commune.townhall_lat,
        "lon": commune.townhall_lon,
        "phone": commune.townhall_phone,
        "email": commune.townhall_email,
        "website": commune.townhall_website,
        "opening_hours": commune.townhall_opening_hours,
    }
    return commune


@api.get("/me", auth=django_auth, response=MeOut, tags=["accounts"])
def me(request: HttpRequest):
    """The signed-in user, their roles, and what they may do in the territory of the request."""
    user = request.user
    territory = getattr(request, "territory", None)
    return {
        "email": user.email,
        "roles": [
            {"territory": m.territory.slug, "role": m.role}
            for m in user.memberships.select_related("territory").order_by("territory__slug", "role")
        ],
        "territory": territory.slug if territory else None,
        "permissions": {
            perm: user.has_perm(perm, territory)
            for perm in ("accounts.view_staff_area", "accounts.manage_team", "accounts.view_audit_log")
        },
    }
