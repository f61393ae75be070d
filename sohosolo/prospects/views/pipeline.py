"""The advisors' pipeline (/suivi/porteurs/): the filtered list with its funnel, exports, "à faire"."""

from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sohosolo.accounts.permissions import territory_permission_required
from sohosolo.accounts.security import client_ip
from sohosolo.core.private_cache import private_page_cache

from ..exports import FORMATS, Export, export_filename, export_response, prospect_ids, prospects_log_export
from ..filters import NextActionDue, PipelineFilter
from ..models import Stage
from ..selectors import (
    ALL,
    TODO_GROUPS,
    UNASSIGNED,
    funnel,
    person_name,
    pipeline_prospects,
    staff_of_territory,
    todo,
)
from ..tables import PipelineTable, ProspectUrls

VIEW = "prospects.view_pipeline"
EXPORT = "prospects.export_prospects"


def _filtered(request) -> PipelineFilter:
    return PipelineFilter(
        request.GET or None,
        queryset=pipeline_prospects(request.territory),
        territory=request.territory,
        request=request,
    )


def _params(request, *drop: str) -> QueryDict:
    """The request's filters without the page, the names dropped and the empty values."""
    params = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        kept = [value for value in values if value]
        if kept and name not in ("page", *drop):
            params.setlist(name, kept)
    return params


def _query(request, *drop: str) -> str:
    return _params(request, *drop).urlencode()


@private_page_cache()
@require_safe
@territory_permission_required(VIEW)
def pipeline_list(request):
    filterset = _filtered(request)
    today = timezone.localdate()
    valid = not filterset.is_bound or filterset.is_valid()  # a wrong filter is explained and ignored
    stage = (filterset.form.cleaned_data.get("stage") or "") if filterset.is_bound else ""
    steps = funnel(filterset.qs_without("stage"), query=_params(request, "stage"), current=stage)
    # The list is the funnel's prospects with the stage filter (when valid) applied: its count is
    # the funnel's count of that stage, or the funnel's total.
    count = steps.count_of(stage) if stage else steps.total
    table = PipelineTable(filterset.qs, today=today).configure(request, count=count)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "table": table,
        "page": table.page,
        "query": _query(request),
        "funnel": steps,
        "all_stages_query": _query(request, "stage"),
        "export_query": _query(request),
        "can_export": valid and request.user.has_perm(EXPORT, request.territory),
        "filtered": bool(filterset.active_count),
    }
    return render(request, "prospects/pipeline_list.html", context)


@require_safe
@territory_permission_required(EXPORT)
def pipeline_export(request, fmt: str):
    """The filtered list, all pages, as CSV or XLSX; every exported prospect is logged first."""
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    filterset = _filtered(request)
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(
            _("Les filtres de l'export ne sont pas valides : corrigez-les sur la liste, puis exportez.")
        )
    table = PipelineTable(filterset.qs)
    order_by = request.GET.getlist(table.prefixed_order_by_field)
    if order_by:
        table.order_by = order_by
    ids = prospect_ids(table.data.data)
    prospects_log_export(
        territory=request.territory,
        user=request.user,
        prospect_ids=ids,
        fmt=fmt,
        remote_addr=client_ip(request) or None,
    )
    return export_response(
        Export(territory=request.territory, prospect_ids=ids),
        fmt,
        filename=export_filename(request.territory, fmt),
        title=_("Porteurs de projet"),
    )


@private_page_cache()
@require_safe
@territory_permission_required(VIEW)
def todo_list(request):
    """Next actions of the current advisor (or of another, of nobody, of all), up to a week ahead."""
    staff = list(staff_of_territory(request.territory))
    choice = request.GET.get("advisor", "")
    advisor = request.user
    selected = str(request.user.pk)
    if choice in (ALL, UNASSIGNED):
        advisor, selected = choice, choice
    elif choice.isdigit():
        match = next((user for user in staff if user.pk == int(choice)), None)
        if match is not None:
            advisor, selected = match, choice
    options = [(str(user.pk), person_name(user)) for user in staff]
    if not any(value == str(request.user.pk) for value, _label in options):
        options.insert(0, (str(request.user.pk), person_name(request.user)))
    today = timezone.localdate()
    groups = todo(request.territory, advisor=advisor, today=today)
    if advisor in (ALL, UNASSIGNED):
        mode = advisor
    else:
        mode = "mine" if advisor == request.user else "other"
    _describe_todo(groups, advisor)
    return render(
        request,
        "prospects/todo.html",
        {
            "groups": groups,
            "more": _todo_more(groups, selected if advisor != ALL else ""),
            "today": today,
            "options": options,
            "selected": selected,
            "me": str(request.user.pk),
            "all_value": ALL,
            "unassigned_value": UNASSIGNED,
            "mode": mode,
            "advisor_name": person_name(advisor) if mode == "other" else "",
        },
    )


def _describe_todo(groups, advisor) -> None:
    """What each line of the "à faire" list shows, computed once per page rather than per line in
    the template: the prospect page's address (one reverse()), the stage's label, the date as the
    group writes it (once per distinct date) and the advisor's name (``advisor`` as todo() had it:
    a user, ALL or UNASSIGNED)."""
    urls = ProspectUrls()
    one_name = "" if advisor in (ALL, UNASSIGNED) else person_name(advisor)
    stages = {value: capfirst(str(label)) for value, label in Stage.choices}
    dates: dict = {}

    def when(value, overdue: bool) -> str:
        key = (value, overdue)
        if key not in dates:
            dates[key] = date_format(value, "SHORT_DATE_FORMAT" if overdue else "l j F")
        return dates[key]

    for name in TODO_GROUPS:
        for prospect in getattr(groups, name):
            prospect.todo_url = urls(prospect.pk)
            prospect.todo_stage = stages.get(prospect.stage, prospect.stage)
            prospect.todo_when = when(prospect.next_action_on, name == "overdue")
            if advisor == ALL:
                prospect.todo_advisor = person_name(prospect.advisor) if prospect.advisor_id else ""
            else:
                prospect.todo_advisor = one_name


# The pipeline's "next action" filter that lists all of a group (the list says "week" from today).
TODO_DUE = {"overdue": NextActionDue.OVERDUE, "today": NextActionDue.TODAY, "coming": NextActionDue.WEEK}


def _todo_more(groups, advisor: str) -> dict[str, str]:
    """For each group cut at TODO_LIMIT, the pipeline list of all its actions (same advisor)."""
    more = {}
    for name in TODO_GROUPS:
        if groups.truncated(name):
            params = QueryDict(mutable=True)
            params["due"] = TODO_DUE[name]
            if advisor:
                params["advisor"] = advisor
            params["sort"] = "next_action_on"
            more[name] = f"{reverse('prospects_staff:list')}?{params.urlencode()}"
    return more
