"""The public registration form (name, email, the occurrence's questions) and the check-in search."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sohosolo.core.forms import check_honeypot, honeypot_field

from .registration import occurrence_questions, question_label

QUESTION_PREFIX = "answer_"


class RegistrationForm(forms.Form):
    """Name, email and one field per question of the occurrence; ``website`` is a honeypot."""

    name = forms.CharField(
        label=_("Votre nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        help_text=_("La confirmation et le lien pour annuler vous sont envoyés à cette adresse."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = honeypot_field()

    def __init__(self, *args, occurrence, **kwargs):
        super().__init__(*args, **kwargs)
        self.occurrence = occurrence
        self.questions = occurrence_questions(occurrence)
        for question in self.questions:
            label = question_label(question)
            choices = question.get("choices")
            required = bool(question.get("required"))
            if choices:
                field = forms.ChoiceField(
                    label=label,
                    required=required,
                    choices=[(str(c), str(c)) for c in choices],
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=required,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 3}) if question.get("long") else forms.TextInput,
                )
            if question.get("help"):
                field.help_text = str(question["help"])
            self.fields[QUESTION_PREFIX + question["key"]] = field
        # The honeypot last, out of the way of the real fields.
        self.fields["website"] = self.fields.pop("website")

    def question_fields(self):
        return [self[QUESTION_PREFIX + q["key"]] for q in self.questions]

    def answers(self) -> dict:
        return {q["key"]: self.cleaned_data.get(QUESTION_PREFIX + q["key"], "") for q in self.questions}

    def add_answer_errors(self, errors: dict) -> None:
        for key, message in errors.items():
            self.add_error(QUESTION_PREFIX + key, message)

    def clean(self):
        data = super().clean()
        check_honeypot(
            data,
            _(
                "L'inscription n'a pas été enregistrée : le champ « Ne remplissez pas ce champ », réservé à la détection des robots, a été rempli."
            ),
        )
        return data


class CheckinSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Chercher une personne"),
        help_text=_("Nom ou adresse e-mail."),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
