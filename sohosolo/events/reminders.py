"""Reminders 24 hours before an occurrence, sent exactly once per registration.

Every 15 minutes the job looks for confirmed registrations of scheduled occurrences starting within
the next 24 hours (and not started) whose reminder was not sent. Each one is claimed by a conditional
UPDATE (``reminder_sent_at IS NULL`` → now) in the same transaction as the outbox insert: a second
run, a concurrent worker or a worker restarted mid-way finds the row already claimed, and a crash
before the commit leaves neither the claim nor the email, so the next run sends it.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from sohosolo.core.scheduler import register_job

from .models import OccurrenceStatus, Registration, RegistrationStatus

REMIND_BEFORE = timedelta(hours=24)
EMAIL_REMINDER = "event_reminder"


def _due(now: datetime):
    return Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        occurrence__status=OccurrenceStatus.SCHEDULED,
        occurrence__starts_at__gt=now,
        occurrence__starts_at__lte=now + REMIND_BEFORE,
    )


def reminders_send_due(*, now: datetime | None = None, base_url: str | None = None) -> int:
    """Email each due registrant once, in their language; return how many reminders this run sent."""
    from .registration import email_registrant

    now = now or timezone.now()
    sent = 0
    for pk in list(_due(now).values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=pk, status=RegistrationStatus.CONFIRMED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue  # another run took it, or it was cancelled meanwhile
            registration = Registration.objects.select_related("occurrence__series__territory").get(pk=pk)
            email_registrant(registration, EMAIL_REMINDER, base_url=base_url, ics=False)
        sent += 1
    return sent


@task()
def send_event_reminders() -> int:
    return reminders_send_due()


register_job(name="events.reminders", task=send_event_reminders, every=timedelta(minutes=15))
