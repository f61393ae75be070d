from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ConnectivityCorrection


class CorrectionForm(forms.ModelForm):
    """A committee's ground check. The rules (not in the future, not empty) are the service layer's."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ConnectivityCorrection
        fields = ["topic", "checked_on", "note"]
        labels = {
            "topic": _("Ce qui a été vérifié"),
            "checked_on": _("Vérifié sur le terrain le"),
            "note": _("Constat"),
        }
        help_texts = {
            "topic": _("Par exemple : fibre, ADSL, box 4G, réseau mobile Orange."),
            "note": _(
                "Ce que vous avez constaté, où et comment : « Fibre raccordée rue de l'Église depuis "
                "mars », « Pas de réseau SFR dans le bas du village »."
            ),
        }
        widgets = {
            "topic": forms.TextInput(attrs={"autocomplete": "off"}),
            "checked_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        if not self.instance.pk and not self.is_bound:
            self.initial["checked_on"] = timezone.localdate()
        self.fields["checked_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def _post_clean(self):
        # Business rules live in services.py; the form only checks types.
        pass
