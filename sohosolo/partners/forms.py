"""Forms of the partners' pages: type checks and labels only; the rules are in services.py."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sohosolo.core.forms import TranslationsMixin
from sohosolo.core.images import ACCEPT_ATTRIBUTE
from sohosolo.services.forms import CoordinateField
from sohosolo.territories.models import Commune

from .models import Offer, Partner, PartnerKind
from .services import OFFER_FIELDS, PARTNER_FIELDS, Messages

MAX_USES = 100


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Commune) -> str:
        postcode = (obj.postcodes or [""])[0]
        return f"{obj.name} ({postcode})" if postcode else obj.name


class PartnerForm(TranslationsMixin, forms.Form):
    translated = (("description", _("Description"), {"widget": forms.Textarea(attrs={"rows": 4})}),)

    name = forms.CharField(
        label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", "—"), *((k.value, capfirst(k.label)) for k in PartnerKind)]
    )
    description_fr = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Ce que le partenaire fait pour les nouveaux arrivants, en quelques phrases."),
    )
    address = forms.CharField(
        label=_("Adresse"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Par exemple : 1 place de la Mairie."),
    )
    commune = CommuneChoiceField(
        label=_("Commune"), queryset=Commune.objects.none(), required=False, empty_label="—"
    )
    lat = CoordinateField(
        label=_("Latitude"),
        low=-90,
        high=90,
        required=False,
        help_text=_("En degrés décimaux, par exemple 43,6465. Vide : le centre de la commune."),
    )
    lon = CoordinateField(
        label=_("Longitude"),
        low=-180,
        high=180,
        required=False,
        help_text=_("En degrés décimaux, par exemple 0,5855."),
    )
    website = forms.URLField(
        label=_("Site web"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Par exemple : https://www.exemple.fr"),
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail de contact"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("Publiée sur la page du partenaire."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_(
            "JPEG, PNG, WebP ou HEIC, 10 Mo au plus. L'image est réduite à 600 pixels au plus et sa position GPS effacée."
        ),
    )
    remove_logo = forms.BooleanField(label=_("Retirer le logo actuel"), required=False)
    is_published = forms.BooleanField(
        label=_("Visible dans l'annuaire public et sur la carte"), required=False, initial=True
    )

    def __init__(self, *args, territory, instance: Partner | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in PARTNER_FIELDS}
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["commune"].queryset = Commune.objects.of_territory(territory).only(
            "pk", "name", "postcodes", "search_name", "code"
        )
        if instance is None or not instance.logo:
            del self.fields["remove_logo"]
        self._add_translations()

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None) and not self.has_error("lat"):
            self.add_error("lat", Messages.POSITION_INCOMPLETE)
        return data

    def partner_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PARTNER_FIELDS}

    def identity_fields(self):
        return [self[name] for name in ("name", "kind", "description_fr")]

    def contact_fields(self):
        return [self[name] for name in ("address", "commune", "website", "phone", "email")]

    def position_fields(self):
        return [self["lat"], self["lon"]]


class OfferForm(TranslationsMixin, forms.Form):
    translated = (
        ("title", _("Titre"), {"max_length": 150}),
        ("description", _("Description"), {"widget": forms.Textarea(attrs={"rows": 3})}),
        ("conditions", _("Conditions"), {"widget": forms.Textarea(attrs={"rows": 3})}),
    )

    title_fr = forms.CharField(
        label=_("Titre"),
        max_length=150,
        help_text=_("Par exemple : « Première consultation gratuite »."),
        error_messages={"required": Messages.TITLE_REQUIRED},
    )
    description_fr = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    conditions_fr = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : sur rendez-vous, pour une création d'entreprise dans le territoire."),
    )
    valid_from = forms.DateField(
        label=_("Valable à partir du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Vide : dès maintenant."),
    )
    valid_until = forms.DateField(
        label=_("Valable jusqu'au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Vide : sans date de fin."),
    )
    uses_per_passport = forms.IntegerField(
        label=_("Utilisations par passeport"),
        min_value=1,
        max_value=MAX_USES,
        initial=1,
        help_text=_("Combien de fois un même titulaire du passeport peut en profiter (1 au moins)."),
        error_messages={"min_value": Messages.USES_MIN},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    is_active = forms.BooleanField(
        label=_("Offre active (proposée aux titulaires du passeport)"), required=False, initial=True
    )

    def __init__(self, *args, instance: Offer | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in OFFER_FIELDS}
        super().__init__(*args, **kwargs)
        self.instance = instance
        self._add_translations()

    def clean(self):
        data = super().clean()
        since, until = data.get("valid_from"), data.get("valid_until")
        if since and until and until < since:
            from django.utils.formats import date_format

            self.add_error(
                "valid_until",
                Messages.DATES_REVERSED
                % {
                    "until": date_format(until, "SHORT_DATE_FORMAT"),
                    "since": date_format(since, "SHORT_DATE_FORMAT"),
                },
            )
        return data

    def offer_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in OFFER_FIELDS}

    def main_fields(self):
        return [self[name] for name in ("title_fr", "description_fr", "conditions_fr")]

    def rule_fields(self):
        return [self[name] for name in ("valid_from", "valid_until", "uses_per_passport", "is_active")]
