"""Background tasks of the core app, run by `manage.py db_worker`."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .outbox import outbox_deliver, outbox_due_ids, outbox_purge


@task()
def send_outbox_message(message_id: int) -> bool:
    """Deliver one outbox message; running it again (or concurrently) never sends it twice."""
    return outbox_deliver(message_id=message_id)


@task()
def dispatch_outbox() -> int:
    """Enqueue the messages that are due again (retries, messages stuck after a crash)."""
    ids = outbox_due_ids()
    for message_id in ids:
        send_outbox_message.enqueue(message_id)
    return len(ids)


@task()
def purge_old_records() -> dict:
    """Retention: delete old finished task results, old outbox rows and old scheduler slots."""
    from django_tasks_db.models import DBTaskResult

    from .models import JobRun

    now = timezone.now()
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=now - timedelta(days=14)).delete()
    runs, _ = JobRun.objects.filter(slot__lt=now - timedelta(days=30)).delete()
    return {"task_results": results, "outbox": outbox_purge(), "job_runs": runs}
