"""When a local service changes: update the map's index at once, forget the cached public pages.

The index (maps.ServicePoint, maps.ServiceCell) is updated in the transaction of the write, so the map
never shows a state that was not committed; bulk writes go through ServiceQuerySet, which does the same.
The page cache is bumped after the commit, as in sohosolo/villages/signals.py.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sohosolo.core.page_cache import page_cache_bump
from sohosolo.maps.index import index_sync, is_suspended
from sohosolo.maps.models import ServicePoint
from sohosolo.territories.models import Commune

from .models import MAP_FIELDS, Service


@receiver([post_save, post_delete], sender=Service)
def _forget_cached_pages(**kwargs) -> None:
    transaction.on_commit(page_cache_bump, robust=True)


@receiver(post_save, sender=Service)
def _index_saved_service(instance: Service, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not MAP_FIELDS.intersection(update_fields):
        return  # e.g. "still accurate": only the verification date changed
    index_sync([instance.pk])


@receiver(post_delete, sender=Service)
def _index_deleted_service(instance: Service, **kwargs) -> None:
    if not is_suspended():
        index_sync([instance.pk])


@receiver(post_save, sender=Commune)
def _index_services_of_moved_commune(instance: Commune, raw=False, **kwargs) -> None:
    """A commune moved to another territory takes its services' map points with it (one query if not)."""
    if raw:
        return
    moved = ServicePoint.objects.filter(pk__in=Service.objects.filter(commune=instance).values("pk")).exclude(
        territory_id=instance.territory_id
    )
    ids = list(moved.values_list("pk", flat=True))
    if ids:
        index_sync(ids)
