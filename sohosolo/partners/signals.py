"""Forget the cached public pages when a partner or an offer changes.

The directory, a partner's page and the map endpoint are cached for anonymous visitors
(sohosolo.core.page_cache): a partner published, unpublished or moved, or an offer added or
deactivated, must show at once. The bump runs after the commit (see sohosolo/villages/signals.py).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sohosolo.core.page_cache import page_cache_bump

from .models import Offer, Partner


@receiver([post_save, post_delete], sender=Partner)
@receiver([post_save, post_delete], sender=Offer)
def _forget_cached_pages(**kwargs) -> None:
    # robust: the row is committed; a cache outage must not turn the save into an error page.
    transaction.on_commit(page_cache_bump, robust=True)
