from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "sohosolo.services"
    label = "services"

    def ready(self) -> None:
        from . import signals  # noqa: F401
