"""Scheduled jobs of the prospects app: each module registers its own (core.scheduler.register_job)."""

from . import followup, imports, retention  # noqa: F401
