from django_tasks import task

from .services import committee_messages_purge


@task()
def purge_committee_messages() -> int:
    """Retention: delete visitors' messages to committees after a year."""
    return committee_messages_purge()
