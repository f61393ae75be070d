"""Filters of the advisors' pipeline list (django-filter), shared by the list and its exports."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Channel, Sector, Stage
from .selectors import WEEK_AHEAD, person_name, staff_of_territory, utm_sources, villages_named

UNASSIGNED = "none"


class NextActionDue:
    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"
    NONE = "none"

    choices = [
        (OVERDUE, _("en retard")),
        (TODAY, _("aujourd'hui")),
        (WEEK, _("dans les 7 prochains jours")),
        (NONE, _("aucune prochaine action")),
    ]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _attrs(attrs: dict) -> str:
    """An element's attributes as django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """A <select> written in Python, character for character what Django's templates write
    (select.html, select_option.html, attrs.html): rendering three templates per option cost the
    list more than its 25 rows. Same context (get_context), so the same ids, attributes and choices."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # select_option.html ends with a newline
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


class PipelineFilter(django_filters.FilterSet):
    """The list's filters; ``qs_without("stage")`` gives the funnel the same filters but the stage."""

    q = django_filters.CharFilter(
        label=_("Nom ou adresse e-mail"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    stage = django_filters.ChoiceFilter(
        label=_("Étape"), choices=Stage.choices, empty_label=_("Toutes"), widget=Select
    )
    advisor = django_filters.ChoiceFilter(
        label=_("Conseiller"), method="filter_advisor", empty_label=_("Tous"), widget=Select
    )
    channel = django_filters.ChoiceFilter(
        label=_("Canal"), choices=Channel.choices, empty_label=_("Tous"), widget=Select
    )
    utm_source = django_filters.ChoiceFilter(
        label=_("Source de campagne"), empty_label=_("Toutes"), widget=Select
    )
    sector = django_filters.ChoiceFilter(
        label=_("Secteur"), choices=Sector.choices, empty_label=_("Tous"), widget=Select
    )
    village = django_filters.ModelChoiceFilter(
        label=_("Village choisi"), field_name="villages", queryset=None, empty_label=_("Tous"), widget=Select
    )
    created_after = django_filters.DateFilter(
        label=_("Créé à partir du"), field_name="created_at", method="filter_created_after", widget=DateInput
    )
    created_before = django_filters.DateFilter(
        label=_("Créé jusqu'au"), field_name="created_at", method="filter_created_before", widget=DateInput
    )
    due = django_filters.ChoiceFilter(
        label=_("Prochaine action"),
        choices=NextActionDue.choices,
        method="filter_due",
        empty_label=_("Toutes"),
        widget=Select,
    )

    def __init__(self, data=None, *args, territory, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.territory = territory
        self.filters["advisor"].extra["choices"] = [(UNASSIGNED, _("non attribué"))] + [
            (str(user.pk), person_name(user)) for user in staff_of_territory(territory)
        ]
        self.filters["utm_source"].extra["choices"] = [(value, value) for value in utm_sources(territory)]
        self.filters["village"].queryset = (
            villages_named().of_territory(territory).order_by("commune__search_name")
        )

    # --- Methods ------------------------------------------------------------------------------

    def filter_text(self, queryset, name, value):
        for word in value.split()[:6]:
            queryset = queryset.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
            )
        return queryset

    def filter_advisor(self, queryset, name, value):
        if value == UNASSIGNED:
            return queryset.filter(advisor__isnull=True)
        return queryset.filter(advisor_id=value)

    def filter_created_after(self, queryset, name, value):
        return queryset.filter(created_at__date__gte=value)

    def filter_created_before(self, queryset, name, value):
        return queryset.filter(created_at__date__lte=value)

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        if value == NextActionDue.OVERDUE:
            return queryset.filter(next_action_on__lt=today)
        if value == NextActionDue.TODAY:
            return queryset.filter(next_action_on=today)
        if value == NextActionDue.WEEK:
            return queryset.filter(
                next_action_on__gte=today, next_action_on__lte=today + timedelta(days=WEEK_AHEAD)
            )
        if value == NextActionDue.NONE:
            return queryset.filter(next_action_on__isnull=True)
        return queryset

    # --- Funnel -------------------------------------------------------------------------------

    def qs_without(self, *names: str):
        """The queryset with every valid filter applied except ``names`` (the funnel ignores the stage)."""
        queryset = self.queryset.all()
        if self.is_bound:
            self.errors  # noqa: B018 (validates the form)
            for name, value in self.form.cleaned_data.items():
                if name not in names:
                    queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def active_count(self) -> int:
        """How many filters are set (shown on the form's summary)."""
        if not self.is_bound:
            return 0
        self.errors  # noqa: B018
        return sum(1 for value in self.form.cleaned_data.values() if value not in (None, ""))
