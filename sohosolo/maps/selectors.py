"""Reads of the results list (the map's accessible alternative): what each row shows, in constant queries."""

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sohosolo.housing.models import HousingOffer
from sohosolo.services.models import Category, Service
from sohosolo.villages.models import Village

from .filters import MapFilters, housing_matching, villages_matching


def _has_service(category: str) -> Exists:
    return Exists(Service.objects.filter(commune=OuterRef("commune"), category=category))


def with_list_facts(villages: QuerySet[Village]) -> QuerySet[Village]:
    """Villages with the facts a row or a popup shows: fibre, school, doctor, offers, travel times."""
    public_offers = (
        HousingOffer.objects.public()
        .filter(village=OuterRef("pk"))
        .order_by()
        .values("village")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        villages.select_related("commune__connectivity")
        .prefetch_related("measured_travel_times")
        .annotate(
            has_school=_has_service(Category.PRIMARY_SCHOOL),
            has_doctor=_has_service(Category.DOCTOR),
            # The same rule as the offers listed (HousingOfferQuerySet.public), never a copy of it.
            offer_count=Coalesce(Subquery(public_offers, output_field=IntegerField()), 0),
        )
    )


def village_results(filters: MapFilters) -> QuerySet[Village]:
    """The villages of the list, with the facts each row shows."""
    return with_list_facts(villages_matching(filters)).order_by("commune__search_name", "pk")


def housing_results(filters: MapFilters) -> QuerySet[HousingOffer]:
    return housing_matching(filters).select_related("village__commune").order_by("-published_at", "-pk")


def travel_time_to(village: Village, city: str) -> dict | None:
    """The row of village.travel_times() for `city`, else its first main city's."""
    rows = village.travel_times()
    for row in rows:
        if row["city"] == city:
            return row
    return rows[0] if rows else None


def attach_row_facts(village: Village, *, territory, city: str = "") -> Village:
    """Set what a row or a popup reads without a query: travel time, connectivity (or None)."""
    village.territory = territory  # the same object for every row: travel_times() needs no query
    village.travel = travel_time_to(village, city)
    # A missing reverse one-to-one raises an AttributeError subclass: templates must not see it.
    village.connectivity_info = getattr(village.commune, "connectivity", None)
    return village
