from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "sohosolo.maps"
    label = "maps"
