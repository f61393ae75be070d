from django.apps import AppConfig


class ConnectivityConfig(AppConfig):
    name = "sohosolo.connectivity"
    label = "connectivity"
