"""GET /api/v1/villages: published welcome villages, public fields only."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sohosolo.villages.models import Village

from ..schemas import ErrorOut
from .common import PageFilters, absolute_url, paginate, territory_from_slug

router = Router(tags=["villages"])


class TravelTimeOut(Schema):
    city: str
    minutes: int
    measured: bool = Field(description="True when measured by the village's committee, else an estimate.")


class VillageOut(Schema):
    slug: str
    name: str
    territory: str
    commune: str = Field(description="Official code of the commune (INSEE in France).")
    lat: float = Field(description="Centre of the commune.")
    lon: float
    presentation: str = Field(description="In the language of the request, else French.")
    product_title: str = Field(description="« One village, one product or service »: what it is known for.")
    product_text: str
    travel_times: list[TravelTimeOut]
    url: str | None = Field(description="The village's public page.")
    updated_at: datetime
    is_sample: bool = Field(description="True for sample data (not a real welcome village).")


class VillagePage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    items: list[VillageOut]


def _village_out(request: HttpRequest, village: Village) -> dict:
    return {
        "slug": village.slug,
        "name": village.commune.name,
        "territory": village.territory.slug,
        "commune": village.commune.code,
        "lat": village.commune.lat,
        "lon": village.commune.lon,
        "presentation": village.presentation or "",
        "product_title": village.product_title or "",
        "product_text": village.product_text or "",
        "travel_times": village.travel_times(),
        "url": absolute_url(request, "villages:detail", village.slug),
        "updated_at": village.updated_at,
        "is_sample": village.is_sample,
    }


@router.get("", response={200: VillagePage, 422: ErrorOut}, summary="Welcome villages")
def list_villages(request: HttpRequest, filters: Query[PageFilters]):
    """Published welcome villages, paginated; filter by territory slug. Drafts are never listed."""
    villages = (
        Village.objects.published()
        .select_related("commune", "territory")
        .prefetch_related("measured_travel_times")
        .order_by("territory__slug", "commune__search_name", "pk")
    )
    territory = territory_from_slug(filters.territory)
    if territory is not None:
        villages = villages.of_territory(territory)
    page = paginate(request, villages, page=filters.page, page_size=filters.page_size)
    page["items"] = [_village_out(request, village) for village in page["items"]]
    return page
