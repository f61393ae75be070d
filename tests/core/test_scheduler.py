"""Scheduler: each (job, time slot) is enqueued once, even when ticks repeat or two schedulers
tick at the same moment; retention purges old records."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult

from sohosolo.core.models import JobRun, OutboxMessage, OutboxStatus
from sohosolo.core.scheduler import REGISTRY, Job, register_job, scheduler_tick, slot_for
from sohosolo.core.tasks import purge_old_records

pytestmark = pytest.mark.django_db

# Today at 09:00:10 UTC: near the real clock, as the purge job (run at enqueue by the immediate
# backend) deletes scheduler slots older than 30 days.
T = datetime.now(UTC).replace(hour=9, minute=0, second=10, microsecond=0)
CALLS: list[int] = []  # one entry per run of counted_job (the immediate backend runs it at enqueue)


@task()
def counted_job() -> None:
    CALLS.append(threading.get_ident())


@pytest.fixture(autouse=True)
def only_core_jobs(monkeypatch):
    """These tests are about the scheduler itself: other apps' jobs (housing expiry…) are left out."""
    for name in [n for n in REGISTRY if not n.startswith("core.")]:
        monkeypatch.delitem(REGISTRY, name)


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """A test job every 5 minutes, alongside the project's own jobs; returns the list of its runs."""
    CALLS.clear()
    monkeypatch.setitem(
        REGISTRY, "test.counted", Job(name="test.counted", task=counted_job, every=timedelta(minutes=5))
    )
    yield CALLS
    CALLS.clear()


@pytest.fixture
def enqueues() -> list[str]:
    """The module path of every task enqueued during the test, from any thread."""
    paths: list[str] = []

    def record(sender, task_result, **kwargs) -> None:
        paths.append(task_result.task.module_path)

    task_enqueued.connect(record, weak=False)
    yield paths
    task_enqueued.disconnect(record)


def enqueue_counts(paths: list[str]) -> dict[str, int]:
    return dict(Counter(paths))


JOB_TASKS = {
    "sohosolo.core.tasks.dispatch_outbox": 1,
    "sohosolo.core.tasks.purge_old_records": 1,
    "tests.core.test_scheduler.counted_job": 1,
}


def runs_per_job() -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in JobRun.objects.values_list("job", flat=True):
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_the_project_registers_its_jobs():
    assert REGISTRY["core.dispatch_outbox"].every == timedelta(minutes=1)
    assert REGISTRY["core.purge_old_records"].every == timedelta(days=1)


def test_a_job_cannot_run_more_often_than_once_a_minute():
    with pytest.raises(ValueError):
        register_job(name="test.too-often", task=counted_job, every=timedelta(seconds=30))
    assert "test.too-often" not in REGISTRY


def test_slots_are_aligned_on_round_times_in_utc():
    now = datetime(2025, 3, 10, 9, 7, 10, tzinfo=UTC)
    assert slot_for(now, timedelta(minutes=1)) == datetime(2025, 3, 10, 9, 7, tzinfo=UTC)
    assert slot_for(now, timedelta(minutes=5)) == datetime(2025, 3, 10, 9, 5, tzinfo=UTC)
    assert slot_for(now, timedelta(days=1)) == datetime(2025, 3, 10, tzinfo=UTC)


def test_two_ticks_in_the_same_slot_enqueue_each_job_once(counted, enqueues):
    first = scheduler_tick(now=T)
    second = scheduler_tick(now=T + timedelta(seconds=30))

    assert enqueue_counts(enqueues) == JOB_TASKS

    assert sorted(first) == ["core.dispatch_outbox", "core.purge_old_records", "test.counted"]
    assert second == []
    assert counted and len(counted) == 1
    assert runs_per_job() == {"core.dispatch_outbox": 1, "core.purge_old_records": 1, "test.counted": 1}


