"""GET /api/v1/housing: published housing offers, public fields only (never the author or messages)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sohosolo.housing.models import HousingOffer, Kind, Transaction

from ..schemas import ErrorOut
from .common import PageFilters, absolute_url, paginate, territory_from_slug

router = Router(tags=["housing"])


class HousingFilters(PageFilters):
    kind: Kind | None = Field(None, description="Only offers of this kind.")
    transaction: Transaction | None = Field(None, description="rent or sale.")
    max_price: int | None = Field(
        None, ge=0, description="At most this price (€; monthly rent or sale price)."
    )
    village: str | None = Field(None, max_length=120, description="Slug of a village.")


class PhotoOut(Schema):
    url: str
    thumbnail_url: str
    alt: str


class HousingOut(Schema):
    id: int
    kind: str
    kind_label: str
    transaction: str
    title: str = Field(description="In the language of the request, else French.")
    description: str
    price: int = Field(description="Euros: monthly rent, or sale price.")
    surface_m2: int | None
    rooms: int | None
    lat: float = Field(description="Approximate position, never the exact address.")
    lon: float
    village: str = Field(description="Slug of the village.")
    village_name: str
    territory: str
    published_at: datetime | None
    expires_at: datetime | None
    photos: list[PhotoOut]
    url: str | None = Field(description="The offer's public page.")
    is_sample: bool


class HousingPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    items: list[HousingOut]


def _offer_out(request: HttpRequest, offer: HousingOffer) -> dict:
    return {
        "id": offer.pk,
        "kind": offer.kind,
        "kind_label": str(offer.get_kind_display()),
        "transaction": offer.transaction,
        "title": offer.title or "",
        "description": offer.description or "",
        "price": offer.price,
        "surface_m2": offer.surface_m2,
        "rooms": offer.rooms,
        "lat": round(offer.lat, 5),
        "lon": round(offer.lon, 5),
        "village": offer.village.slug,
        "village_name": offer.village.commune.name,
        "territory": offer.village.territory.slug,
        "published_at": offer.published_at,
        "expires_at": offer.expires_at,
        "photos": [
            {
                "url": request.build_absolute_uri(photo.image.url),
                "thumbnail_url": request.build_absolute_uri(photo.thumbnail.url),
                "alt": photo.alt_text,
            }
            for photo in offer.photos.all()
            if photo.image and photo.thumbnail
        ],
        "url": absolute_url(request, "housing:detail", offer.pk),
        "is_sample": offer.is_sample,
    }


@router.get("", response={200: HousingPage, 422: ErrorOut}, summary="Housing offers")
def list_housing(request: HttpRequest, filters: Query[HousingFilters]):
    """Published, unexpired housing offers of published villages, paginated, newest first."""
    offers = (
        HousingOffer.objects.public()
        .select_related("village__commune", "village__territory")
        .prefetch_related("photos")
        .order_by("-published_at", "-pk")
    )
    territory = territory_from_slug(filters.territory)
    if territory is not None:
        offers = offers.of_territory(territory)
    if filters.kind:
        offers = offers.filter(kind=filters.kind)
    if filters.transaction:
        offers = offers.filter(transaction=filters.transaction)
    if filters.max_price is not None:
        offers = offers.filter(price__lte=filters.max_price)
    if filters.village:
        offers = offers.filter(village__slug=filters.village)
    page = paginate(request, offers, page=filters.page, page_size=filters.page_size)
    page["items"] = [_offer_out(request, offer) for offer in page["items"]]
    return page
