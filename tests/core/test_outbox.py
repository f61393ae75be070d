"""Outbox: emails stored with the business change, rendered in the recipient's language, delivered
exactly once (even when the task runs twice or concurrently), retried with backoff, given up after
24 hours and then listed for the territory's admins."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage, OutboxStatus
from sohosolo.core.outbox import CLAIM_TIMEOUT, outbox_deliver, outbox_due_ids, outbox_enqueue, outbox_store
from sohosolo.core.private_cache import private_cache_bump
from sohosolo.core.tasks import dispatch_outbox, send_outbox_message
from tests.accounts.staff_factories import member

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses every connection."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("Connection refused by the test mail server")


FAILING = "tests.core.test_outbox.FailingBackend"


def invitation_context(**overrides) -> dict:
    return {
        "invitation": None,
        "territory_name": "Gers",
        "role": "conseiller",
        "url": "https://gers.example/fr/invitation/abc/",
        "expires_at": datetime(2025, 3, 24, 12, 0, tzinfo=UTC),
        **overrides,
    }


def store(to: str = "claire@exemple.fr", territory=None, **kwargs) -> OutboxMessage:
    return outbox_store(
        to=to,
        subject="Bonjour",
        text="Un message.",
        html="<p>Un message.</p>",
        language="fr",
        territory=territory,
        **kwargs,
    )


# --- Rendering ------------------------------------------------------------------------------------


def test_an_email_is_stored_rendered_in_the_recipient_s_language():
    message = outbox_enqueue(
        to="claire@exemple.fr", template="invitation", context=invitation_context(), language="en"
    )

    message.refresh_from_db()
    assert message.language == "en"
    assert message.kind == "invitation"
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0
    assert "https://gers.example/fr/invitation/abc/" in message.body_text
    assert "https://gers.example/fr/invitation/abc/" in message.body_html
    assert '<html lang="en">' in message.body_html
    assert "March 24, 2025" in message.body_text  # dates follow the language
    assert "INVALID_TEMPLATE_VARIABLE" not in message.body_text + message.body_html + message.subject
    assert "\n" not in message.subject
    assert message.message_id.endswith("@soho-solo.localhost>")


def test_an_email_in_french_has_french_dates():
    message = outbox_enqueue(
        to="claire@exemple.fr", template="invitation", context=invitation_context(), language="fr"
    )

    assert "24 mars 2025" in message.body_text
    assert message.subject == "Invitation à rejoindre Soho Solo Gers"


def test_an_unknown_language_falls_back_to_french():
    message = outbox_enqueue(
        to="claire@exemple.fr", template="invitation", context=invitation_context(), language="xx"
    )

    assert message.language == "fr"
    assert "24 mars 2025" in message.body_text


def test_the_email_is_sent_only_after_the_business_change_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = store()
        assert mail.outbox == []  # nothing leaves inside the transaction

    # The outbox's delivery (the signed-in pages' cache also moves its version at the commit).
    assert len([callback for callback in callbacks if callback is not private_cache_bump]) == 1
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_an_email_of_a_change_that_is_rolled_back_is_never_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            store()
            raise RuntimeError("the business change fails")

    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


# --- Delivered exactly once -----------------------------------------------------------------------


def test_delivering_the_same_message_three_times_sends_one_email():
    message = store()

    results = [outbox_deliver(message_id=message.pk) for _ in range(3)]

    assert results == [True, False, False]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["claire@exemple.fr"]
    assert sent.subject == "Bonjour"
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert sent.alternatives[0][1] == "text/html"
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.claim_token is None


def test_running_the_send_task_three_times_sends_one_email():
    message = store()

    for _ in range(3):
        send_outbox_message.enqueue(message.pk)

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_messages_at_the_same_moment_send_each_once():
    # Stored with a queue that keeps the tasks (here each commit would otherwise send at once).
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        messages = [store(to=f"personne{i}@exemple.fr") for i in range(5)]
    assert mail.outbox == []
    results: list[bool] = []
    errors: list[BaseException] = []

    for message in messages:
        barrier = threading.Barrier(2)

        def work(message_id=message.pk, barrier=barrier) -> None:
            try:
                barrier.wait(timeout=10)
                results.append(outbox_deliver(message_id=message_id))
            except BaseException as exc:  # noqa: BLE001 - asserted below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in threads)

    assert errors == []
    assert sorted(results) == [False] * 5 + [True] * 5
    assert len(mail.outbox) == 5
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        m.message_id for m in messages
    )
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


# --- Failures, retries, giving up -----------------------------------------------------------------


@override_settings(EMAIL_BACKEND=FAILING)
def test_a_failed_delivery_is_retried_later_with_a_growing_delay():
    with time_machine.travel(START, tick=False) as traveller:
        message = store()

        assert outbox_deliver(message_id=message.pk) is False

        message.refresh_from_db()
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == 1
        assert message.next_attempt_at == START + timedelta(minutes=1)
        assert "ConnectionRefusedError: Connection refused by the test mail server" == message.last_error
        assert message.claim_token is None
        # Not due yet: another run does nothing.
        assert outbox_deliver(message_id=message.pk) is False
        message.refresh_from_db()
        assert message.attempts == 1
        assert outbox_due_ids() == []

        traveller.move_to(START + timedelta(minutes=1))
        assert outbox_due_ids() == [message.pk]
        outbox_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.next_attempt_at == START + timedelta(minutes=1 + 2)

    assert mail.outbox == []


@override_settings(EMAIL_BACKEND=FAILING)
def test_a_message_still_failing_after_24_hours_is_given_up(client, gers, landes):
    with time_machine.travel(START, tick=False) as traveller:
        message = store(to="perdu@exemple.fr", territory=gers)
        attempts_times = []
        for _ in range(100):
            message.refresh_from_db()
            if message.status != OutboxStatus.PENDING:
                break
            traveller.move_to(message.next_attempt_at)
            attempts_times.append(timezone.now())
            outbox_deliver(message_id=message.pk)

        message.refresh_from_db()
        assert message.status == OutboxStatus.FAILED
        assert attempts_times[-1] - START >= timedelta(hours=24)
        assert attempts_times[-2] - START < timedelta(hours=24)
        assert message.attempts == len(attempts_times)
        # Delays double from one minute and stop growing at two hours.
        gaps = [b - a for a, b in zip(attempts_times, attempts_times[1:], strict=False)]
        assert gaps[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
        assert max(gaps) == timedelta(hours=2)
        assert message.pk not in outbox_due_ids(now=timezone.now() + timedelta(days=1))

        admin = member(gers, Role.TERRITORY_ADMIN)
        client.force_login(admin)
        page = client.get("/fr/suivi/courriels/")
        failed_section = page.content.decode().split("Derniers courriels")[0]
        assert page.status_code == 200
        assert "perdu@exemple.fr" in failed_section
        assert "ConnectionRefusedError" in failed_section

        landes_admin = member(landes, Role.TERRITORY_ADMIN)
        client.force_login(landes_admin)
        other = client.get("/fr/suivi/courriels/", HTTP_HOST="landes.localhost")
        assert other.status_code == 200
        assert "perdu@exemple.fr" not in other.content.decode()

    assert mail.outbox == []


# --- Messages stuck after a crash -----------------------------------------------------------------


def stuck_message(claimed_ago: timedelta) -> OutboxMessage:
    message = store()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING,
        claimed_at=timezone.now() - claimed_ago,
        claim_token="00000000-0000-0000-0000-000000000001",
    )
    return message


def test_a_message_stuck_in_sending_for_more_than_ten_minutes_is_sent_by_the_dispatcher():
    message = stuck_message(CLAIM_TIMEOUT + timedelta(minutes=1))

    assert outbox_due_ids() == [message.pk]
    assert dispatch_outbox.enqueue().return_value == 1

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.claim_token is None


def test_a_message_in_sending_for_less_than_ten_minutes_is_left_alone():
    message = stuck_message(CLAIM_TIMEOUT - timedelta(minutes=1))

    assert outbox_due_ids() == []
    assert dispatch_outbox.enqueue().return_value == 0
    assert outbox_deliver(message_id=message.pk) is False

    assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING


def test_the_dispatcher_sends_due_retries_but_not_sent_or_future_ones():
    due = store(to="du@exemple.fr")
    later = store(to="plus-tard@exemple.fr")
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    done = store(to="deja@exemple.fr")
    outbox_deliver(message_id=done.pk)
    mail.outbox.clear()

    dispatch_outbox.enqueue()

    assert [m.to for m in mail.outbox] == [["du@exemple.fr"]]
    assert OutboxMessage.objects.get(pk=later.pk).status == OutboxStatus.PENDING
    assert OutboxMessage.objects.get(pk=due.pk).status == OutboxStatus.SENT


@pytest.mark.django_db
def test_attachments_are_stored_and_sent(mailoutbox):
    from sohosolo.core.outbox import outbox_deliver, outbox_store

    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    message = outbox_store(
        to="a@exemple.fr", subject="S", text="T", html="", language="fr",
        attachments=[{"filename": "rendez-vous.ics", "mimetype": "text/calendar", "content": ics}],
    )  # fmt: skip
    assert outbox_deliver(message_id=message.pk)
    sent = mailoutbox[-1]
    assert sent.attachments[0][0] == "rendez-vous.ics"
    assert "BEGIN:VCALENDAR" in sent.attachments[0][1]
