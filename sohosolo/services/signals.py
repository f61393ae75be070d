"""Forget the cached public pages when a local service changes (the map shows it at once).

See sohosolo/villages/signals.py: the same version bump of the page cache, after the commit.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sohosolo.core.page_cache import page_cache_bump

from .models import Service


@receiver([post_save, post_delete], sender=Service)
def _forget_cached_pages(**kwargs) -> None:
    transaction.on_commit(page_cache_bump, robust=True)
