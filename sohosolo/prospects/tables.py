"""The pipeline's table (django-tables2): columns, how each cell reads, sorting and pages.

The template renders the table itself (accessible headers with aria-sort, row headers), so only
django-tables2's Python side is used: columns, ordering and pagination.

Cells are rendered by the table's own ``cell_<name>(record)`` methods, called directly (``PipelineRow``):
django-tables2's generic path inspects each ``render_*`` signature and calls ``get_FOO_display()`` for
every cell (which hashes the whole list of translated choices), several times what the page needs.
Labels of choices, dates and the prospect page's address are computed once per table.
"""

import html
from functools import cached_property

import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.rows import BoundRow, BoundRows

from .models import Channel, LostReason, Prospect, Sector, Stage
from .selectors import person_name

PER_PAGE = 25
SORT_PARAM = "sort"
DASH = "—"  # django-tables2's default for an empty cell


class ProspectUrls:
    """A page's address for many prospects, from a single reverse() (the prospect page by default):
    the pk is put in place of a sentinel (the <int:pk> converter writes it as plain digits)."""

    SENTINEL = 987654321

    def __init__(self, name: str = "prospects_staff:detail"):
        self.name = name
        try:
            address = reverse(name, args=[self.SENTINEL])
        except NoReverseMatch:
            address = ""
        head, found, tail = address.partition(str(self.SENTINEL))
        self.parts = (head, tail) if found and str(self.SENTINEL) not in tail else None

    def __call__(self, pk: int) -> str:
        if self.parts is None:
            try:
                return reverse(self.name, args=[pk])
            except NoReverseMatch:  # the prospect page is built alongside; lists never break for it
                return ""
        return f"{self.parts[0]}{pk}{self.parts[1]}"


def short_date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


