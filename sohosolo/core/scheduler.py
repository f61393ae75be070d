"""Time-driven jobs (design §9): each (job, time slot) is enqueued at most once.

Apps register jobs in their ``jobs.py`` (imported at start-up). ``scheduler_tick`` inserts a JobRun
row for the current slot and enqueues the task in the same transaction: the unique (job, slot)
constraint makes a second scheduler, or the same one after a restart, skip a slot already taken.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from .models import JobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: Task
    every: timedelta


REGISTRY: dict[str, Job] = {}


def register_job(*, name: str, task: Task, every: timedelta) -> Job:
    if every < timedelta(minutes=1):
        raise ValueError("A job runs at most once a minute.")
    job = Job(name=name, task=task, every=every)
    REGISTRY[name] = job
    return job


def slot_for(now: datetime, every: timedelta) -> datetime:
    """The start of the slot containing `now`, slots aligned on the Unix epoch in UTC."""
    step = int(every.total_seconds())
    seconds = int(now.timestamp()) // step * step
    return datetime.fromtimestamp(seconds, tz=UTC)


def scheduler_tick(*, now: datetime | None = None, scheduler_id: str = "") -> list[str]:
    """Enqueue every job whose current slot has not been taken yet; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in REGISTRY.values():
        slot = slot_for(now, job.every)
        try:
            with transaction.atomic():
                JobRun.objects.create(job=job.name, slot=slot, scheduler_id=scheduler_id)
                job.task.enqueue()
        except IntegrityError:
            continue  # another scheduler (or an earlier run of this one) took this slot
        logger.info("scheduler: enqueued %s for slot %s", job.name, slot.isoformat())
        enqueued.append(job.name)
    return enqueued
