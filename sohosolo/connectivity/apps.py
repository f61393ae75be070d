from django.apps import AppConfig


class ConnectivityConfig(AppConfig):
    name = "sohosolo.connectivity"
    label = "connectivity"

    def ready(self) -> None:
        from . import signals  # noqa: F401
