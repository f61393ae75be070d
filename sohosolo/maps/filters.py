"""The filters of the map and of its results list: one pipeline, so both show the same villages and offers.

Village criteria (fibre, a primary school, a doctor, travel time to a main city) select villages, and
through them housing offers (an offer is in a village). Offer criteria (kind, rent or buy, maximum
price) select offers only. Services are context on the map: only the territory filters them.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from sohosolo.housing.models import HousingOffer
from sohosolo.services.models import Category, Service
from sohosolo.territories.models import Territory
from sohosolo.villages.models import Village

TRAVEL_MINUTES_CHOICES = (15, 30, 45, 60, 90, 120)
MAX_TRAVEL_MINUTES = 600


class FilterError(ValueError):
    """A filter value that does not make sense for the territory (e.g. a city it does not list)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class MapFilters:
    """What a visitor asked for; the same object drives the map endpoint and the results list."""

    territory: Territory
    fibre: bool = False
    primary_school: bool = False
    doctor: bool = False
    city: str = ""
    max_minutes: int | None = None
    housing_kind: str = ""
    transaction: str = ""
    max_price: int | None = None

    def __post_init__(self):
        if self.city and self.city not in main_city_names(self.territory):
            raise FilterError("city", str(_("Choisissez une des villes principales du territoire.")))
        if self.max_minutes is not None and not self.city:
            raise FilterError("city", str(_("Choisissez la ville vers laquelle compter le temps de trajet.")))

    @property
    def selects_villages(self) -> bool:
        return bool(self.fibre or self.primary_school or self.doctor or self.max_minutes is not None)


def main_city_names(territory: Territory) -> list[str]:
    return [city.get("name", "") for city in territory.main_cities or [] if city.get("name")]


def _service_in_commune(category: str) -> Exists:
    return Exists(Service.objects.filter(commune=OuterRef("commune"), category=category))


def villages_within_minutes(*, territory: Territory, city: str, minutes: int) -> list[int]:
    """Ids of the territory's published villages at most `minutes` from `city`.

    Uses Village.travel_times(), the figure the village page shows (a committee's measured time, else
    the estimate), so the filter and the page never disagree. Two queries whatever the number of
    villages (there are at most a few hundred per territory).
    """
    villages = (
        Village.objects.published()
        .of_territory(territory)
        .select_related("commune")
        .defer("commune__boundary", "commune__townhall_opening_hours")
        .prefetch_related("measured_travel_times")
    )
    ids = []
    for village in villages:
        village.territory = territory  # the same object for all: no join, no query
        if village.commune.name == city:
            ids.append(village.pk)  # the city itself (travel_times() leaves it out)
            continue
        for row in village.travel_times():
            if row["city"] == city and row["minutes"] <= minutes:
                ids.append(village.pk)
    return ids


def villages_matching(filters: MapFilters) -> QuerySet[Village]:
    """Published villages of the territory that meet the village criteria."""
    villages = Village.objects.published().of_territory(filters.territory)
    if filters.fibre:
        villages = villages.filter(commune__connectivity__fibre_share_pct__gt=0)
    if filters.primary_school:
        villages = villages.filter(_service_in_commune(Category.PRIMARY_SCHOOL))
    if filters.doctor:
        villages = villages.filter(_service_in_commune(Category.DOCTOR))
    if filters.max_minutes is not None:
        villages = villages.filter(
            pk__in=villages_within_minutes(
                territory=filters.territory, city=filters.city, minutes=filters.max_minutes
            )
        )
    return villages


def housing_matching(filters: MapFilters) -> QuerySet[HousingOffer]:
    """Public offers of the territory in villages that meet the village criteria, and the offer criteria."""
    offers = HousingOffer.objects.public().of_territory(filters.territory)
    if filters.selects_villages:
        offers = offers.filter(village__in=villages_matching(filters).values("pk"))
    if filters.housing_kind:
        offers = offers.filter(kind=filters.housing_kind)
    if filters.transaction:
        offers = offers.filter(transaction=filters.transaction)
    if filters.max_price is not None:
        offers = offers.filter(price__lte=filters.max_price)
    return offers


def services_matching(filters: MapFilters) -> QuerySet[Service]:
    """Services of the territory (context on the map: the village criteria do not hide them)."""
    return Service.objects.of_territory(filters.territory)
