from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sohosolo.api"
    label = "api"
