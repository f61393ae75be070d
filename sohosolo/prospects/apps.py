from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "sohosolo.prospects"
    label = "prospects"

    def ready(self) -> None:
        from . import signals  # noqa: F401
