"""Reminders 24 hours before: confirmed registrants only, in their language, exactly once.

Time is moved with time_machine; the job runs twice (as after a worker restart, or two schedulers),
and a crash between the claim and the email leaves the reminder to the next run.
"""

from datetime import timedelta

import pytest
import time_machine

from sohosolo.core.models import OutboxMessage
from sohosolo.core.scheduler import REGISTRY
from sohosolo.events import reminders
from sohosolo.events.models import OccurrenceStatus, Registration
from sohosolo.events.registration import cancel
from sohosolo.events.reminders import reminders_send_due, send_event_reminders

from .test_registration import link_in, make_occurrence, sign_up

pytestmark = pytest.mark.django_db


def reminder_emails():
    return OutboxMessage.objects.filter(kind="event_reminder").order_by("pk")


@pytest.fixture
def occurrence(gers):
    """Two seats: two confirmed (one in English), one waitlisted, one cancelled."""
    occurrence = make_occurrence(gers, capacity=2)
    sign_up(occurrence, 1)
    sign_up(occurrence, 2, language="en")
    sign_up(occurrence, 3)  # waitlisted
    cancelled = sign_up(occurrence, 4)  # waitlisted, then leaves the list
    cancel(cancelled)
    return occurrence


def test_the_job_is_registered_every_15_minutes():
    job = REGISTRY["events.reminders"]
    assert job.every == timedelta(minutes=15)
    assert job.task is send_event_reminders


def test_no_reminder_more_than_24_hours_before(occurrence):
    with time_machine.travel(occurrence.starts_at - timedelta(hours=24, minutes=1)):
        assert reminders_send_due() == 0
    assert not reminder_emails().exists()


def test_each_confirmed_registrant_gets_one_reminder_even_when_the_job_runs_twice(occurrence):
    with time_machine.travel(occurrence.starts_at - timedelta(hours=23, minutes=50)):
        assert reminders_send_due() == 2
        assert reminders_send_due() == 0
        send_event_reminders.enqueue()  # the scheduled task itself (immediate backend in the tests)
    with time_machine.travel(occurrence.starts_at - timedelta(hours=1)):
        assert reminders_send_due() == 0

    messages = list(reminder_emails())
    assert sorted(m.to for m in messages) == ["personne1@exemple.fr", "personne2@exemple.fr"]
    assert {m.to: m.language for m in messages} == {
        "personne1@exemple.fr": "fr",
        "personne2@exemple.fr": "en",
    }
    french = next(m for m in messages if m.language == "fr")
    assert french.subject.startswith("Rappel : Les Mercredis de l'installation")
    assert "18:00" in french.subject
    assert "/fr/agenda/annulation/" in link_in(french.body_text)
    english = next(m for m in messages if m.language == "en")
    assert "/en/agenda/annulation/" in link_in(english.body_text)

    statuses = dict(
        Registration.objects.filter(occurrence=occurrence).values_list("email", "reminder_sent_at")
    )
    assert statuses["personne1@exemple.fr"] and statuses["personne2@exemple.fr"]
    assert statuses["personne3@exemple.fr"] is None and statuses["personne4@exemple.fr"] is None


def test_someone_promoted_within_the_24_hours_is_reminded_at_the_next_run(occurrence):
    with time_machine.travel(occurrence.starts_at - timedelta(hours=20)):
        assert reminders_send_due() == 2
        first = Registration.objects.get(occurrence=occurrence, email="personne1@exemple.fr")
        cancel(first)  # personne3 takes the seat
        assert reminders_send_due() == 1
    assert reminder_emails().filter(to="personne3@exemple.fr").count() == 1
    assert reminder_emails().filter(to="personne1@exemple.fr").count() == 1


def test_no_reminder_once_started_nor_for_a_cancelled_occurrence(occurrence, gers):
    with time_machine.travel(occurrence.starts_at + timedelta(minutes=1)):
        assert reminders_send_due() == 0
    other = make_occurrence(gers, capacity=5, starts_at=occurrence.starts_at + timedelta(days=2))
    sign_up(other, 9)
    type(other).objects.filter(pk=other.pk).update(status=OccurrenceStatus.CANCELLED)
    with time_machine.travel(other.starts_at - timedelta(hours=2)):
        assert reminders_send_due() == 0
    assert not reminder_emails().exists()


def test_a_crash_before_the_email_is_stored_leaves_the_reminder_to_the_next_run(occurrence, monkeypatch):
    """The claim and the outbox row commit together: a failure rolls both back."""
    import sohosolo.events.registration as registration_module

    real_enqueue = registration_module.outbox_enqueue
    calls = {"n": 0}

    def crash_once(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("worker killed")
        return real_enqueue(**kwargs)

    monkeypatch.setattr(registration_module, "outbox_enqueue", crash_once)
    with time_machine.travel(occurrence.starts_at - timedelta(hours=12)):
        with pytest.raises(RuntimeError):
            reminders_send_due()
        assert not reminder_emails().exists()
        assert not Registration.objects.filter(reminder_sent_at__isnull=False).exists()
        assert reminders_send_due() == 2
        assert reminders_send_due() == 0
    assert reminder_emails().count() == 2


def test_the_claim_is_a_conditional_update(occurrence):
    """A registration claimed by another worker between the read and the update is skipped."""
    with time_machine.travel(occurrence.starts_at - timedelta(hours=3)):
        due = list(reminders._due(reminders.timezone.now()).values_list("pk", flat=True))
        Registration.objects.filter(pk=due[0]).update(reminder_sent_at=reminders.timezone.now())
        assert reminders_send_due() == 1
    assert reminder_emails().count() == 1
