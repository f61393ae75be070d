from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "sohosolo.territories"
    label = "territories"
