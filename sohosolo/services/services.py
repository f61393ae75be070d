"""Writes on local services: create, update (optimistic locking), re-confirm, delete.

Every write goes through save()/delete() so django-auditlog records who changed what.
"""

import logging
import math
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape

from sohosolo.core.locking import EditConflict, save_versioned
from sohosolo.territories.models import Commune
from sohosolo.territories.services import commune_at_point

from .models import Category, Service

logger = logging.getLogger(__name__)

__all__ = [
    "EditConflict",
    "InvalidService",
    "MarketDayRequired",
    "PositionOutsideCommune",
    "ServiceData",
    "ServiceError",
    "service_confirm",
    "service_create",
    "service_delete",
    "service_update",
]


class ServiceError(Exception):
    """A business rule refused the service; `field` names the form field the message belongs to."""

    field: str | None = None

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    @property
    def errors(self) -> list[tuple[str | None, str]]:
        """(field, message) pairs, so a form can show every refusal at once."""
        return [(self.field, self.message)]


class InvalidService(ServiceError):
    """Several rules refused the service at once (e.g. a market without its day, placed outside)."""

    def __init__(self, errors: list[ServiceError]):
        super().__init__(" ".join(e.message for e in errors))
        self.causes = errors

    @property
    def errors(self) -> list[tuple[str | None, str]]:
        return [pair for cause in self.causes for pair in cause.errors]


class PositionOutsideCommune(ServiceError):
    field = "lat"

    def __init__(self, *, commune: Commune, found: Commune | None = None):
        if found is not None:
            message = _(
                "Ce point est en dehors de la commune de %(commune)s : il se trouve à %(found)s. "
                "Placez-le dans %(commune)s."
            ) % {"commune": commune.name, "found": found.name}
        else:
            message = _("Ce point est en dehors de la commune de %(commune)s.") % {"commune": commune.name}
        super().__init__(str(message))


class InvalidCoordinates(ServiceError):
    field = "lat"

    def __init__(self):
        super().__init__(
            str(
                _("Latitude et longitude invalides : la latitude va de -90 à 90, la longitude de -180 à 180.")
            )
        )


class MarketDayRequired(ServiceError):
    field = "market_day"

    def __init__(self):
        super().__init__(str(_("Indiquez le jour du marché.")))


@dataclass(frozen=True)
class ServiceData:
    """The editable fields of a service, as typed by its editor."""

    category: str
    name: str
    lat: float
    lon: float
    address: str = ""
    market_day: int | None = None
    opening_hours: str = ""
    phone: str = ""
    website: str = ""


EDITABLE_FIELDS = [f for f in ServiceData.__dataclass_fields__]

# Communes imported without a boundary (national CSV): accept a point within this radius of the centre,
# estimated from the area as a disc, with a floor for the smallest communes.
_MIN_RADIUS_KM = 3.0


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def check_position(*, commune: Commune, lat: float, lon: float) -> None:
    """Raise PositionOutsideCommune unless the point falls inside the commune."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat) or math.isnan(lon):
        raise InvalidCoordinates()
    if not commune.boundary:
        radius = max(_MIN_RADIUS_KM, 1.5 * math.sqrt((commune.area_km2 or 0) / math.pi))
        if _distance_km(commune.lat, commune.lon, lat, lon) > radius:
            raise PositionOutsideCommune(commune=commune)
        return
    found = commune_at_point(lon=lon, lat=lat)
    if found is not None and found.pk == commune.pk:
        return
    # On a shared border the lookup may name the neighbour first: the commune's own shape decides.
    if shape(commune.boundary).covers(Point(lon, lat)):
        return
    raise PositionOutsideCommune(commune=commune, found=found)


class UnknownCategory(ServiceError):
    field = "category"

    def __init__(self):
        super().__init__(str(_("Choisissez une catégorie de la liste.")))


def _clean(*, commune: Commune, data: ServiceData) -> dict:
    """Check every rule, raise them all together (the one error, or InvalidService), return the values."""
    errors: list[ServiceError] = []
    values = asdict(data)
    values["name"] = values["name"].strip()
    if data.category not in Category.values:
        errors.append(UnknownCategory())
    if data.category == Category.MARKET:
        if data.market_day is None:
            errors.append(MarketDayRequired())
    else:
        values["market_day"] = None  # a day only means something for a market
    try:
        check_position(commune=commune, lat=data.lat, lon=data.lon)
    except ServiceError as exc:
        errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InvalidService(errors)
    return values


@transaction.atomic
def service_create(*, commune: Commune, data: ServiceData, by, is_sample: bool = False) -> Service:
    """Create a service in a commune, its point checked to fall inside the commune."""
    values = _clean(commune=commune, data=data)
    service = Service(commune=commune, updated_by=by, is_sample=is_sample, **values)
    service.full_clean(exclude=["commune", "updated_by"])
    service.save()
    return service


@transaction.atomic
def service_update(*, service: Service, data: ServiceData, expected_version: int, by) -> Service:
    """Save an edited service unless someone saved it since the form was opened (EditConflict).

    Editing a service is checking it: its "last verified" date becomes today.
    """
    values = _clean(commune=service.commune, data=data)
    for name, value in values.items():
        setattr(service, name, value)
    service.last_verified = timezone.localdate()
    service.updated_by = by
    service.full_clean(exclude=["commune", "updated_by"])
    return save_versioned(
        service,
        expected_version=expected_version,
        fields=[*EDITABLE_FIELDS, "last_verified", "updated_by"],
    )


@transaction.atomic
def service_confirm(*, service: Service, by) -> Service:
    """Record that the service was checked today and is still accurate ("Toujours exact").

    Only the date changes, so a confirmation never conflicts with someone's edit in progress.
    """
    service.last_verified = timezone.localdate()
    service.updated_by = by
    service.save(update_fields=["last_verified", "updated_by"])
    return service


@transaction.atomic
def service_delete(*, service: Service, by) -> None:
    """Delete a service (the audit log keeps what it was; its actor comes from the request)."""
    logger.info(
        "service %s (%s) deleted by user %s", service.pk, service.commune.code, getattr(by, "pk", None)
    )
    service.delete()
