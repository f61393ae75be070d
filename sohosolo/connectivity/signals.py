"""Forget the cached public pages when a commune's connectivity changes (the map's fibre filter).

See sohosolo/villages/signals.py: the same version bump of the page cache, after the commit. The CSV
import writes with bulk_create/bulk_update, which send no signals: it must bump the cache itself.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sohosolo.core.page_cache import page_cache_bump

from .models import Connectivity


@receiver([post_save, post_delete], sender=Connectivity)
def _forget_cached_pages(**kwargs) -> None:
    transaction.on_commit(page_cache_bump, robust=True)
