"""Concurrent writers on the real (file) test database: SQLite in WAL mode with IMMEDIATE transactions,
or PostgreSQL. Runs on both; proves that simultaneous writes neither fail nor get lost."""

import threading

import pytest
from django.db import connection, transaction

from sohosolo.territories.models import Commune, Territory
from tests.territories.factories import CommuneFactory, TerritoryFactory

THREADS = 20


def run_together(work) -> list[BaseException]:
    """Run work(i) in THREADS threads released at once; return the exceptions raised."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer is still blocked"
    return errors


def test_the_test_database_is_never_an_in_memory_sqlite_database():
    # In-memory SQLite fails concurrent writers with SQLITE_LOCKED, which no busy timeout retries.
    assert connection.vendor != "sqlite" or not connection.is_in_memory_db()


@pytest.mark.django_db(transaction=True)
def test_twenty_people_creating_territories_at_the_same_moment_all_succeed():
    def create(i: int) -> None:
        with transaction.atomic():
            taken = Territory.objects.filter(slug__startswith="simultane-").count()
            Territory.objects.create(slug=f"simultane-{i}", name=f"Simultané {i} ({taken} avant)")

    errors = run_together(create)

    assert errors == []
    assert Territory.objects.filter(slug__startswith="simultane-").count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_read_then_write_updates_of_one_commune_lose_none():
    commune = CommuneFactory(territory=TerritoryFactory(slug="gers"), population=0)

    def increment(i: int) -> None:
        with transaction.atomic():
            current = Commune.objects.select_for_update().get(pk=commune.pk)
            current.population += 1
            current.save(update_fields=["population"])

    errors = run_together(increment)

    assert errors == []
    commune.refresh_from_db()
    assert commune.population == THREADS
