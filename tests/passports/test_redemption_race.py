"""Redemptions never exceed an offer's uses per passport, even when taps collide.

Ten real threads start together on a barrier, each with its own database connection, and redeem the
same offer on the same passport: a single-use offer gives exactly one row (and nine « already used »),
an offer with three uses exactly three. Each race runs ten times. The tests use a transactional
database: the SQLite test database is a file (config/settings/test.py), and CI runs them on
PostgreSQL too. What guards the count is the unique constraint on (passport, offer, use_number).

Threads released together still drift apart by the time they write. The ``collide`` variant makes
the collision certain: each thread, having read which uses are taken, waits for all the others
before its first write, so all ten write at once (without the constraint the test fails: checked by
removing it).
"""

import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from sohosolo.partners.models import Offer
from sohosolo.passports.models import Passport, Redemption
from sohosolo.passports.services import AlreadyUsed, passport_open, redeem
from sohosolo.passports.tokens import passport_token
from sohosolo.prospects.models import Activity, ActivityKind
from tests.partners.factories import OfferFactory, partner_in, partner_staff
from tests.prospects.factories import ProspectFactory

THREADS = 10
ITERATIONS = 10


def _race(worker, count: int = THREADS) -> list[str]:
    """Run ``worker()`` in ``count`` threads released together; each closes its connection."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait(timeout=30)
            outcome = worker()
        except AlreadyUsed:
            outcome = "already used"
        except Exception as exc:  # noqa: BLE001 - any other failure must show in the assertion
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


class _CollideAtWrite:
    """Stands for ``transaction`` in the services module: a thread's first ``atomic()`` (the write of
    a redemption) waits until every thread got there, so all of them have read the same state."""

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


@pytest.fixture
def notary(transactional_db, gers):
    return partner_in(gers, name="Étude de Maître Lafitte", slug="etude-lafitte")


@pytest.fixture
def staff(notary):
    return [partner_staff(notary) for _ in range(2)]


def _fresh_passport(gers) -> Passport:
    return passport_open(prospect=ProspectFactory(territory=gers, stage="candidate"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("collide", [False, True], ids=["released-together", "collide-at-write"])
@pytest.mark.parametrize("uses", [1, 3])
def test_ten_simultaneous_redemptions_never_exceed_the_allowed_uses(
    gers, notary, staff, uses, collide, monkeypatch
):
    import sohosolo.passports.services as services

    for iteration in range(ITERATIONS):
        passport = _fresh_passport(gers)
        offer = OfferFactory(partner=notary, uses_per_passport=uses)
        taps = iter(range(THREADS))

        def tap(passport_pk=passport.pk, offer_pk=offer.pk, taps=taps):
            by = staff[next(taps) % len(staff)]  # two colleagues at once
            # Each thread reads its own objects, on its own connection.
            redeem(passport=Passport.objects.get(pk=passport_pk), offer=Offer.objects.get(pk=offer_pk), by=by)
            return "redeemed"

        if collide:
            monkeypatch.setattr(services, "transaction", _CollideAtWrite(THREADS))
        outcomes = _race(tap)
        monkeypatch.undo()
        assert sorted(outcomes) == sorted(["redeemed"] * uses + ["already used"] * (THREADS - uses)), (
            f"iteration {iteration}: {outcomes}"
        )
        rows = Redemption.objects.filter(passport=passport, offer=offer)
        assert rows.count() == uses
        assert sorted(rows.values_list("use_number", flat=True)) == list(range(1, uses + 1))
        # One timeline entry per redemption: a refused insert leaves no activity behind.
        events = Activity.objects.filter(
            prospect=passport.prospect, kind=ActivityKind.PASSPORT, data__event="redeemed"
        )
        assert events.count() == uses


@pytest.mark.django_db(transaction=True)
def test_two_staff_tapping_the_button_at_once_give_one_redemption(gers, notary, staff):
    offer = OfferFactory(partner=notary, title_fr="Première consultation gratuite")
    for iteration in range(ITERATIONS // 2):
        passport = _fresh_passport(gers)
        url = f"/fr/passeport/scan/{passport_token(passport)}/utiliser/{offer.pk}/"
        clients = []
        for user in staff * (THREADS // len(staff)):
            client = Client()
            client.force_login(user)
            clients.append(client)
        pool = iter(clients)

        def tap(url=url, pool=pool):
            response = next(pool).post(url, follow=True)
            assert response.status_code == 200, response.status_code
            body = response.content.decode()
            if "C&#x27;est enregistré" in body:
                return "redeemed"
            assert "Offre déjà utilisée le" in body, body
            return "already used"

        outcomes = _race(tap)
        assert sorted(outcomes) == sorted(["redeemed"] + ["already used"] * (THREADS - 1)), (
            f"iteration {iteration}: {outcomes}"
        )
        assert Redemption.objects.filter(passport=passport, offer=offer).count() == 1
