"""Filters of the advisors' pipeline list (django-filter), shared by the list and its exports."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Channel, Sector, Stage
from .selectors import WEEK_AHEAD, person_name, staff_of_territory, utm_sources

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


class PipelineFilter(django_filters.FilterSet):
    """The list's filters; ``qs_without("stage")`` gives the funnel the same filters but the stage."""

    q = django_filters.CharFilter(
        label=_("Nom ou adresse e-mail"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    stage = django_filters.ChoiceFilter(label=_("Étape"), choices=Stage.choices, empty_label=_("Toutes"))
    advisor = django_filters.ChoiceFilter(
        label=_("Conseiller"), method="filter_advisor", empty_label=_("Tous")
    )
    channel = django_filters.ChoiceFilter(label=_("Canal"), choices=Channel.choices, empty_label=_("Tous"))
    utm_source = django_filters.ChoiceFilter(label=_("Source de campagne"), empty_label=_("Toutes"))
    sector = django_filters.ChoiceFilter(label=_("Secteur"), choices=Sector.choices, empty_label=_("Tous"))
    village = django_filters.ModelChoiceFilter(
        label=_("Village choisi"), field_name="villages", queryset=None, empty_label=_("Tous")
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
    )

    def __init__(self, data=None, *args, territory, **kwargs):
        super().__init__(data, *args, **kwargs)
        from sohosolo.villages.models import Village

        self.territory = territory
        self.filters["advisor"].extra["choices"] = [(UNASSIGNED, _("non attribué"))] + [
            (str(user.pk), person_name(user)) for user in staff_of_territory(territory)
        ]
        self.filters["utm_source"].extra["choices"] = [(value, value) for value in utm_sources(territory)]
        self.filters["village"].queryset = (
            Village.objects.of_territory(territory).select_related("commune").order_by("commune__search_name")
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
