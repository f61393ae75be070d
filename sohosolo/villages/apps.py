from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "sohosolo.villages"
    label = "villages"

    def ready(self) -> None:
        from sohosolo.accounts.models import Role
        from sohosolo.accounts.scopes import register_scope

        from . import signals  # noqa: F401
        from .models import Village

        # Committee members are invited to one village of the territory.
        register_scope(
            role=Role.COMMITTEE,
            model_label="villages.Village",
            label=_("Village"),
            choices=lambda territory: Village.objects.filter(territory=territory).order_by(
                "commune__search_name"
            ),
        )
