from datetime import timedelta

from sohosolo.core.scheduler import register_job

from .tasks import expire_due_offers, purge_contact_messages, send_expiry_reminders

register_job(name="housing.expire_due_offers", task=expire_due_offers, every=timedelta(hours=1))
register_job(name="housing.send_expiry_reminders", task=send_expiry_reminders, every=timedelta(hours=1))
register_job(name="housing.purge_contact_messages", task=purge_contact_messages, every=timedelta(days=1))
