"""« Contacts des villages »: what a village committee sees of the prospects who chose its village.

Only prospects who chose one of the user's villages and consented to share their project; any other
prospect answers 404 (another village, no consent, another territory). Territory staff see the shared
prospects of every village of the territory (the same pages, all villages). No export.
Every read of a prospect's page is written to the audit log.
"""

from itertools import groupby

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from sohosolo.accounts.permissions import territory_permission_required
from sohosolo.core.private_cache import private_page_cache

from ..committee import (
    NOTE_MAX_LENGTH,
    CommitteeNoteError,
    committee_note_record,
    committee_notes,
    committee_prospects,
    committee_shared_rows,
    committee_villages,
    committee_villages_of,
)
from ..models import Sector, Timing
from ..services import prospect_log_access
from ..tables import ProspectUrls

PERM = "prospects.view_committee_prospects"
PER_PAGE = 30


class CommitteeNoteForm(forms.Form):
    village = forms.ModelChoiceField(
        label=gettext_lazy("Pour le comité de"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note (facultative)"),
        help_text=gettext_lazy(
            "Ce que vous avez convenu avec cette personne. L'équipe du territoire la lira dans le suivi du "
            "projet. 1000 caractères au plus."
        ),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        field.queryset = villages
        if len(villages) == 1:
            # One village: nothing to choose, the form says which one in its heading.
            field.widget = forms.HiddenInput()
            field.initial = villages[0].pk
            field.required = False
        self._only = villages[0] if len(villages) == 1 else None

    def clean_village(self):
        return self.cleaned_data.get("village") or self._only


def _shared_prospect(request, pk: int):
    """The prospect if it is shared with one of this user's villages, else 404."""
    prospect = get_object_or_404(committee_prospects(request.user, request.territory), pk=pk)
    prospect.territory = request.territory  # the query kept only the request territory's prospects
    return prospect


def _villages_of(request, prospect):
    """The user's villages the prospect shared with (a queryset: the form offers them as choices)."""
    return committee_villages_of(prospect, request.user)


@private_page_cache()
@never_cache
@require_safe
@territory_permission_required(PERM)
def prospect_list(request):
    """The prospects shared with the user's villages, grouped by village, PER_PAGE (village, prospect)
    rows a page (a prospect who chose two of the user's villages appears under each)."""
    rows = committee_shared_rows(request.user, request.territory)
    # One grouped query gives the paginator its count and says which villages have no shared prospect.
    per_village = dict(rows.order_by().values_list("village_id").annotate(n=Count("pk")))
    paginator = Paginator(rows, PER_PAGE)
    paginator.count = sum(per_village.values())  # a cached_property: set, it spares the COUNT query
    page = paginator.get_page(request.GET.get("page"))
    # The choices' labels once per page (get_FOO_display() hashes the whole list of choices per call),
    # and the prospects' addresses from one reverse().
    sectors = {value: str(label) for value, label in Sector.choices}
    timings = {value: str(label) for value, label in Timing.choices}
    urls = ProspectUrls("prospects_committee:detail")
    groups = []
    for village, group in groupby(page.object_list, key=lambda row: row.village):
        prospects = [row.prospect for row in group]
        for prospect in prospects:
            prospect.sector_label = sectors.get(prospect.sector, "")
            prospect.timing_label = timings.get(prospect.timing, "")
            prospect.detail_url = urls(prospect.pk)
        groups.append({"village": village, "prospects": prospects})
    is_staff = request.user.has_perm("accounts.view_staff_area", request.territory)
    villages = list(committee_villages(request.user, request.territory).order_by("commune__name", "pk"))
    # A committee member also hears which of their villages nobody has shared a project with yet.
    without = [] if is_staff or page.number > 1 else [v for v in villages if v.pk not in per_village]
    context = {
        "page": page,
        "groups": groups,
        "count": page.paginator.count,
        "villages": villages,
        "without": without,
        "is_staff": is_staff,
    }
    return render(request, "prospects/committee_list.html", context)


def _render_detail(request, prospect, villages, *, form=None, status=200):
    prospect_log_access(prospect=prospect, user=request.user)
    context = {
        "prospect": prospect,
        "villages": villages,
        "notes": committee_notes(prospect, villages),
        "form": form or CommitteeNoteForm(villages=villages),
        "needs_choice": len(villages) > 1,
    }
    response = render(request, "prospects/committee_detail.html", context, status=status)
    response.private_cache_access = prospect  # a page served again from the cache is audited again
    return response


@private_page_cache()
@never_cache
@require_safe
@territory_permission_required(PERM)
def prospect_detail(request, pk: int):
    prospect = _shared_prospect(request, pk)
    return _render_detail(request, prospect, _villages_of(request, prospect))


@never_cache
@require_POST
@territory_permission_required(PERM)
def prospect_contacted(request, pk: int):
    """« Comité contacté »: the committee notes that it contacted the prospect (seen by the advisors)."""
    prospect = _shared_prospect(request, pk)
    villages = _villages_of(request, prospect)
    form = CommitteeNoteForm(request.POST, villages=villages)
    if form.is_valid():
        try:
            committee_note_record(
                prospect=prospect,
                village=form.cleaned_data["village"],
                text=form.cleaned_data["note"],
                by=request.user,
            )
        except CommitteeNoteError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("C'est noté : l'équipe du territoire le verra dans le suivi de ce projet.")
            )
            return redirect("prospects_committee:detail", pk=prospect.pk)
    return _render_detail(request, prospect, villages, form=form, status=400)
