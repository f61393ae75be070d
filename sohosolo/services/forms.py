from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Service, Weekday
from .services import ServiceData


class CoordinateField(forms.FloatField):
    """Decimal degrees, typed with a comma or a dot (French users type 43,6465)."""

    widget = forms.TextInput

    def __init__(self, *, low: float, high: float, **kwargs):
        super().__init__(min_value=low, max_value=high, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # A text field (not type=number) so a comma is accepted; the mobile keyboard still shows digits.
        attrs.pop("min", None)
        attrs.pop("max", None)
        attrs.pop("step", None)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"})
        return attrs


class ServiceForm(forms.ModelForm):
    category = forms.ChoiceField(label=_("Catégorie"), choices=[("", "—"), *Category.choices])
    market_day = forms.TypedChoiceField(
        label=_("Jour de marché"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Obligatoire pour un marché."),
    )
    lat = CoordinateField(
        label=_("Latitude"), low=-90, high=90, help_text=_("En degrés décimaux, par exemple 43,6465.")
    )
    lon = CoordinateField(
        label=_("Longitude"), low=-180, high=180, help_text=_("En degrés décimaux, par exemple 0,5855.")
    )
    website = forms.URLField(
        label=_("Site web"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Par exemple : https://www.exemple.fr"),
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Service
        fields = [
            "category",
            "name",
            "address",
            "opening_hours",
            "market_day",
            "phone",
            "website",
            "lat",
            "lon",
        ]
        labels = {
            "name": _("Nom"),
            "address": _("Adresse"),
            "opening_hours": _("Horaires d'ouverture"),
            "phone": _("Téléphone"),
        }
        help_texts = {
            "opening_hours": _("Par exemple : du lundi au vendredi 8 h 30 – 12 h, 14 h – 19 h."),
        }
        widgets = {
            "address": forms.TextInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def _post_clean(self):
        # The business rules (position in the commune, market day) are the service layer's: the form
        # only checks types, so it does not run the model's validation here.
        pass

    def service_data(self) -> ServiceData:
        data = self.cleaned_data
        return ServiceData(
            category=data["category"],
            name=data["name"],
            lat=data["lat"],
            lon=data["lon"],
            address=data["address"],
            market_day=data["market_day"],
            opening_hours=data["opening_hours"],
            phone=data["phone"],
            website=data["website"],
        )

    @property
    def position_fields(self):
        return [self["lat"], self["lon"]]

    @property
    def detail_fields(self):
        return [
            self[name]
            for name in ("category", "name", "address", "opening_hours", "market_day", "phone", "website")
        ]
