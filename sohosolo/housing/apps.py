from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "sohosolo.housing"
    label = "housing"

    def ready(self) -> None:
        from sohosolo.core.images import register_heif_opener

        from . import signals  # noqa: F401

        # Phones' HEIC photos open in Pillow everywhere in the process (forms, admin, scripts).
        register_heif_opener()
