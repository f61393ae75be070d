"""The partner desk's lookup: a passport found by its printed number and check code, without a camera.

Both must match, in the territory of the request; any mismatch gives the same generic error, so the
form cannot tell whether a number exists (the view limits the attempts per user and per address).
Typing is forgiving: case, spaces, dashes and the leading zeros of the sequence do not matter, and
the territory's prefix may be left out ("2026 42" finds GERS-2026-0042 on the Gers site).
"""

import re
import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Passport
from .services import CHECK_LENGTH

NOT_FOUND = _(
    "Aucun passeport ne correspond à ce numéro et à ce code de contrôle. Vérifiez les deux sur le "
    "passeport présenté."
)


def _compact(value: str) -> str:
    """Upper case, letters and digits only: "gers-2026 0042" gives "GERS20260042"."""
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


def _year_and_sequence(territory, number: str) -> tuple[int, int] | None:
    compact = _compact(number)
    prefix = _compact(territory.slug)
    if prefix and compact.startswith(prefix):
        compact = compact[len(prefix) :]
    if not compact.isdigit() or not 5 <= len(compact) <= 12:
        return None
    return int(compact[:4]), int(compact[4:])


def passport_by_number(territory, number: str, check_code: str) -> Passport | None:
    """The territory's passport with this number and check code, or None (whatever is wrong)."""
    parts = _year_and_sequence(territory, number)
    passport = None
    if parts is not None:
        year, sequence = parts
        passport = (
            Passport.objects.select_related("prospect", "territory")
            .filter(territory=territory, year=year, sequence=sequence)
            .first()
        )
    expected = passport.check_code if passport is not None else "-" * CHECK_LENGTH
    # Compared in constant time, and compared even when no passport matched.
    matches = secrets.compare_digest(_compact(check_code).encode(), expected.encode())
    return passport if passport is not None and matches else None


class DeskLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Numéro du passeport"),
        help_text=_("Par exemple GERS-2026-0042. Majuscules, espaces et tirets n'ont pas d'importance."),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    check_code = forms.CharField(
        label=_("Code de contrôle"),
        help_text=_("Les six caractères imprimés à côté du numéro."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.passport = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.passport = passport_by_number(self.territory, data["number"], data["check_code"])
        if self.passport is None:
            raise forms.ValidationError(NOT_FOUND, code="not_found")
        return data
