"""Reminders 24 hours before an occurrence, sent exactly once per registration."""
