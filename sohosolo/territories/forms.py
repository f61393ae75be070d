from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Commune, Territory


class CommuneSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Nom ou code postal"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    epci = forms.ChoiceField(label=_("Intercommunalité"), required=False)

    def __init__(self, *args, territory: Territory, **kwargs):
        super().__init__(*args, **kwargs)
        epcis = (
            Commune.objects.of_territory(territory)
            .exclude(epci_name="")
            .order_by("epci_name")
            .values_list("epci_code", "epci_name")
            .distinct()
        )
        self.fields["epci"].choices = [("", _("Toutes"))] + list(epcis)
