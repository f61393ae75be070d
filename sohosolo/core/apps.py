from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "sohosolo.core"
    label = "core"

    def ready(self) -> None:
        # Every app may register scheduled jobs in its jobs.py.
        autodiscover_modules("jobs")
        # Every write to the database, in every process, makes the signed-in pages' cache unreachable.
        from . import checks  # noqa: F401  (registers the deploy checks)
        from .private_cache import watch_all_connections

        watch_all_connections()
