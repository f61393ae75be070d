from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "sohosolo.content"
    label = "content"
