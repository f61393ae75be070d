from datetime import timedelta

from .scheduler import register_job
from .tasks import dispatch_outbox, purge_old_records

register_job(name="core.dispatch_outbox", task=dispatch_outbox, every=timedelta(minutes=1))
register_job(name="core.purge_old_records", task=purge_old_records, every=timedelta(days=1))
