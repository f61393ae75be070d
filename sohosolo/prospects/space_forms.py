"""Forms of "Mon espace" for a prospect: their project, and their consents."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sohosolo.villages.models import PublicationStatus, Village

from .models import CONSENT_FIELDS, ConsentPurpose, Need, Prospect, normalise_phone

# The fields a prospect edits themselves (villages are saved apart: a many-to-many relation).
PROJECT_FIELDS = (
    "adults",
    "children",
    "children_ages",
    "timing",
    "anywhere",
    "villages",
    "needs",
    "activity",
    "sector",
    "work_status",
    "current_location",
    "phone",
    "message",
)

HOUSEHOLD_FIELDS = ("adults", "children", "children_ages")
WORK_FIELDS = ("activity", "sector", "work_status")
CONTACT_FIELDS = ("current_location", "phone", "message")


class VillageChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Village) -> str:
        return obj.commune.name


class ProjectForm(forms.ModelForm):
    """The prospect's own project; ``version`` carries the optimistic lock (core.locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    adults = forms.IntegerField(label=_("Nombre d'adultes"), min_value=0, max_value=20, required=False)
    children = forms.IntegerField(label=_("Nombre d'enfants"), min_value=0, max_value=20, required=False)
    children_ages = forms.CharField(
        label=_("Âges des enfants"),
        max_length=60,
        required=False,
        help_text=_("Par exemple : 4 et 9 ans."),
    )
    anywhere = forms.BooleanField(
        label=_("Je suis ouvert·e à n'importe quel village du territoire"), required=False
    )
    villages = VillageChoiceField(
        label=_("Les villages qui vous intéressent"),
        queryset=Village.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    needs = forms.MultipleChoiceField(
        label=_("Ce dont vous aurez besoin"),
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    activity = forms.CharField(
        label=_("Votre activité"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : graphiste, développeuse web, menuisier."),
    )
    current_location = forms.CharField(
        label=_("Où vivez-vous aujourd'hui ?"),
        max_length=150,
        required=False,
        help_text=_("Ville et pays."),
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    message = forms.CharField(
        label=_("Votre message aux conseillers"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    class Meta:
        model = Prospect
        fields = PROJECT_FIELDS
        labels = {
            "timing": _("Quand pensez-vous vous installer ?"),
            "sector": _("Secteur d'activité"),
            "work_status": _("Votre situation professionnelle"),
        }

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.instance.villages.all() if self.instance.pk else Village.objects.none()
        # Published villages of the territory, and those already chosen (even if unpublished since,
        # so that saving the form never drops them silently).
        self.fields["villages"].queryset = (
            Village.objects.filter(
                Q(territory=territory, status=PublicationStatus.PUBLISHED) | Q(pk__in=chosen.values("pk"))
            )
            .select_related("commune")
            .order_by("commune__name")
            .distinct()
        )
        for name in ("timing", "sector", "work_status"):
            self.fields[name].choices = [("", _("— Choisir —")), *self.fields[name].choices[1:]]
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["current_location"].widget.attrs["autocomplete"] = "address-level2"
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not 8 <= len(normalise_phone(phone)) <= 15:
            raise forms.ValidationError(_("Ce numéro de téléphone semble incomplet."))
        return phone

    def clean_needs(self) -> list[str]:
        return [value for value in Need.values if value in self.cleaned_data["needs"]]

    def household_fields(self):
        return [self[name] for name in HOUSEHOLD_FIELDS]

    def work_fields(self):
        return [self[name] for name in WORK_FIELDS]

    def contact_fields(self):
        return [self[name] for name in CONTACT_FIELDS]


YES_NO = [("yes", _("Oui")), ("no", _("Non"))]

# What each consent covers, in plain words (the purposes a prospect manages in "Mon espace").
CONSENT_TEXTS = {
    ConsentPurpose.CONTACT: {
        "label": _("Être contacté·e par les conseillers du territoire"),
        "help": _(
            "Les conseillers vous appellent ou vous écrivent pour vous accompagner dans votre projet : "
            "villages, logement, locaux, démarches."
        ),
        "withdrawal": _(
            "Si vous répondez non, les conseillers ne vous contacteront plus. Votre projet reste enregistré "
            "et vous pouvez changer d'avis à tout moment. Pour effacer vos données, utilisez « Effacer mes "
            "données »."
        ),
    },
    ConsentPurpose.SHARE_VILLAGES: {
        "label": _("Partager mon projet avec les villages que j'ai choisis"),
        "help": _(
            "Les comités d'accueil des villages choisis voient votre nom, le résumé de votre projet, "
            "votre échéance, votre foyer, votre adresse e-mail et votre téléphone, pour vous accueillir."
        ),
        "withdrawal": _("Si vous répondez non, les comités des villages ne verront plus votre projet."),
    },
    ConsentPurpose.NEWSLETTER: {
        "label": _("Recevoir la lettre d'information"),
        "help": _("Des nouvelles du territoire : villages, rencontres, offres de logement et de locaux."),
        "withdrawal": _("Si vous répondez non, vous ne recevrez plus la lettre."),
    },
}

SPACE_CONSENTS = (ConsentPurpose.CONTACT, ConsentPurpose.SHARE_VILLAGES, ConsentPurpose.NEWSLETTER)


class ConsentsForm(forms.Form):
    """One yes/no choice per consent the prospect manages; initial values are the current state."""

    contact = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    share_villages = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    newsletter = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)

    def __init__(self, *args, prospect: Prospect, **kwargs):
        super().__init__(*args, **kwargs)
        for purpose in SPACE_CONSENTS:
            field = self.fields[purpose.value]
            field.label = CONSENT_TEXTS[purpose]["label"]
            field.error_messages["required"] = _("Répondez oui ou non.")
            self.initial[purpose.value] = "yes" if self.current(prospect, purpose) else "no"

    @staticmethod
    def current(prospect: Prospect, purpose: str) -> bool:
        return bool(getattr(prospect, CONSENT_FIELDS[purpose]))

    def choices(self) -> dict[str, bool]:
        """purpose -> granted, as answered."""
        return {purpose.value: self.cleaned_data[purpose.value] == "yes" for purpose in SPACE_CONSENTS}
