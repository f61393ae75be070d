"""Forget the cached public pages when a series, an occurrence or a registration changes.

The agenda, the event pages, the iCalendar feeds, the API and the map are cached for anonymous
visitors (sohosolo.core.page_cache): a series published or edited, an occurrence moved or cancelled
must show at once, and seats left change with every registration. The bump runs after the commit,
so no request can cache the state of a transaction still open (see sohosolo/villages/signals.py).
Saves through QuerySet.update() send no signal: code that changes rows that way bumps itself.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sohosolo.core.page_cache import page_cache_bump

from .models import Occurrence, Registration, Series

# Registration fields no public page shows: check-in and reminders leave the cache alone.
PRIVATE_REGISTRATION_FIELDS = frozenset({"attendance", "checked_in_at", "reminder_sent_at"})


def _bump() -> None:
    # robust: the row is committed; a cache outage must not turn the save into an error page.
    transaction.on_commit(page_cache_bump, robust=True)


@receiver([post_save, post_delete], sender=Series)
@receiver([post_save, post_delete], sender=Occurrence)
def _forget_cached_pages(**kwargs) -> None:
    _bump()


@receiver([post_save, post_delete], sender=Registration)
def _forget_cached_seats(update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= PRIVATE_REGISTRATION_FIELDS:
        return
    _bump()
