"""Background tasks of the housing app, enqueued by the scheduler (see jobs.py)."""

from django_tasks import task

from .services import housing_expire_due, housing_purge_contact_messages, housing_send_expiry_reminders


@task()
def expire_due_offers() -> int:
    """Mark expired the published offers past their date (they already left the public pages)."""
    return housing_expire_due()


@task()
def send_expiry_reminders() -> int:
    """Warn authors seven days before their offer expires, once per publication period."""
    return housing_send_expiry_reminders()


@task()
def purge_contact_messages() -> int:
    """Retention: delete visitors' messages about offers after a year."""
    return housing_purge_contact_messages()
