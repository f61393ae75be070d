from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "sohosolo.partners"
    label = "partners"

    def ready(self) -> None:
        from sohosolo.accounts.models import Role
        from sohosolo.accounts.scopes import register_scope

        from . import map_layer, referrals, signals  # noqa: F401 - referrals: receiver of prospect_anonymised
        from .models import Partner

        # Partner staff are invited to one partner of the territory.
        register_scope(
            role=Role.PARTNER,
            model_label="partners.Partner",
            label=_("Partenaire"),
            choices=lambda territory: Partner.objects.filter(territory=territory).order_by("name"),
        )
        # The "partners" layer of the map (published partners with a position).
        map_layer.register()
