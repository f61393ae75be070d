from django import forms
from django.utils.translation import gettext_lazy as _

from sohosolo.housing.models import Kind, Transaction
from sohosolo.territories.models import Territory

from .filters import TRAVEL_MINUTES_CHOICES, FilterError, MapFilters, main_city_names


def _checkbox() -> forms.CheckboxInput:
    """A checkbox that submits "1" (short, readable URLs to share), not "on"."""
    return forms.CheckboxInput(attrs={"value": "1"})


class MapFilterForm(forms.Form):
    """The filters of /carte/, read from the query string (same names as /api/v1/map)."""

    fibre = forms.BooleanField(label=_("Fibre disponible"), required=False, widget=_checkbox())
    school = forms.BooleanField(
        label=_("Une école primaire dans la commune"), required=False, widget=_checkbox()
    )
    doctor = forms.BooleanField(label=_("Un médecin dans la commune"), required=False, widget=_checkbox())
    max_minutes = forms.TypedChoiceField(
        label=_("Temps de trajet maximal"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Indifférent"))]
        + [(m, _("%(minutes)s min au plus") % {"minutes": m}) for m in TRAVEL_MINUTES_CHOICES],
    )
    city = forms.ChoiceField(label=_("Vers la ville"), required=False)
    kind = forms.ChoiceField(
        label=_("Type de bien"), required=False, choices=[("", _("Tous les types"))] + Kind.choices
    )
    transaction = forms.ChoiceField(
        label=_("Location ou achat"),
        required=False,
        choices=[
            ("", _("Location ou achat")),
            (Transaction.RENT, _("Location")),
            (Transaction.SALE, _("Achat")),
        ],
    )
    max_price = forms.IntegerField(
        label=_("Prix maximal (€)"),
        required=False,
        min_value=0,
        max_value=100_000_000,
        help_text=_("Loyer mensuel ou prix de vente."),
    )

    def __init__(self, *args, territory: Territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        cities = main_city_names(territory)
        self.fields["city"].choices = [(name, name) for name in cities]
        self.fields["city"].initial = cities[0] if cities else ""
        if not cities:
            del self.fields["max_minutes"], self.fields["city"]
        self.fields["max_price"].widget.attrs.update({"inputmode": "numeric", "step": "1"})

    def clean(self):
        data = super().clean()
        if data.get("max_minutes") is not None and not data.get("city"):
            self.add_error("city", _("Choisissez la ville vers laquelle compter le temps de trajet."))
        return data

    def to_filters(self) -> MapFilters:
        """The filters of a valid form; an unbound or invalid form filters nothing."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        try:
            return MapFilters(
                territory=self.territory,
                fibre=data.get("fibre", False),
                primary_school=data.get("school", False),
                doctor=data.get("doctor", False),
                city=data.get("city") or "",
                max_minutes=data.get("max_minutes"),
                housing_kind=data.get("kind") or "",
                transaction=data.get("transaction") or "",
                max_price=data.get("max_price"),
            )
        except FilterError:
            return MapFilters(territory=self.territory)
