from django.apps import AppConfig


class PassportsConfig(AppConfig):
    name = "sohosolo.passports"
    label = "passports"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