def test_a_later_slot_enqueues_the_job_again(counted):
    scheduler_tick(now=T)

    one_minute_later = scheduler_tick(now=T + timedelta(minutes=1))
    five_minutes_later = scheduler_tick(now=T + timedelta(minutes=5))

    assert one_minute_later == ["core.dispatch_outbox"]
    assert sorted(five_minutes_later) == ["core.dispatch_outbox", "test.counted"]
    assert len(counted) == 2
    assert runs_per_job() == {"core.dispatch_outbox": 3, "core.purge_old_records": 1, "test.counted": 2}


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_ticking_at_the_same_moment_enqueue_each_job_once(counted, enqueues):
    barrier = threading.Barrier(2)
    enqueued: list[list[str]] = []
    errors: list[BaseException] = []

    def tick(scheduler_id: str) -> None:
        try:
            barrier.wait(timeout=10)
            enqueued.append(scheduler_tick(now=T, scheduler_id=scheduler_id))
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick, args=(f"scheduler-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sorted(name for names in enqueued for name in names) == [
        "core.dispatch_outbox",
        "core.purge_old_records",
        "test.counted",
    ]
    assert len(counted) == 1
    assert enqueue_counts(enqueues) == JOB_TASKS
    assert runs_per_job() == {"core.dispatch_outbox": 1, "core.purge_old_records": 1, "test.counted": 1}


@pytest.mark.django_db(transaction=True)  # the command closes old connections, as a long-running process does
def test_the_scheduler_command_runs_one_tick_with_once():
    with time_machine.travel(T, tick=False):
        first = StringIO()
        call_command("scheduler", "--once", stdout=first)
        second = StringIO()
        call_command("scheduler", "--once", stdout=second)

    assert "enqueued core.dispatch_outbox" in first.getvalue()
    assert "enqueued core.purge_old_records" in first.getvalue()
    assert "enqueued" not in second.getvalue()
    assert runs_per_job() == {"core.dispatch_outbox": 1, "core.purge_old_records": 1}
    assert set(JobRun.objects.values_list("scheduler_id", flat=True)) != {""}


# --- Retention ------------------------------------------------------------------------------------


def outbox_message(status: str, age: timedelta) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        to="x@exemple.fr",
        subject="s",
        body_text="t",
        language="fr",
        message_id=f"<{status}-{age.days}@test>",
        status=status,
        next_attempt_at=timezone.now(),
    )
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - age)
    return message


def task_result(status: str, finished_ago: timedelta | None) -> DBTaskResult:
    finished_at = timezone.now() - finished_ago if finished_ago else None
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="sohosolo.core.tasks.dispatch_outbox",
        backend_name="default",
        run_after=timezone.now() - timedelta(days=30),
        status=status,
        finished_at=finished_at,
    )


def test_purge_deletes_old_records_and_keeps_recent_ones():
    old_sent = outbox_message(OutboxStatus.SENT, timedelta(days=91))
    old_failed = outbox_message(OutboxStatus.FAILED, timedelta(days=91))
    old_pending = outbox_message(OutboxStatus.PENDING, timedelta(days=91))
    recent_sent = outbox_message(OutboxStatus.SENT, timedelta(days=89))
    old_run = JobRun.objects.create(job="core.dispatch_outbox", slot=timezone.now() - timedelta(days=31))
    recent_run = JobRun.objects.create(job="core.dispatch_outbox", slot=timezone.now() - timedelta(days=29))
    old_result = task_result("SUCCESSFUL", timedelta(days=15))
    old_failure = task_result("FAILED", timedelta(days=15))
    recent_result = task_result("SUCCESSFUL", timedelta(days=13))
    waiting = task_result("READY", None)

    counts = purge_old_records.enqueue().return_value

    assert counts == {"task_results": 2, "outbox": 2, "job_runs": 1}
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {old_pending.pk, recent_sent.pk}
    assert not OutboxMessage.objects.filter(pk__in=[old_sent.pk, old_failed.pk]).exists()
    assert list(JobRun.objects.values_list("pk", flat=True)) == [recent_run.pk]
    assert not JobRun.objects.filter(pk=old_run.pk).exists()
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {recent_result.pk, waiting.pk}
    assert old_result.pk not in remaining and old_failure.pk not in remaining
