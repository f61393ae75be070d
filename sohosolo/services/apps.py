from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "sohosolo.services"
    label = "services"
