"""Form parts shared by the apps: optional translations of French fields, and the robots' honeypot."""

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

# The languages a French text may be translated into.
OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def language_name(code: str) -> str:
    """Each language named in itself, right whatever the language of the page."""
    return capfirst(get_language_info(code)["name_local"])


class TranslationsMixin:
    """Optional translations of some French fields, folded in a <details> of the form (the template
    ``includes/translations.html``), one fieldset per language. The form calls ``_add_translations()``
    at the end of its ``__init__``."""

    translated: tuple[tuple[str, object, dict], ...] = ()  # (field name, label, extra field kwargs)

    def _add_translations(self) -> None:
        self.translation_names = []
        for lang in OTHER_LANGUAGES:
            for name, label, options in self.translated:
                field_name = f"{name}_{lang}"
                self.translation_names.append(field_name)
                self.fields[field_name] = forms.CharField(
                    label=_("%(field)s (%(language)s)") % {"field": label, "language": language_name(lang)},
                    required=False,
                    **options,
                )

    def translations_open(self) -> bool:
        """Unfolded when a translation is filled in or wrong."""
        return any(self[name].value() or self[name].errors for name in self.translation_names)

    def translation_groups(self):
        """The translation fields by language, for one fieldset per language."""
        return [
            {
                "code": lang,
                "name": language_name(lang),
                "fields": [self[f"{name}_{lang}"] for name, _label, _options in self.translated],
            }
            for lang in OTHER_LANGUAGES
        ]


def honeypot_field() -> forms.CharField:
    """The ``website`` field that robots fill in and people never see (the template hides it)."""
    return forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


def check_honeypot(data: dict, message) -> None:
    """Refuse the form when the honeypot is filled in. A non-field error: the field itself is hidden,
    so its own error would not be seen."""
    if (data.get("website") or "").strip():
        raise forms.ValidationError(message, code="honeypot")
