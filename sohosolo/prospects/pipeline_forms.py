"""Forms of the advisor's prospect page: activities, next action, assignment, transitions, edition and
manual creation. Validation only: the writes go through ``services`` (and ``views.prospect``)."""

import re
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from sohosolo.accounts.models import STAFF_ROLES, User
from sohosolo.territories.models import Commune
from sohosolo.villages.models import Village

from .models import (
    MANUAL_KINDS,
    ActivityCreated,
    ActivityKind,
    Channel,
    ConsentPurpose,
    HelpfulAction,
    LostReason,
    Need,
    Outcome,
    Prospect,
    Stage,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

# Channels an advisor records by hand (the site's form and the file import have their own paths).
MANUAL_CHANNELS = [Channel.PHONE, Channel.FAIR, Channel.PAPER, Channel.WALK_IN, Channel.EMAIL, Channel.OTHER]

# The first activity of a contact created by hand, by channel.
CHANNEL_ACTIVITY = {
    Channel.PHONE: ActivityKind.CALL,
    Channel.WALK_IN: ActivityKind.VISIT,
    Channel.FAIR: ActivityKind.EVENT,
    Channel.EMAIL: ActivityKind.EMAIL,
}

# Purposes an advisor records when creating a contact: the field name and its label.
CONSENT_QUESTIONS = [
    ("consent_contact", ConsentPurpose.CONTACT),
    ("consent_share_villages", ConsentPurpose.SHARE_VILLAGES),
    ("consent_newsletter", ConsentPurpose.NEWSLETTER),
]
NOT_ASKED = "unknown"


def _choices(choices, blank=None):
    options = [(value, capfirst(label)) for value, label in choices]
    return ([("", blank)] if blank is not None else []) + options


def staff_of(territory):
    """Users holding a staff role (advisor, territory admin) in the territory."""
    return (
        User.objects.filter(memberships__territory=territory, memberships__role__in=STAFF_ROLES)
        .only("id", "first_name", "last_name", "email")
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def person_name(user) -> str:
    return (user.get_full_name() or user.email) if user else ""


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


def local_now() -> datetime:
    return timezone.localtime()


class ActivityForm(forms.Form):
    """A call, an email, a meeting, a note or a visit, optionally with the next action."""

    kind = forms.ChoiceField(
        label=_("Type d'action"),
        choices=[(kind.value, capfirst(kind.label)) for kind in MANUAL_KINDS],
        widget=forms.RadioSelect,
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    occurred_time = forms.TimeField(label=_("Heure"), widget=TIME_WIDGET)
    outcome = forms.ChoiceField(
        label=_("Résultat"), choices=_choices(Outcome.choices, blank=_("— Non précisé —")), required=False
    )
    text = forms.CharField(
        label=_("Compte rendu"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatoire pour une note."),
    )
    next_action_on = forms.DateField(
        label=_("Prochaine action le (facultatif)"), required=False, widget=DATE_WIDGET
    )
    next_action = forms.CharField(label=_("Prochaine action (facultatif)"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        now = local_now()
        kwargs.setdefault("initial", {"occurred_on": now.date(), "occurred_time": now.strftime("%H:%M")})
        kwargs.setdefault("prefix", "activity")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        on, at = data.get("occurred_on"), data.get("occurred_time")
        if on and at:
            occurred = timezone.make_aware(datetime.combine(on, at))
            if occurred > timezone.now() + timedelta(minutes=5):
                self.add_error(
                    "occurred_on",
                    _("Cette date est dans le futur : pour planifier, indiquez plutôt la prochaine action."),
                )
            data["occurred_at"] = occurred
        if data.get("kind") == ActivityKind.NOTE and not (data.get("text") or "").strip():
            self.add_error("text", _("Écrivez le contenu de la note."))
        _check_next_action(self, data)
        return data


def _check_next_action(form, data) -> None:
    """The next action needs both a date and what to do: nothing typed is silently dropped."""
    on, what = data.get("next_action_on"), (data.get("next_action") or "").strip()
    if what and not on and "next_action_on" not in form.errors:
        form.add_error("next_action_on", _("Indiquez la date de la prochaine action."))
    if on and not what:
        form.add_error("next_action", _("Dites quelle est la prochaine action."))
    if on and on < timezone.localdate() - timedelta(days=1) and "next_action_on" not in form.errors:
        form.add_error("next_action_on", _("Cette date est passée."))


class NextActionForm(forms.Form):
    next_action_on = forms.DateField(
        label=_("Le"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Laissez vide pour n'en prévoir aucune."),
    )
    next_action = forms.CharField(label=_("Quoi"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "next")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        _check_next_action(self, data)
        return data


class AssignForm(forms.Form):
    advisor = StaffChoiceField(
        label=_("Conseiller"), queryset=User.objects.none(), required=False, empty_label=_("— Personne —")
    )

    def __init__(self, *args, territory, **kwargs):
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        self.fields["advisor"].queryset = staff_of(territory)
        self.fields["advisor"].error_messages["invalid_choice"] = _(
            "Choisissez un conseiller de ce territoire dans la liste."
        )


class TransitionForm(forms.Form):
    """Move to a stage that needs nothing more than an optional note."""

    to = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (facultative)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LostForm(forms.Form):
    to = forms.ChoiceField(choices=[(Stage.LOST, Stage.LOST.label)], widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        label=_("Motif de la perte"), choices=_choices(LostReason.choices), widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatoire pour le motif « autre »."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == LostReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Précisez le motif « autre » dans la note."))
        return data


YES_NO = [("yes", _("oui")), ("no", _("non"))]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class CommuneField(forms.CharField):
    """A commune of the territory, typed as "Name (code)" with the help of a datalist (458 in the Gers)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 160)
        kwargs.setdefault("widget", forms.TextInput(attrs={"list": "commune-choices", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)
        self.territory = None

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return f"{value.name} ({value.code})"
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        communes = Commune.objects.of_territory(self.territory)
        match = re.search(r"\((\w+)\)\s*$", value.strip())
        if match:
            found = list(communes.filter(code=match.group(1)))
        else:
            found = list(communes.filter(name__iexact=value.strip()))
        if len(found) != 1:
            raise forms.ValidationError(
                _("Aucune commune du territoire ne correspond à « %(value)s ». Choisissez-la dans la liste.")
                % {"value": value},
                code="invalid_commune",
            )
        return found[0]


class InstalledForm(forms.Form):
    """What the funders' figures count, asked when a prospect is marked installed."""

    to = forms.ChoiceField(choices=[(Stage.INSTALLED, Stage.INSTALLED.label)], widget=forms.HiddenInput)
    installed_commune = CommuneField(
        label=_("Commune d'installation"),
        help_text=_("Tapez le début du nom puis choisissez dans la liste."),
    )
    installed_on = forms.DateField(label=_("Date d'installation"), widget=DATE_WIDGET)
    installed_adults = forms.IntegerField(label=_("Adultes installés"), min_value=0, max_value=20)
    installed_children = forms.IntegerField(label=_("Enfants installés"), min_value=0, max_value=30)
    activity_created = forms.ChoiceField(
        label=_("Activité professionnelle"),
        choices=_choices(ActivityCreated.choices),
        widget=forms.RadioSelect,
    )
    jobs_created = forms.IntegerField(
        label=_("Emplois créés"),
        min_value=0,
        max_value=999,
        help_text=_("Y compris le sien ; 0 si aucun."),
    )
    first_contact_before_move = forms.ChoiceField(
        label=_("Le premier contact avec le programme a-t-il eu lieu avant le déménagement ?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    helpful_actions = forms.MultipleChoiceField(
        label=_("Qu'est-ce qui a aidé à l'installation ?"),
        choices=_choices(HelpfulAction.choices),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Plusieurs réponses possibles ; ne cochez rien si aucune."),
    )
    note = forms.CharField(
        label=_("Note (facultative)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["installed_commune"].territory = territory

    @classmethod
    def initial_for(cls, prospect: Prospect) -> dict:
        """What is already known: earlier answers, else the household of the project."""
        adults = prospect.installed_adults if prospect.installed_adults is not None else prospect.adults
        children = (
            prospect.installed_children if prospect.installed_children is not None else prospect.children
        )
        before = prospect.first_contact_before_move
        return {
            "to": Stage.INSTALLED,
            "installed_commune": prospect.installed_commune,
            "installed_on": prospect.installed_on,
            "installed_adults": adults,
            "installed_children": children,
            "activity_created": prospect.activity_created,
            "jobs_created": prospect.jobs_created,
            "first_contact_before_move": "" if before is None else ("yes" if before else "no"),
            "helpful_actions": prospect.helpful_actions or [],
        }

    def clean_installed_on(self):
        value = self.cleaned_data["installed_on"]
        if value and value > timezone.localdate() + timedelta(days=1):
            raise forms.ValidationError(_("Cette date est dans le futur."))
        return value

    def installation(self) -> dict:
        data = self.cleaned_data
        return {
            "installed_commune": data.get("installed_commune"),
            "installed_on": data.get("installed_on"),
            "installed_adults": data.get("installed_adults"),
            "installed_children": data.get("installed_children"),
            "activity_created": data.get("activity_created") or "",
            "jobs_created": data.get("jobs_created"),
            "first_contact_before_move": _yes_no(data.get("first_contact_before_move")),
            "helpful_actions": list(data.get("helpful_actions") or []),
        }


def _language_choices():
    return [(code, capfirst(get_language_info(code)["name_local"])) for code, _name in settings.LANGUAGES]


PROJECT_FIELDS = [
    "activity",
    "sector",
    "work_status",
    "adults",
    "children",
    "children_ages",
    "timing",
    "villages",
    "anywhere",
    "needs",
    "message",
    "heard_from",
    "heard_from_detail",
]
IDENTITY_FIELDS = ["first_name", "last_name", "email", "phone", "current_location", "language"]


class ProspectFieldsForm(forms.ModelForm):
    """Identity and project of a prospect, as an advisor types or corrects them."""

    language = forms.ChoiceField(label=_("Langue des échanges"), choices=_language_choices)
    needs = forms.MultipleChoiceField(
        label=_("Besoins"),
        choices=_choices(Need.choices),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages choisis"),
        queryset=Village.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Prospect
        fields = [*IDENTITY_FIELDS, *PROJECT_FIELDS]
        labels = {
            "current_location": _("Vit aujourd'hui à"),
            "heard_from": _("Nous a connus par"),
            "message": _("Message de la personne"),
        }
        widgets = {
            "message": forms.Textarea(attrs={"rows": 4}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        villages = Village.objects.of_territory(territory).select_related("commune").order_by("commune__name")
        self.fields["villages"].queryset = villages
        self.fields["villages"].label_from_instance = lambda village: village.name
        for name in ("sector", "work_status", "timing", "heard_from"):
            field = self.fields[name]
            field.choices = _choices(
                self._meta.model._meta.get_field(name).choices, blank=_("— Non précisé —")
            )
        for name in ("adults", "children"):
            self.fields[name].min_value = 0
            self.fields[name].widget.attrs.update({"min": 0, "max": 30})
        self.fields["adults"].max_value = self.fields["children"].max_value = 30

    def clean_first_name(self):
        return self.cleaned_data["first_name"].strip()

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()


class ProspectEditForm(ProspectFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version

    def saved_fields(self) -> list[str]:
        return [name for name in self._meta.fields if name != "villages"]


class ProspectCreateForm(ProspectFieldsForm):
    """A contact met by phone, at a fair, on paper or at the desk, typed in by an advisor."""

    channel = forms.ChoiceField(
        label=_("Comment ce contact est-il arrivé ?"),
        choices=[(channel.value, capfirst(channel.label)) for channel in MANUAL_CHANNELS],
        widget=forms.RadioSelect,
    )
    first_contact = forms.CharField(
        label=_("Compte rendu du premier échange (facultatif)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    advisor = StaffChoiceField(
        label=_("Conseiller"), queryset=User.objects.none(), required=False, empty_label=_("— Personne —")
    )
    consent_contact = forms.ChoiceField(
        label=capfirst(ConsentPurpose.CONTACT.label),
        choices=[*YES_NO, (NOT_ASKED, _("pas demandé"))],
        widget=forms.RadioSelect,
        initial=NOT_ASKED,
    )
    consent_share_villages = forms.ChoiceField(
        label=capfirst(ConsentPurpose.SHARE_VILLAGES.label),
        choices=[*YES_NO, (NOT_ASKED, _("pas demandé"))],
        widget=forms.RadioSelect,
        initial=NOT_ASKED,
        help_text=_(
            "Le comité voit alors son nom, le résumé du projet, l'échéance, le foyer, l'e-mail et le téléphone."
        ),
    )
    consent_newsletter = forms.ChoiceField(
        label=capfirst(ConsentPurpose.NEWSLETTER.label),
        choices=[*YES_NO, (NOT_ASKED, _("pas demandé"))],
        widget=forms.RadioSelect,
        initial=NOT_ASKED,
    )
    consent_basis = forms.CharField(
        label=_("Comment le consentement a-t-il été donné ?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Par exemple : « accord oral au téléphone » ou « case cochée sur le bulletin papier du salon »."
        ),
    )
    consent_on = forms.DateField(label=_("Date du consentement"), widget=DATE_WIDGET)
    # The duplicates the advisor was shown and chose to ignore (ids, comma separated).
    duplicates_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, territory, user=None, **kwargs):
        super().__init__(*args, territory=territory, **kwargs)
        self.fields["advisor"].queryset = staff_of(territory)
        if not self.is_bound:
            self.initial.setdefault("consent_on", timezone.localdate())
            if user is not None and self.fields["advisor"].queryset.filter(pk=user.pk).exists():
                self.initial.setdefault("advisor", user.pk)

    def clean_consent_on(self):
        value = self.cleaned_data["consent_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Cette date est dans le futur."))
        return value

    def clean(self):
        data = super().clean()
        if not data.get("email") and not (data.get("phone") or "").strip() and "email" not in self.errors:
            self.add_error("email", _("Indiquez au moins une adresse e-mail ou un téléphone."))
        return data

    def consents(self) -> list[tuple[str, bool]]:
        """The purposes answered, with the answer."""
        answers = []
        for name, purpose in CONSENT_QUESTIONS:
            value = self.cleaned_data.get(name)
            if value in ("yes", "no"):
                answers.append((purpose, value == "yes"))
        return answers

    def consent_at(self) -> datetime:
        """When the consent was given: now if today, else noon of that day (local time)."""
        on: date = self.cleaned_data["consent_on"]
        if on == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(on, time(12, 0)))

    def seen_ids(self) -> set[int]:
        raw = self.cleaned_data.get("duplicates_seen") or ""
        return {int(part) for part in raw.split(",") if part.strip().isdigit()}

    def prospect_fields(self) -> list[str]:
        return [name for name in self._meta.fields if name != "villages"]


CONSENT_FIELD_NAMES = [name for name, _purpose in CONSENT_QUESTIONS]
