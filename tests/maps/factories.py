"""Data for the map's tests, made with the ORM (bulk for the many-point cases).

Positions are chosen against the Gers sample territory's main cities: Toulouse is at (43.6045, 1.4440);
with its default estimate (straight line × 1.3 at 70 km/h) a village at longitude 0.95 on Toulouse's
latitude is ≈ 44 min away, one at longitude 0.30 ≈ 102 min.
"""

from datetime import date, timedelta
from itertools import count

from django.utils import timezone
from django.utils.text import slugify

from sohosolo.connectivity.models import Connectivity
from sohosolo.housing.models import HousingOffer, HousingStatus
from sohosolo.services.models import Service
from sohosolo.territories.models import Commune
from sohosolo.villages.models import Village

NEAR_TOULOUSE = (43.60, 0.95)  # ≈ 44 min from Toulouse (estimate)
FAR_FROM_TOULOUSE = (43.60, 0.30)  # ≈ 102 min

_codes = count(1)


def make_commune(territory, *, name: str = "", lat: float = 43.6, lon: float = 0.6) -> Commune:
    n = next(_codes)
    return Commune.objects.create(
        territory=territory,
        code=f"32{500 + n % 500:03d}",  # after the Gers' real codes (32001–32468)
        name=name or f"Commune {n}",
        departement="32",
        postcodes=["32000"],
        lat=lat,
        lon=lon,
    )


def make_village(
    territory, *, name: str = "", position=NEAR_TOULOUSE, status: str = "published", **fields
) -> Village:
    commune = make_commune(territory, name=name, lat=position[0], lon=position[1])
    return Village.objects.create(
        territory=territory,
        commune=commune,
        slug=slugify(commune.name),
        status=status,
        presentation_fr=fields.pop("presentation_fr", f"Bienvenue à {commune.name}."),
        **fields,
    )


def give_fibre(village: Village, share: float = 80.0) -> Connectivity:
    return Connectivity.objects.create(
        commune=village.commune,
        fibre_share_pct=share,
        best_dsl_mbps=8,
        source="Exemple",
        date=date(2025, 1, 1),
        is_sample=True,
    )


def make_service(commune: Commune, category: str, *, name: str = "", **fields) -> Service:
    return Service.objects.create(
        commune=commune,
        category=category,
        name=name or f"{category} de {commune.name}",
        lat=fields.pop("lat", commune.lat),
        lon=fields.pop("lon", commune.lon),
        **fields,
    )


def make_offer(village: Village, *, status: str = HousingStatus.PUBLISHED, **fields) -> HousingOffer:
    now = timezone.now()
    defaults = {
        "kind": "house",
        "transaction": "rent",
        "title_fr": f"Maison à {village.commune.name}",
        "price": 800,
        "surface_m2": 90,
        "rooms": 4,
        "lat": village.commune.lat + 0.004,
        "lon": village.commune.lon - 0.003,
        "status": status,
        "published_at": now - timedelta(days=1),
        "expires_at": now + timedelta(days=59),
    }
    defaults.update(fields)
    return HousingOffer.objects.create(village=village, **defaults)


def bulk_services(commune: Commune, n: int, *, category: str = "bakery", spread: float = 0.2) -> None:
    """n services on a grid around the commune's centre, with long French names (accents count)."""
    side = max(int(n**0.5), 1)
    Service.objects.bulk_create(
        Service(
            commune=commune,
            category=category,
            name=f"Boulangerie-pâtisserie de l'Église n° {i} à côté de la mairie",
            lat=commune.lat - spread / 2 + spread * (i // side) / side + 0.0000123,
            lon=commune.lon - spread / 2 + spread * (i % side) / side + 0.0000456,
        )
        for i in range(n)
    )
