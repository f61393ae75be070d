import os

import pytest

# Sync Playwright with pytest-django's live_server (recipes.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (territory table, figures, rate-limit counters)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- Shared data fixtures -------------------------------------------------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from tests.open_data import AUCH, GERS_GEOJSON, SUBSET_SIZE  # noqa: E402


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each pytest process its own SQLite test file, so runs started side by side never share it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    test_name = (db.get("TEST") or {}).get("NAME")
    chosen = "TEST_SQLITE_NAME" in os.environ  # a file named explicitly is used as is
    if db["ENGINE"] == "django.db.backends.sqlite3" and test_name and not chosen:
        db["TEST"]["NAME"] = f"{test_name}-{os.getpid()}"


@pytest.fixture(scope="session")
def gers_features() -> list[dict]:
    """The 458 real Gers features, read once."""
    return json.loads(GERS_GEOJSON.read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="session")
def gers_subset_file(tmp_path_factory, gers_features) -> Path:
    """A small GeoJSON file of 40 real Gers communes, Auch and the two Castéra among them."""
    wanted = [
        f
        for f in gers_features
        if f["properties"]["insee"] == AUCH or f["properties"]["name"].startswith("Castéra-")
    ]
    others = [f for f in gers_features if f not in wanted][: SUBSET_SIZE - len(wanted)]
    path = tmp_path_factory.mktemp("data") / "gers-subset.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": wanted + others}), encoding="utf-8")
    return path


@pytest.fixture
def sample_territories(db) -> dict:
    """The sample territories (gers, landes) with their host names, keyed by slug."""
    from sohosolo.territories.services import territories_load_sample

    return {territory.slug: territory for territory, _ in territories_load_sample()}


@pytest.fixture
def gers(sample_territories):
    return sample_territories["gers"]


@pytest.fixture
def landes(sample_territories):
    return sample_territories["landes"]


@pytest.fixture
def gers_communes(gers, gers_subset_file):
    """The sample Gers territory with 40 real communes (boundaries, town halls) imported."""
    from sohosolo.territories.services import communes_import_geojson

    report = communes_import_geojson(path=gers_subset_file, territory=gers)
    assert report.created == SUBSET_SIZE and not report.errors
    return gers
