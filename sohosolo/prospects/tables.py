"""The pipeline's table (django-tables2): columns, how each cell reads, sorting and pages.

The template renders the table itself (accessible headers with aria-sort, row headers), so only
django-tables2's Python side is used: columns, ordering and pagination.
"""

import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Prospect, Stage
from .selectors import person_name

PER_PAGE = 25
SORT_PARAM = "sort"


def prospect_url(pk: int) -> str:
    try:
        return reverse("prospects_staff:detail", args=[pk])
    except NoReverseMatch:  # the prospect page is built alongside; the list never breaks for it
        return ""


def short_date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


class PipelineTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Nom"), accessor="last_name", order_by=("last_name", "first_name", "pk")
    )
    stage = tables.Column(verbose_name=_("Étape"), order_by=("stage", "-created_at", "-pk"))
    advisor = tables.Column(
        verbose_name=_("Conseiller"),
        order_by=("advisor__first_name", "advisor__last_name", "advisor__email", "pk"),
        default=_("non attribué"),
    )
    source = tables.Column(
        verbose_name=_("Source"), accessor="channel", order_by=("channel", "utm_source", "pk")
    )
    sector = tables.Column(verbose_name=_("Secteur"), order_by=("sector", "pk"), default="—")
    villages = tables.Column(verbose_name=_("Villages choisis"), orderable=False, empty_values=())
    created_at = tables.Column(verbose_name=_("Créé le"), order_by=("created_at", "pk"))
    next_action_on = tables.Column(
        verbose_name=_("Prochaine action"),
        order_by=("next_action_on", "pk"),
        default=_("aucune"),
    )

    class Meta:
        model = Prospect
        fields = ()
        sequence = (
            "name",
            "stage",
            "advisor",
            "source",
            "sector",
            "villages",
            "created_at",
            "next_action_on",
        )
        order_by_field = SORT_PARAM
        per_page = PER_PAGE
        empty_text = _("Aucun porteur de projet ne correspond à ces critères.")

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    # --- Cells ---------------------------------------------------------------------------------

    def render_name(self, record):
        url = prospect_url(record.pk)
        name = record.full_name or "—"
        link = format_html('<a href="{}">{}</a>', url, name) if url else name
        sample = (
            format_html(' <span class="sample-badge">{}</span>', _("Donnée d'exemple"))
            if record.is_sample
            else ""
        )
        email = format_html('<br><span class="meta">{}</span>', record.email) if record.email else ""
        return format_html("{}{}{}", link, sample, email)

    def render_stage(self, record):
        label = Stage(record.stage).label
        if record.stage == Stage.LOST and record.lost_reason:
            return format_html('{}<br><span class="meta">{}</span>', label, record.get_lost_reason_display())
        return label

    def render_advisor(self, record):
        return person_name(record.advisor)

    def render_source(self, record):
        if record.utm_source:
            return format_html(
                '{}<br><span class="meta">{}</span>', record.get_channel_display(), record.utm_source
            )
        return record.get_channel_display()

    def render_sector(self, record):
        return record.get_sector_display()

    def render_villages(self, record):
        names = [village.name for village in record.villages.all()]
        if names:
            return format_html_join(", ", "{}", ((name,) for name in names))
        if record.anywhere:
            return _("n'importe où")
        return "—"

    def render_created_at(self, value):
        return short_date(timezone.localtime(value))

    def render_next_action_on(self, record):
        when = short_date(record.next_action_on)
        if record.next_action_on < self.today:
            flag = format_html('<strong class="status status-failed">{}</strong> ', _("En retard :"))
        elif record.next_action_on == self.today:
            flag = format_html('<strong class="status">{}</strong> ', _("Aujourd'hui :"))
        else:
            flag = ""
        return format_html('{}{}<br><span class="meta">{}</span>', flag, when, record.next_action)

    # --- Request ------------------------------------------------------------------------------

    def configure(self, request) -> "PipelineTable":
        """Sort and paginate from the request's parameters (the page size stays fixed)."""
        self.request = request
        order_by = request.GET.getlist(self.prefixed_order_by_field)
        if order_by:
            self.order_by = order_by
        try:
            page = int(request.GET.get(self.prefixed_page_field, 1))
        except ValueError:
            page = 1
        try:
            self.paginate(per_page=PER_PAGE, page=page)
        except (EmptyPage, PageNotAnInteger):
            self.page = self.paginator.page(self.paginator.num_pages if page > 1 else 1)
        return self
