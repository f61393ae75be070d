"""Open the passport when a prospect becomes a candidate; revoke it when lost or anonymised."""

from django.dispatch import receiver

from sohosolo.prospects.models import Stage
from sohosolo.prospects.signals import prospect_anonymised, stage_changed

from .services import passport_open, passport_revoke


@receiver(stage_changed, dispatch_uid="passports.stage_changed")
def on_stage_changed(sender, prospect, from_stage, to_stage, by=None, **kwargs):
    if to_stage == Stage.CANDIDATE and from_stage in (Stage.QUALIFIED, Stage.CONTACT, Stage.LOST):
        passport_open(prospect=prospect, by=by)
    elif to_stage == Stage.LOST:
        passport_revoke(prospect=prospect, reason="lost", by=by)


@receiver(prospect_anonymised, dispatch_uid="passports.prospect_anonymised")
def on_prospect_anonymised(sender, prospect, **kwargs):
    passport_revoke(prospect=prospect, reason="erased")
