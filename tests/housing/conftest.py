import pytest

from sohosolo.accounts.models import Role
from tests.accounts.staff_factories import member
from tests.villages.factories import VillageFactory, committee_member


@pytest.fixture
def village_a(gers):
    return VillageFactory(commune__territory=gers, commune__name="Lavardens")


@pytest.fixture
def village_b(gers):
    return VillageFactory(commune__territory=gers, commune__name="Montréal")


@pytest.fixture
def committee_a(village_a):
    return committee_member(village_a, email="comite-a@exemple.fr", preferred_language="fr")


@pytest.fixture
def committee_b(village_b):
    return committee_member(village_b, email="comite-b@exemple.fr")


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr")


@pytest.fixture
def territory_admin(gers):
    return member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr")
