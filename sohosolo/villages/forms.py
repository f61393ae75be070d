import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sohosolo.core.forms import check_honeypot, honeypot_field
from sohosolo.territories.models import Commune

from .images import ACCEPT_ATTRIBUTE, validate_photo
from .models import Village
from .services import MAX_TRAVEL_MINUTES

LANGUAGE_NAMES = {
    "fr": _("en français"),
    "en": _("en anglais"),
    "es": _("en espagnol"),
    "pt": _("en portugais"),
}
OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "fr"]


class VillageFilterForm(forms.Form):
    epci = forms.ChoiceField(label=_("Intercommunalité"), required=False)

    def __init__(self, *args, epcis: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["epci"].choices = [("", _("Toutes"))] + epcis


class ContactForm(forms.Form):
    """A visitor's message to the committee; ``website`` is a honeypot that people never see."""

    name = forms.CharField(
        label=_("Votre nom"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        help_text=_("Le comité vous répond à cette adresse ; elle n'est pas publiée."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=_("Votre message"),
        max_length=5000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    website = honeypot_field()

    def clean(self):
        data = super().clean()
        check_honeypot(
            data,
            _(
                "Le message n'a pas été envoyé : le champ « Ne remplissez pas ce champ », réservé à la détection des robots, a été rempli."
            ),
        )
        return data


class VillageEditForm(forms.Form):
    """The committee's page: presentation and product, in French and optionally in other languages."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    presentation_fr = forms.CharField(
        label=_("Présentation du village"),
        help_text=_("Ce qui fait la vie du village : écoles, associations, paysages, vie économique."),
        max_length=6000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    product_title_fr = forms.CharField(
        label=_("Le produit ou service phare du village"),
        help_text=_("Par exemple : « Le melon de Lectoure » ou « Le festival de jazz »."),
        max_length=150,
        required=False,
    )
    product_text_fr = forms.CharField(
        label=_("Description du produit ou service"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    product_photo = forms.FileField(
        label=_("Photo du produit"),
        help_text=_("JPEG, PNG, WebP ou HEIC, 10 Mo au plus."),
        required=False,
        validators=[validate_photo],
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    product_photo_alt = forms.CharField(
        label=_("Description de la photo du produit"),
        help_text=_("Ce que montre la photo, pour les personnes qui ne la voient pas."),
        max_length=200,
        required=False,
    )
    remove_product_photo = forms.BooleanField(label=_("Retirer la photo actuelle du produit"), required=False)

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        for lang in OTHER_LANGUAGES:
            name = LANGUAGE_NAMES.get(lang, lang)
            self.fields[f"presentation_{lang}"] = forms.CharField(
                label=_("Présentation %(language)s") % {"language": name},
                max_length=6000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.fields[f"product_title_{lang}"] = forms.CharField(
                label=_("Produit ou service phare %(language)s") % {"language": name},
                max_length=150,
                required=False,
            )
            self.fields[f"product_text_{lang}"] = forms.CharField(
                label=_("Description du produit %(language)s") % {"language": name},
                max_length=3000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        if not village.product_photo:
            del self.fields["remove_product_photo"]

    @classmethod
    def initial_for(cls, village: Village) -> dict:
        initial = {"version": village.version, "product_photo_alt": village.product_photo_alt}
        for field in ("presentation", "product_title", "product_text"):
            for lang in ["fr", *OTHER_LANGUAGES]:
                initial[f"{field}_{lang}"] = getattr(village, f"{field}_{lang}") or ""
        return initial

    def translation_fields(self):
        return [self[name] for name in self.fields if name.rsplit("_", 1)[-1] in OTHER_LANGUAGES]

    def translations_open(self) -> bool:
        """Show the translations when some are filled in or wrong."""
        return any(field.value() or field.errors for field in self.translation_fields())

    def clean(self):
        data = super().clean()
        if self.village.status == "published" and not (data.get("presentation_fr") or "").strip():
            self.add_error(
                "presentation_fr",
                _("Le village est publié : sa présentation en français ne peut pas être vide."),
            )
        keeps_photo = bool(self.village.product_photo) and not data.get("remove_product_photo")
        if (data.get("product_photo") or keeps_photo) and not (data.get("product_photo_alt") or "").strip():
            self.add_error("product_photo_alt", _("Décrivez la photo du produit en quelques mots."))
        return data

    def text_data(self) -> dict:
        """The text fields to save, blank translations stored empty (the page falls back to French)."""
        names = [n for n in self.fields if n not in ("version", "product_photo", "remove_product_photo")]
        return {name: (self.cleaned_data.get(name) or "").strip() for name in names}


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG, WebP ou HEIC, 10 Mo au plus."),
        validators=[validate_photo],
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    alt_text = forms.CharField(
        label=_("Description de la photo"),
        help_text=_(
            "Ce que montre la photo, pour les personnes qui ne la voient pas. Par exemple : « La halle et la place du marché »."
        ),
        max_length=200,
    )


class TravelTimesForm(forms.Form):
    """One optional field per main city: the committee's measured time, blank to show the estimate."""

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.cities = []
        for index, row in enumerate(village.travel_times()):
            name = f"city_{index}"
            self.cities.append((name, row["city"]))
            self.fields[name] = forms.IntegerField(
                label=_("Vers %(city)s (minutes)") % {"city": row["city"]},
                help_text=_("Estimation : %(minutes)s min. Laissez vide pour afficher l'estimation.")
                % {"minutes": row["estimate"]},
                required=False,
                min_value=1,
                max_value=MAX_TRAVEL_MINUTES,
                initial=row["minutes"] if row["measured"] else None,
            )

    def minutes_by_city(self) -> dict:
        return {city: self.cleaned_data.get(name) for name, city in self.cities}


class VillageCreateForm(forms.Form):
    commune = forms.CharField(
        label=_("Commune"),
        help_text=_(
            "Tapez le début du nom puis choisissez dans la liste ; seules les communes sans village sont proposées."
        ),
        max_length=150,
        widget=forms.TextInput(attrs={"list": "commune-choices", "autocomplete": "off"}),
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory

    def available(self):
        return Commune.objects.of_territory(self.territory).filter(village__isnull=True).only("code", "name")

    def clean_commune(self):
        value = self.cleaned_data["commune"].strip()
        match = re.search(r"\((\w+)\)\s*$", value)
        communes = self.available()
        if match:
            found = list(communes.filter(code=match.group(1)))
        else:
            found = list(communes.filter(name__iexact=value))
        if len(found) != 1:
            if (
                Commune.objects.of_territory(self.territory)
                .filter(village__isnull=False, name__iexact=value.split(" (")[0])
                .exists()
            ):
                raise forms.ValidationError(_("Cette commune est déjà un village d'accueil."))
            raise forms.ValidationError(
                _(
                    "Aucune commune du territoire sans village ne correspond à « %(value)s ». Choisissez-la dans la liste."
                )
                % {"value": value}
            )
        return found[0]


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la dépublication"),
        help_text=_("Envoyé par courriel au comité d'accueil du village."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
