"""The agenda's GET filters: kind, village, view (list or month) and month. Works without JavaScript."""

import re
from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .agenda import HORIZON_MONTHS, add_months
from .models import EventKind

LIST_VIEW = "liste"
MONTH_VIEW = "mois"
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class AgendaFilters:
    kind: str = ""
    village: str = ""
    view: str = LIST_VIEW
    month: date | None = None


class AgendaFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type de rendez-vous"), required=False)
    village = forms.ChoiceField(label=_("Village"), required=False)
    vue = forms.ChoiceField(
        required=False,
        choices=[(LIST_VIEW, _("Liste")), (MONTH_VIEW, _("Mois"))],
        widget=forms.HiddenInput,
    )
    mois = forms.CharField(required=False, max_length=7, widget=forms.HiddenInput)

    def __init__(self, *args, villages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Tous les types"))] + list(EventKind.choices)
        self.fields["village"].choices = [("", _("Tout le territoire"))] + villages

    def clean_mois(self) -> date | None:
        value = self.cleaned_data.get("mois") or ""
        match = MONTH_PATTERN.match(value)
        if not value:
            return None
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("Indiquez un mois sous la forme AAAA-MM."))
        return date(int(match.group(1)), int(match.group(2)), 1)

    def filters(self, *, today: date) -> AgendaFilters:
        """The valid values (an invalid one counts as not given), the month kept within the agenda's
        range: from this month to the last month the agenda covers."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data then holds the valid fields only
            data = self.cleaned_data
        first, last = today.replace(day=1), add_months(today, HORIZON_MONTHS)
        month = data.get("mois") or first
        month = min(max(month, first), last)
        return AgendaFilters(
            kind=data.get("type") or "",
            village=data.get("village") or "",
            view=MONTH_VIEW if data.get("vue") == MONTH_VIEW else LIST_VIEW,
            month=month,
        )


def month_param(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
