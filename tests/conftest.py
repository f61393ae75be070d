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
