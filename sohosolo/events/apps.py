from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "sohosolo.events"
    label = "events"

    def ready(self) -> None:
        from . import map_layer, signals  # noqa: F401

        map_layer.register()
