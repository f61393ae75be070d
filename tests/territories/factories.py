import factory
from factory.django import DjangoModelFactory

from sohosolo.territories.models import Commune, Territory


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ("slug",)

    name = factory.Faker("region", locale="fr_FR")
    slug = factory.Sequence(lambda n: f"territoire-{n}")
    hostnames = factory.LazyAttribute(lambda t: [f"{t.slug}.localhost"])
    description = factory.Faker("paragraph", locale="fr_FR")
    languages = factory.LazyFunction(lambda: ["fr", "en"])


class CommuneFactory(DjangoModelFactory):
    """A commune with a centre but no boundary; codes are unique 5-digit INSEE-like codes."""

    class Meta:
        model = Commune

    territory = factory.SubFactory(TerritoryFactory)
    country = "FR"
    code = factory.Sequence(lambda n: f"{90000 + n:05d}")
    name = factory.Faker("city", locale="fr_FR")
    departement = factory.LazyAttribute(lambda c: c.code[:2])
    postcodes = factory.List([factory.Faker("postcode", locale="fr_FR")])
    population = factory.Faker("random_int", min=50, max=20000)
    epci_code = "200000001"
    epci_name = "CC Test"
    lat = factory.Faker("pyfloat", min_value=43.3, max_value=43.9)
    lon = factory.Faker("pyfloat", min_value=0.1, max_value=1.0)
    area_km2 = factory.Faker("pyfloat", min_value=2, max_value=60, right_digits=2)

    class Params:
        # A 0.02° square around the centre, with the bounding box the import would have stored.
        with_boundary = factory.Trait(
            boundary=factory.LazyAttribute(
                lambda c: {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [c.lon - 0.01, c.lat - 0.01],
                            [c.lon + 0.01, c.lat - 0.01],
                            [c.lon + 0.01, c.lat + 0.01],
                            [c.lon - 0.01, c.lat + 0.01],
                            [c.lon - 0.01, c.lat - 0.01],
                        ]
                    ],
                }
            ),
            min_lon=factory.LazyAttribute(lambda c: c.lon - 0.01),
            max_lon=factory.LazyAttribute(lambda c: c.lon + 0.01),
            min_lat=factory.LazyAttribute(lambda c: c.lat - 0.01),
            max_lat=factory.LazyAttribute(lambda c: c.lat + 0.01),
        )
