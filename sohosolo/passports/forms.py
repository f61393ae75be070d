"""Forms of the passport pages: a checklist tick, the checklist's configuration, the staff list filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sohosolo.core.forms import OTHER_LANGUAGES, language_name

from .models import ChecklistStep

LABEL_MAX = ChecklistStep._meta.get_field("label").max_length


class StepToggleForm(forms.Form):
    """Tick (done=1) or untick (done=0) one step of the territory's checklist."""

    step = forms.ModelChoiceField(queryset=ChecklistStep.objects.none())
    done = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = ChecklistStep.objects.filter(territory=territory)


class StepForm(forms.Form):
    """A step's label: French required, English, Spanish and Portuguese optional."""

    label_fr = forms.CharField(
        label=_("Intitulé en français"),
        max_length=LABEL_MAX,
        help_text=_("Par exemple : « Étude de marché faite »."),
    )

    def __init__(self, *args, step: ChecklistStep | None = None, **kwargs):
        if step is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                f"label_{code}": getattr(step, f"label_{code}") or "" for code in ("fr", *OTHER_LANGUAGES)
            }
        super().__init__(*args, **kwargs)
        for code in OTHER_LANGUAGES:
            self.fields[f"label_{code}"] = forms.CharField(
                label=_("Intitulé (%(language)s)") % {"language": language_name(code)},
                max_length=LABEL_MAX,
                required=False,
            )
            self.fields[f"label_{code}"].widget.attrs["lang"] = code
        self.fields["label_fr"].widget.attrs["lang"] = "fr"

    def clean(self):
        data = super().clean()
        for name in list(data):
            if isinstance(data[name], str):
                data[name] = " ".join(data[name].split())
        if "label_fr" in data and not data["label_fr"]:
            self.add_error("label_fr", _("Donnez un intitulé en français."))
        return data

    def labels(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if name.startswith("label_")}

    def translation_fields(self):
        return [self[f"label_{code}"] for code in OTHER_LANGUAGES]


class StepMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class PassportState:
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class PassportFilterForm(forms.Form):
    q = forms.CharField(label=_("Numéro ou nom"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[
            ("", _("Tous")),
            (PassportState.VALID, _("Valides")),
            (PassportState.EXPIRED, _("Expirés")),
            (PassportState.REVOKED, _("Révoqués")),
        ],
    )
