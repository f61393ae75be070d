from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sohosolo.core.page_cache import page_cache_bump

from .models import Commune, Territory

CACHE_KEY = "territories:by-host:v1"
CACHE_SECONDS = 60


def _territory_table() -> dict:
    """Map host names to territories, plus the default, cached across requests and processes."""
    table = cache.get(CACHE_KEY)
    if table is None:
        territories = list(Territory.objects.all())
        table = {
            "hosts": {host: t for t in territories for host in t.hostnames},
            "default": next((t for t in territories if t.slug == settings.DEFAULT_TERRITORY), None),
        }
        cache.set(CACHE_KEY, table, CACHE_SECONDS)
    return table


def territory_for_host(host: str) -> Territory | None:
    """The territory serving this host, else the default territory (design §8)."""
    table = _territory_table()
    host = host.split(":")[0].lower().rstrip(".")
    return table["hosts"].get(host) or table["default"]


@receiver([post_save, post_delete], sender=Commune)
def _forget_pages(**kwargs) -> None:
    page_cache_bump()


@receiver([post_save, post_delete], sender=Territory)
def _forget_territories(**kwargs) -> None:
    cache.delete(CACHE_KEY)
    page_cache_bump()


class TerritoryMiddleware:
    """Set request.territory from the Host header (design §8)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.territory = territory_for_host(request.get_host())
        return self.get_response(request)
