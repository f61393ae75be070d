"""Scheduled jobs of the events app: each module registers its own (core.scheduler.register_job)."""

from . import recurrence, reminders  # noqa: F401
