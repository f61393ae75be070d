"""A real task worker process (`manage.py db_worker`) sends the outbox: stopped in the middle of its
queue and replaced by a second worker, with the dispatcher re-enqueuing pending messages meanwhile,
every message still leaves exactly once."""

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from sohosolo.core.models import OutboxMessage, OutboxStatus
from sohosolo.core.outbox import outbox_store
from sohosolo.core.tasks import dispatch_outbox

MESSAGES = 20
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DEADLINE_SECONDS = 60


def database_url() -> str:
    """The URL of the test database this test process uses, for the worker subprocess."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db.get("HOST") or "localhost"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{credentials}@{host}{port}/{db['NAME']}"
    pytest.skip(f"no worker URL for {connection.vendor}")


def start_worker(email_dir: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.core.worker_settings",
        "DATABASE_URL": database_url(),
        "WORKER_EMAIL_FILE_PATH": str(email_dir),
        "WORKER_EMAIL_DELAY": "0.15",  # a slow mail server: the queue takes seconds to drain
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def sent_count() -> int:
    return OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()


def wait_for(condition, worker: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}:\n{log.read_text()}")
        time.sleep(0.05)  # polling the database, not waiting for an outcome


def stop(worker: subprocess.Popen) -> int:
    """SIGTERM: the worker finishes the task in hand and exits (no message left half-sent)."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            return worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
            raise
    return worker.returncode


def message_ids_in(email_dir: Path) -> list[str]:
    """The Message-ID header of every email the file backend wrote (several per file possible)."""
    ids = []
    for path in sorted(email_dir.glob("*.log")):
        separator = "-" * 79
        for chunk in path.read_text().split(separator):
            if chunk.strip():
                ids.append(email.message_from_string(chunk.lstrip("\n"))["Message-ID"])
    return ids


@pytest.mark.django_db(transaction=True)
def test_a_worker_stopped_midway_and_a_second_worker_send_every_message_exactly_once(tmp_path):
    email_dir = tmp_path / "mail"
    email_dir.mkdir()
    log = tmp_path / "worker.log"
    with override_settings(TASKS=DATABASE_TASKS):
        messages = [
            outbox_store(
                to=f"personne{i}@exemple.fr",
                subject=f"Message {i}",
                text=f"Bonjour {i}",
                html="",
                language="fr",
            )
            for i in range(MESSAGES)
        ]
    # Each commit enqueued one task in the database queue; nothing was sent in this process.
    assert (
        DBTaskResult.objects.filter(status="READY", task_path__endswith="send_outbox_message").count()
        == MESSAGES
    )

    workers: list[subprocess.Popen] = []
    try:
        first = start_worker(email_dir, log)
        workers.append(first)
        wait_for(lambda: sent_count() >= 3, first, log, "the first worker sent 3 messages")
        assert stop(first) == 0, log.read_text()

        sent_by_first = sent_count()
        assert 3 <= sent_by_first < MESSAGES
        # Graceful stop: no message is left half-sent. django-tasks-db may leave one task row
        # "RUNNING" when SIGTERM lands between its claim and the start of the task (the worker
        # exits at once when no task is running); that task never started, so its message is
        # still pending and the dispatcher below enqueues it again.
        assert not OutboxMessage.objects.filter(status=OutboxStatus.SENDING).exists()
        stale = set(DBTaskResult.objects.filter(status="RUNNING").values_list("pk", flat=True))
        assert len(stale) <= 1

        # The dispatcher (run by the scheduler every minute) enqueues the pending messages again:
        # those now have two tasks each in the queue.
        with override_settings(TASKS=DATABASE_TASKS):
            duplicates = dispatch_outbox.call()
        assert duplicates == MESSAGES - sent_by_first

        second = start_worker(email_dir, log)
        workers.append(second)
        wait_for(
            lambda: (
                not DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"])
                .exclude(pk__in=stale)
                .exists()
            ),
            second,
            log,
            "the second worker emptied the queue",
        )
        assert stop(second) == 0, log.read_text()
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)

    assert sent_count() == MESSAGES
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == MESSAGES + duplicates - len(stale)
    written = message_ids_in(email_dir)
    counts = Counter(written)
    assert len(written) == MESSAGES, log.read_text()
    assert set(counts.values()) == {1}
    assert set(counts) == {m.message_id for m in messages}
