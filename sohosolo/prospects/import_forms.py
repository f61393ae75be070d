"""Forms of the import of existing contacts: the file with its channel and consent basis, the mapping."""

from django import forms
from django.template.defaultfilters import truncatechars
from django.utils.translation import gettext_lazy as _

from .imports import FIELDS, MAX_BYTES, mapping_errors
from .models import Channel

ACCEPT = ".csv,.txt,.tsv,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# .xls and .ods pass, to be told by the reader how to save them as .xlsx.
EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".ods")

FIELD_GROUPS = (
    ("identity", _("Identité et coordonnées")),
    ("project", _("Le projet")),
    ("other", _("Origine et consentements")),
)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"empty": _("Le fichier est vide.")},
        help_text=_(
            "CSV (séparé par des points-virgules, des virgules ou des tabulations) ou classeur XLSX "
            "(première feuille), 5 Mo et 5 000 lignes au plus. La première ligne donne le nom des colonnes."
        ),
    )
    channel = forms.ChoiceField(
        label=_("Comment ces contacts sont-ils arrivés ?"),
        choices=[("", "—")] + [(value, label) for value, label in Channel.choices if value != Channel.FORM],
        help_text=_("Le canal enregistré pour chaque contact (il compte dans les chiffres du programme)."),
    )
    consent_basis = forms.CharField(
        label=_("Base du consentement"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Comment et quand ces personnes ont accepté d'être contactées, par exemple « bulletin papier "
            "du salon de Paris, mars 2025 ». Ce texte est inscrit au registre des consentements de chacune."
        ),
        error_messages={
            "required": _("Dites comment et quand ces personnes ont accepté d'être contactées."),
            "min_length": _("Précisez davantage : comment et quand ces personnes ont-elles accepté ?"),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers."))
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Choisissez un fichier .csv ou .xlsx."))
        return upload


class ImportMappingForm(forms.Form):
    """One select per prospect field, listing the file's columns (with an example value)."""

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        samples = _samples(batch)
        choices = [("", _("— ne pas importer —"))] + [
            (
                str(i),
                f"{name} ({_('ex. : %(value)s') % {'value': truncatechars(samples[i], 30)}})"
                if samples[i]
                else name,
            )
            for i, name in enumerate(batch.columns)
        ]
        for spec in FIELDS:
            self.fields[spec.name] = forms.ChoiceField(
                label=spec.label,
                choices=choices,
                required=False,
                initial=str(batch.mapping[spec.name]) if spec.name in (batch.mapping or {}) else "",
            )
            self.fields[spec.name].group = spec.group
        self.fields["first_name"].help_text = _("Obligatoire.")
        self.fields["email"].help_text = _("Le courriel ou le téléphone est obligatoire.")

    def groups(self):
        return [
            (legend, [self[spec.name] for spec in FIELDS if spec.group == group])
            for group, legend in FIELD_GROUPS
        ]

    def clean(self):
        data = super().clean()
        mapping = {name: int(value) for name, value in data.items() if value not in ("", None)}
        for name, error in mapping_errors(mapping):
            self.add_error(name, error)
        self.mapping = mapping
        return data


def _samples(batch) -> list[str]:
    """For each column, its first non-empty value (shown in the selects to recognise the column)."""
    samples = [""] * len(batch.columns)
    for row in batch.rows[:50]:
        for i, value in enumerate(row[: len(samples)]):
            if value and not samples[i]:
                samples[i] = value
    return samples
