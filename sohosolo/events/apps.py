from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "sohosolo.events"
    label = "events"
