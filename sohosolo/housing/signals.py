"""Forget the cached public pages when a housing offer changes (journey 6: a house a committee
publishes appears on the map at once; a withdrawn one leaves it at once).

See sohosolo/villages/signals.py: the same version bump of the page cache, after the commit. Offers
passing their expiry date leave the map without a save (the public queryset compares dates): a cached
copy may show one for at most the cache's lifetime (300 s).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sohosolo.core.page_cache import page_cache_bump

from .models import HousingOffer


@receiver([post_save, post_delete], sender=HousingOffer)
def _forget_cached_pages(**kwargs) -> None:
    transaction.on_commit(page_cache_bump, robust=True)