class KnownCountPaginator(Paginator):
    """A paginator told its count (the funnel has just counted the same prospects): no COUNT query."""

    def __init__(self, *args, count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.count = count  # Paginator.count is a cached_property: set, it is not computed


def esc(value) -> str:
    """conditional_escape() without its lazy-text wrapper (the cells call it thousands of times a
    page): safe strings as they are, anything else escaped as Django escapes."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class PipelineRow(BoundRow):
    """A row whose cells come straight from the table's ``cell_<name>(record)``."""

    def get_cell(self, name):
        return self._table.cell(name, self._record)

    @property
    def html(self) -> str:
        """The row's <tr>, the name as its row header (written here rather than by a template loop
        over the 200 cells of a page: same markup, a fraction of the time)."""
        table, record = self._table, self._record
        cells = "".join(
            f'<th scope="row">{esc(table.cell(name, record))}</th>'
            if name == "name"
            else f"<td>{esc(table.cell(name, record))}</td>"
            for name in table.cell_names
        )
        return mark_safe(f"<tr>{cells}</tr>")  # noqa: S308 (every cell is escaped unless safe)


class PipelineRows(BoundRows):
    def __iter__(self):
        for record in self.data:
            yield PipelineRow(record, table=self.table)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return PipelineRows(data=self.data[key], table=self.table)
        return PipelineRow(record=self.data[key], table=self.table)


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
    sector = tables.Column(verbose_name=_("Secteur"), order_by=("sector", "pk"), default=DASH)
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
        self.rows = PipelineRows(data=self.data, table=self)
        self._dates: dict = {}

    # --- Once per table (per request: in its language) -----------------------------------------

    @cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """The choices' labels, translated once (get_FOO_display() would hash the choices per cell)."""
        return {
            "stage": {value: str(label) for value, label in Stage.choices},
            "lost_reason": {value: str(label) for value, label in LostReason.choices},
            "channel": {value: str(label) for value, label in Channel.choices},
            "sector": {value: str(label) for value, label in Sector.choices},
        }

    @cached_property
    def defaults(self) -> dict:
        """What an empty cell says, per column (as django-tables2 would show it)."""
        return {column.name: column.default for column in self.columns}

    @cached_property
    def prospect_url(self) -> ProspectUrls:
        return ProspectUrls()

    @cached_property
    def texts(self) -> dict[str, str]:
        """The fixed bits of the cells, translated (and escaped) once."""
        sample, overdue, today = _("Donnée d'exemple"), _("En retard :"), _("Aujourd'hui :")
        return {
            "sample": f' <span class="sample-badge">{esc(sample)}</span>',
            "overdue": f'<strong class="status status-failed">{esc(overdue)}</strong> ',
            "today": f'<strong class="status">{esc(today)}</strong> ',
            "anywhere": str(_("n'importe où")),  # plain text: escaped where shown
        }

    @cached_property
    def cell_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def short_date(self, value) -> str:
        """A date as the list writes it, formatted once per distinct date."""
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = short_date(value)
        return text

    # --- Cells (safe HTML: every value is escaped with esc()) ----------------------------------

    def cell(self, name: str, record):
        """The rendered cell of a column (what ``row.items()`` and the template show)."""
        return getattr(self, f"cell_{name}")(record)

    def cell_name(self, record):
        url = self.prospect_url(record.pk)
        name = esc(record.full_name or DASH)
        link = f'<a href="{esc(url)}">{name}</a>' if url else name
        sample = self.texts["sample"] if record.is_sample else ""
        email = f'<br><span class="meta">{esc(record.email)}</span>' if record.email else ""
        return mark_safe(f"{link}{sample}{email}")  # noqa: S308

    def cell_stage(self, record):
        label = self.labels["stage"].get(record.stage, record.stage)
        if record.stage == Stage.LOST and record.lost_reason:
            reason = self.labels["lost_reason"].get(record.lost_reason, record.lost_reason)
            return mark_safe(f'{esc(label)}<br><span class="meta">{esc(reason)}</span>')  # noqa: S308
        return label

    def cell_advisor(self, record):
        if record.advisor is None:
            return self.defaults["advisor"]
        return person_name(record.advisor)

    def cell_source(self, record):
        if not record.channel:
            return DASH
        label = self.labels["channel"].get(record.channel, record.channel)
        if record.utm_source:
            return mark_safe(f'{esc(label)}<br><span class="meta">{esc(record.utm_source)}</span>')  # noqa: S308
        return label

    def cell_sector(self, record):
        if not record.sector:
            return self.defaults["sector"]
        return self.labels["sector"].get(record.sector, record.sector)

    def cell_villages(self, record):
        villages = getattr(record, "chosen_villages", None)  # prefetched by pipeline_prospects()
        if villages is None:
            villages = record.villages.all()
        if villages:
            return mark_safe(", ".join(esc(village.name) for village in villages))  # noqa: S308
        if record.anywhere:
            return self.texts["anywhere"]
        return DASH

    def cell_created_at(self, record):
        return self.short_date(timezone.localtime(record.created_at))

    def cell_next_action_on(self, record):
        if record.next_action_on is None:
            return self.defaults["next_action_on"]
        when = self.short_date(record.next_action_on)
        if record.next_action_on < self.today:
            flag = self.texts["overdue"]
        elif record.next_action_on == self.today:
            flag = self.texts["today"]
        else:
            flag = ""
        return mark_safe(f'{flag}{esc(when)}<br><span class="meta">{esc(record.next_action)}</span>')  # noqa: S308

    # --- Request ------------------------------------------------------------------------------

    def configure(self, request, *, count: int | None = None) -> "PipelineTable":
        """Sort and paginate from the request's parameters (the page size stays fixed); ``count``:
        the number of prospects listed when already known (spares the paginator's COUNT query)."""
        self.request = request
        order_by = request.GET.getlist(self.prefixed_order_by_field)
        if order_by:
            self.order_by = order_by
        try:
            page = int(request.GET.get(self.prefixed_page_field, 1))
        except ValueError:
            page = 1
        try:
            self.paginate(paginator_class=KnownCountPaginator, per_page=PER_PAGE, page=page, count=count)
        except (EmptyPage, PageNotAnInteger):
            self.page = self.paginator.page(self.paginator.num_pages if page > 1 else 1)
        return self
