"""Capacity holds when registrations collide: 3×C people register at once for C seats.

Real threads start on a ``threading.Barrier``, each with its own database connection (closed when
done), on a transactional database: the SQLite test database is a file (config/settings/test.py) and
CI runs the same test on PostgreSQL. Exactly C registrations end confirmed and the 2×C others on the
waiting list, in each of 50 repetitions.

What guards the count: ``register`` locks the occurrence row (``select_for_update``, PostgreSQL) before
counting; on SQLite every transaction begins IMMEDIATE, which serialises writers. The
``collide-at-lock`` variant makes the collision certain: each thread waits for all the others right
before opening its transaction, so all of them ask for the lock at once. (Checked: without the row
lock, on PostgreSQL, both variants overbook.)
"""

import threading

import pytest
from django.db import connection, transaction

from sohosolo.core.models import OutboxMessage
from sohosolo.events.models import Occurrence, Registration, RegistrationStatus
from sohosolo.events.registration import AlreadyRegistered, register

from .test_registration import make_occurrence

CAPACITY = 3
PEOPLE = 3 * CAPACITY
REPETITIONS = 50


def _race(worker, count: int) -> list[str]:
    """Run ``worker(i)`` in ``count`` threads released together; each closes its own connection."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int):
        try:
            barrier.wait(timeout=30)
            outcome = worker(i)
        except Exception as exc:  # noqa: BLE001 - any failure must show in the assertion
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


class _CollideAtLock:
    """Stands for ``transaction`` in the registration module: a thread's first ``atomic()`` waits until
    every thread got there, so all of them ask for the occurrence's lock at the same moment."""

    def __init__(self, parties: int):
        self.barrier = threading.Barrier(parties)
        self.local = threading.local()

    def atomic(self, *args, **kwargs):
        if not getattr(self.local, "waited", False):
            self.local.waited = True
            self.barrier.wait(timeout=30)
        return transaction.atomic(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(transaction, name)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("collide", [False, True], ids=["released-together", "collide-at-lock"])
def test_three_times_c_simultaneous_registrations_confirm_exactly_c(gers, collide, monkeypatch):
    import sohosolo.events.registration as registration_module

    for repetition in range(REPETITIONS):
        occurrence = make_occurrence(gers, capacity=CAPACITY)

        def sign_up(i: int, occurrence_pk=occurrence.pk, repetition=repetition) -> str:
            # Each thread reads the occurrence on its own connection.
            return register(
                occurrence=Occurrence.objects.get(pk=occurrence_pk),
                name=f"Personne {i}",
                email=f"r{repetition}-p{i}@exemple.fr",
                language="fr",
            ).status

        if collide:
            monkeypatch.setattr(registration_module, "transaction", _CollideAtLock(PEOPLE))
        outcomes = _race(sign_up, PEOPLE)
        monkeypatch.undo()

        expected = [RegistrationStatus.CONFIRMED] * CAPACITY + [RegistrationStatus.WAITLISTED] * (
            PEOPLE - CAPACITY
        )
        assert sorted(outcomes) == sorted(expected), f"repetition {repetition}: {outcomes}"
        rows = Registration.objects.filter(occurrence=occurrence)
        assert rows.confirmed().count() == CAPACITY, f"repetition {repetition}"
        assert rows.waitlisted().count() == PEOPLE - CAPACITY, f"repetition {repetition}"
        # One email per person, of the kind matching their status.
        assert (
            OutboxMessage.objects.filter(kind="event_registration", to__startswith=f"r{repetition}-").count()
            == CAPACITY
        )
        assert (
            OutboxMessage.objects.filter(kind="event_waitlist", to__startswith=f"r{repetition}-").count()
            == PEOPLE - CAPACITY
        )


@pytest.mark.django_db(transaction=True)
def test_the_same_email_twice_at_once_gives_one_registration(gers):
    """The « already registered » check under the lock, backed by the unique constraint."""
    for repetition in range(10):
        occurrence = make_occurrence(gers, capacity=CAPACITY)

        def sign_up(i: int, occurrence_pk=occurrence.pk) -> str:
            try:
                register(
                    occurrence=Occurrence.objects.get(pk=occurrence_pk),
                    name="Même personne",
                    email="meme@exemple.fr" if i % 2 else "MEME@exemple.fr",
                    language="fr",
                )
            except AlreadyRegistered:
                return "already registered"
            return "registered"

        outcomes = _race(sign_up, 4)
        assert sorted(outcomes) == ["already registered"] * 3 + ["registered"], (
            f"repetition {repetition}: {outcomes}"
        )
        assert Registration.objects.filter(occurrence=occurrence).count() == 1
