"""System checks run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning

PER_PROCESS_CACHES = ("LocMemCache", "DummyCache")


@register(Tags.caches, deploy=True)
def private_cache_needs_a_shared_cache(app_configs, **kwargs):
    """The signed-in pages' cache forced on with a cache each process has for itself: a write in one
    process would not reach the pages another one keeps (docs/adr/003-signed-in-page-cache.md)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if getattr(settings, "PRIVATE_PAGE_CACHE_ENABLED", None) and backend.endswith(PER_PROCESS_CACHES):
        return [
            CheckWarning(
                "PRIVATE_PAGE_CACHE_ENABLED is on with a cache that each process keeps for itself.",
                hint="Set CACHE_URL to a Redis shared by every web server and worker, or leave "
                "PRIVATE_PAGE_CACHE_ENABLED unset.",
                id="sohosolo.W001",
            )
        ]
    return []
