from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sohosolo.accounts"
    label = "accounts"
