"""GET /api/v1/connectivity: broadband and mobile coverage per commune, with ground checks beside it."""

from datetime import date

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sohosolo.connectivity.models import Connectivity, ConnectivityCorrection

from ..schemas import ErrorOut
from .common import PageFilters, paginate, territory_from_slug

router = Router(tags=["connectivity"])


class ConnectivityFilters(PageFilters):
    commune: str | None = Field(None, pattern=r"^[0-9AB]{5}$", description="Official code of the commune.")


class MobileOut(Schema):
    orange: str
    sfr: str
    bouygues: str
    free: str


class CorrectionOut(Schema):
    topic: str
    note: str
    checked_on: date


class ConnectivityOut(Schema):
    commune: str = Field(description="Official code of the commune (INSEE in France).")
    commune_name: str
    territory: str | None
    fibre_share_pct: float | None = Field(description="Share of premises that can get fibre (%).")
    best_dsl_mbps: float | None
    fixed_4g: bool
    fixed_5g: bool
    satellite: bool
    mobile: MobileOut = Field(description="Coverage level per operator: none, basic, good, very_good.")
    source: str
    date: date
    corrections: list[CorrectionOut] = Field(
        description="Checks on the ground by a village's committee, shown beside the official figures."
    )
    is_sample: bool


class ConnectivityPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    items: list[ConnectivityOut]


def _connectivity_out(row: Connectivity) -> dict:
    commune = row.commune
    return {
        "commune": commune.code,
        "commune_name": commune.name,
        "territory": commune.territory.slug if commune.territory else None,
        "fibre_share_pct": row.fibre_share_pct,
        "best_dsl_mbps": row.best_dsl_mbps,
        "fixed_4g": row.fixed_4g,
        "fixed_5g": row.fixed_5g,
        "satellite": row.satellite,
        "mobile": {
            "orange": row.mobile_orange,
            "sfr": row.mobile_sfr,
            "bouygues": row.mobile_bouygues,
            "free": row.mobile_free,
        },
        "source": row.source,
        "date": row.date,
        "corrections": [
            {"topic": c.topic, "note": c.note, "checked_on": c.checked_on} for c in commune.public_corrections
        ],
        "is_sample": row.is_sample,
    }


@router.get("", response={200: ConnectivityPage, 422: ErrorOut}, summary="Connectivity per commune")
def list_connectivity(request: HttpRequest, filters: Query[ConnectivityFilters]):
    """Official broadband and mobile coverage per commune, paginated; filter by territory and commune."""
    rows = (
        Connectivity.objects.select_related("commune__territory")
        .prefetch_related(
            Prefetch(
                "commune__connectivity_corrections",
                queryset=ConnectivityCorrection.objects.only("commune_id", "topic", "note", "checked_on"),
                to_attr="public_corrections",
            )
        )
        .order_by("commune__country", "commune__code")
    )
    territory = territory_from_slug(filters.territory)
    if territory is not None:
        rows = rows.filter(commune__territory=territory)
    if filters.commune:
        rows = rows.filter(commune__code=filters.commune)
    page = paginate(request, rows, page=filters.page, page_size=filters.page_size)
    page["items"] = [_connectivity_out(row) for row in page["items"]]
    return page
