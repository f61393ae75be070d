"""Signals other apps listen to (the passport opens when a prospect becomes a candidate, etc.)."""

from django.dispatch import Signal

# Sent inside the transaction of a stage change: sender=Prospect, prospect, from_stage, to_stage, by.
stage_changed = Signal()
# Sent when a prospect is anonymised (erasure or retention): sender=Prospect, prospect.
prospect_anonymised = Signal()
