# The villages, communes and committee fixtures are shared with the services tests.
from tests.services.conftest import (  # noqa: F401
    advisor,
    auch,
    castera,
    committee_a,
    village_a,
    village_b,
)
