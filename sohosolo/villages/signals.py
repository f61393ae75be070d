"""Forget the cached public pages when a village or its measured travel times change.

The map endpoint and the public pages are cached for anonymous visitors (sohosolo.core.page_cache): a
village published, unpublished or moved, or a travel time that changes what the "≤ N min" filter
keeps, must show at once (journey 6). The bump runs after the commit, so no request can cache the
state of a transaction that is still open.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sohosolo.core.page_cache import page_cache_bump

from .models import MeasuredTravelTime, Village


@receiver([post_save, post_delete], sender=Village)
@receiver([post_save, post_delete], sender=MeasuredTravelTime)
def _forget_cached_pages(**kwargs) -> None:
    # robust: the row is committed; a cache outage must not turn the save into an error page.
    transaction.on_commit(page_cache_bump, robust=True)
