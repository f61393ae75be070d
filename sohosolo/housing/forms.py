from datetime import datetime, time

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sohosolo.core.forms import honeypot_field, language_name
from sohosolo.core.images import ACCEPT_ATTRIBUTE, ImageRejected, process_upload

from .models import DEFAULT_VALIDITY, MAX_PHOTOS, Kind, Transaction
from .services import EDITABLE_FIELDS, Messages


class HousingOfferForm(forms.Form):
    """The offer's fields, with an optional photo to add; validation only, the services save."""

    village = forms.ModelChoiceField(label=_("Village"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(
        label=_("Type de bien"), choices=[(v, capfirst(label)) for v, label in Kind.choices]
    )
    transaction = forms.ChoiceField(
        label=_("Location ou vente"),
        choices=[(v, capfirst(label)) for v, label in Transaction.choices],
        widget=forms.RadioSelect,
    )
    title_fr = forms.CharField(
        label=_("Titre"),
        max_length=150,
        help_text=_("Par exemple : « Maison de village avec jardin, 3 chambres »."),
    )
    description_fr = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("État, chauffage, extérieur, disponibilité… N'indiquez pas l'adresse exacte."),
    )
    price = forms.IntegerField(
        label=_("Prix (€)"),
        min_value=0,
        max_value=100_000_000,
        help_text=_("Loyer mensuel charges comprises, ou prix de vente, en euros."),
    )
    surface_m2 = forms.IntegerField(label=_("Surface (m²)"), required=False, min_value=1, max_value=1_000_000)
    rooms = forms.IntegerField(label=_("Nombre de pièces"), required=False, min_value=0, max_value=500)
    lat = forms.FloatField(
        label=_("Latitude (facultatif)"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_(
            "Laissez vide pour placer l'offre au centre du village. La position est arrondie à environ "
            "300 m avant d'être enregistrée : l'adresse exacte n'est jamais publiée."
        ),
    )
    lon = forms.FloatField(label=_("Longitude (facultatif)"), required=False, min_value=-180, max_value=180)
    photo = forms.FileField(
        label=_("Ajouter une photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_("JPEG, PNG, WebP ou HEIC, 10 Mo au plus. La position GPS de la photo est effacée."),
    )
    photo_alt = forms.CharField(
        label=_("Description de la photo (texte alternatif)"),
        required=False,
        max_length=200,
        help_text=_(
            "Ce que montre la photo, pour les personnes qui ne la voient pas. Obligatoire avec une photo."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, villages=None, photo_count: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.photo_count = photo_count
        self.processed_photo = None
        self.translation_names = []
        if villages is None:
            del self.fields["village"]
        else:
            self.fields["village"].queryset = villages
        for code, _name in settings.LANGUAGES:
            if code == settings.LANGUAGE_CODE:
                continue
            name = language_name(code)
            self.translation_names += [f"title_{code}", f"description_{code}"]
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Titre (%(language)s)") % {"language": name}, required=False, max_length=150
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def translation_fields(self):
        return [self[name] for name in self.translation_names]

    def translations_open(self) -> bool:
        """Show the translations section unfolded when it holds text or an error."""
        return any(self[name].value() or self[name].errors for name in self.translation_names)

    def main_fields(self):
        apart = {"photo", "photo_alt", "version", "lat", "lon", *self.translation_names}
        return [self[name] for name in self.fields if name not in apart]

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if self.photo_count >= MAX_PHOTOS:
            raise forms.ValidationError(Messages.TOO_MANY_PHOTOS)
        try:
            self.processed_photo = process_upload(upload)
        except ImageRejected as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload

    def clean(self):
        data = super().clean()
        if (
            self.files.get("photo")
            and not (data.get("photo_alt") or "").strip()
            and "photo" not in self.errors
        ):
            self.add_error("photo_alt", Messages.ALT_REQUIRED)
        if (data.get("lat") is None) != (data.get("lon") is None) and not self.has_error("lat"):
            self.add_error("lat", Messages.POSITION_INCOMPLETE)
        return data

    def offer_data(self) -> dict:
        """The cleaned values the services take (EDITABLE_FIELDS)."""
        data = {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS if name in self.fields}
        for name in list(data):
            if name.startswith(("title_", "description_")) and data[name] is None:
                data[name] = ""
        return data


class PublishForm(forms.Form):
    expires_on = forms.DateField(
        label=_("En ligne jusqu'au"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("60 jours par défaut, 180 au plus. Vous serez prévenu par courriel 7 jours avant."),
    )

    @classmethod
    def default_initial(cls) -> dict:
        return {"expires_on": timezone.localdate() + DEFAULT_VALIDITY}

    def expires_at(self):
        """The end of the chosen day, in the site's time zone."""
        day = self.cleaned_data["expires_on"]
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Envoyé par courriel à l'auteur de l'offre, qui pourra la corriger et la republier."),
        error_messages={"required": Messages.REASON_REQUIRED},
    )


class PhotoAltForm(forms.Form):
    alt_text = forms.CharField(
        label=_("Description de la photo (texte alternatif)"),
        max_length=200,
        error_messages={"required": Messages.ALT_REQUIRED},
    )


class ContactForm(forms.Form):
    """A visitor's message to the offer's author. ``website`` is a trap for robots (left empty by people)."""

    name = forms.CharField(
        label=_("Votre nom"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        help_text=_("L'auteur de l'offre vous répondra à cette adresse."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=_("Votre message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    website = honeypot_field()

    def is_robot(self) -> bool:
        return bool((self.data.get("website") or "").strip())
