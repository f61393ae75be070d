"""GET /api/v1/services: local services (schools, doctors, shops, stations…) of the territories."""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sohosolo.services.models import Category, Service

from ..schemas import ErrorOut
from .common import PageFilters, paginate, territory_from_slug

router = Router(tags=["services"])


class ServiceFilters(PageFilters):
    category: Category | None = Field(None, description="Only this category.")
    commune: str | None = Field(None, pattern=r"^[0-9AB]{5}$", description="Official code of the commune.")


class ServiceOut(Schema):
    id: int
    category: str
    category_label: str = Field(description="In the language of the request.")
    name: str
    address: str
    commune: str = Field(description="Official code of the commune (INSEE in France).")
    commune_name: str
    territory: str | None
    lat: float
    lon: float
    market_day: int | None = Field(description="0 = Monday … 6 = Sunday, for markets.")
    opening_hours: str
    phone: str
    website: str
    last_verified: date
    is_sample: bool


class ServicePage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    items: list[ServiceOut]


def _service_out(service: Service) -> dict:
    return {
        "id": service.pk,
        "category": service.category,
        "category_label": str(service.get_category_display()),
        "name": service.name,
        "address": service.address,
        "commune": service.commune.code,
        "commune_name": service.commune.name,
        "territory": service.commune.territory.slug if service.commune.territory else None,
        "lat": service.lat,
        "lon": service.lon,
        "market_day": service.market_day,
        "opening_hours": service.opening_hours,
        "phone": service.phone,
        "website": service.website,
        "last_verified": service.last_verified,
        "is_sample": service.is_sample,
    }


@router.get("", response={200: ServicePage, 422: ErrorOut}, summary="Local services")
def list_services(request: HttpRequest, filters: Query[ServiceFilters]):
    """Local services, paginated; filter by territory slug, category and commune code."""
    services = Service.objects.select_related("commune__territory").order_by(
        "commune__code", "category", "pk"
    )
    territory = territory_from_slug(filters.territory)
    if territory is not None:
        services = services.of_territory(territory)
    if filters.category:
        services = services.filter(category=filters.category)
    if filters.commune:
        services = services.filter(commune__code=filters.commune)
    page = paginate(request, services, page=filters.page, page_size=filters.page_size)
    page["items"] = [_service_out(service) for service in page["items"]]
    return page
