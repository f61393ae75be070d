import copy

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sohosolo.core.cache import new_version, shared_version
from sohosolo.core.page_cache import page_cache_bump

from .models import Commune, Territory

# The table of territories lives in each process's memory; a version in the shared cache says when it
# changed (any save or delete of a territory, in any process), so every request reads one short string
# from the cache instead of unpickling every territory.
VERSION_KEY = "territories:version"
_local: dict = {"version": None, "table": None}


def _territory_table() -> dict:
    """Map host names to territories, plus the default: read again when the shared version moved."""
    version = shared_version(VERSION_KEY)
    if _local["version"] != version or _local["table"] is None:
        territories = list(Territory.objects.all())
        _local["table"] = {
            "hosts": {host: t for t in territories for host in t.hostnames},
            "default": next((t for t in territories if t.slug == settings.DEFAULT_TERRITORY), None),
        }
        _local["version"] = version
    return _local["table"]


def territory_for_host(host: str) -> Territory | None:
    """The territory serving this host, else the default territory (design §8).

    A copy for each request: what one request caches on it (related objects) stays with that request."""
    table = _territory_table()
    host = host.split(":")[0].lower().rstrip(".")
    territory = table["hosts"].get(host) or table["default"]
    return copy.copy(territory) if territory is not None else None


def forget_territories() -> None:
    """Every process reads the territories again at its next request."""
    new_version(VERSION_KEY)
    _local["table"] = None


@receiver([post_save, post_delete], sender=Commune)
def _forget_pages(**kwargs) -> None:
    page_cache_bump()


@receiver([post_save, post_delete], sender=Territory)
def _forget_territories(**kwargs) -> None:
    forget_territories()
    page_cache_bump()


class TerritoryMiddleware:
    """Set request.territory from the Host header (design §8)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.territory = territory_for_host(request.get_host())
        return self.get_response(request)
