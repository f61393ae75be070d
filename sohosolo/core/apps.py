from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sohosolo.core"
    label = "core"
