from datetime import timedelta

from sohosolo.core.scheduler import register_job

from .tasks import purge_committee_messages

register_job(name="villages.purge_committee_messages", task=purge_committee_messages, every=timedelta(days=1))
