import pytest

from sohosolo.accounts.models import Role
from sohosolo.territories.models import Commune
from tests.accounts.staff_factories import member
from tests.open_data import AUCH

from .factories import committee_member, make_village

# A point in the centre of Toulouse (Haute-Garonne), far outside every Gers commune.
TOULOUSE = {"lat": 43.6045, "lon": 1.4440}


@pytest.fixture
def auch(gers_communes) -> Commune:
    return Commune.objects.get(code=AUCH)


@pytest.fixture
def castera(gers_communes) -> Commune:
    return Commune.objects.filter(name__startswith="Castéra-").order_by("code").first()


@pytest.fixture
def village_a(auch):
    return make_village(auch, slug="auch")


@pytest.fixture
def village_b(castera):
    return make_village(castera, slug="castera")


@pytest.fixture
def committee_a(village_a):
    return committee_member(village_a, email="comite.auch@exemple.fr")


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr")
