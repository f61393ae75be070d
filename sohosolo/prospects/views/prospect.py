"""The advisor's prospect page (/suivi/porteurs/<pk>/): the person, the project, the timeline, and what
an advisor does with them (activities, next action, assignment, stage changes, edition, an invitation
to the next information meeting), plus the manual creation of a contact met outside the website.

Advisors and territory admins of the request's territory only; a prospect of another territory or an
anonymised one answers 404. Every display of the page is written to the audit log (ACCESS).
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sohosolo.accounts.permissions import check_territory_perm
from sohosolo.core.locking import EditConflict, form_after_conflict, save_versioned
from sohosolo.core.outbox import outbox_enqueue
from sohosolo.core.private_cache import private_page_cache
from sohosolo.territories.models import Commune

from ..models import (
    Activity,
    ActivityKind,
    ConsentPurpose,
    ConsentSource,
    HelpfulAction,
    LostReason,
    Need,
    Outcome,
    Prospect,
    Stage,
)
from ..pipeline_forms import (
    CHANNEL_ACTIVITY,
    ActivityForm,
    AssignForm,
    InstalledForm,
    LostForm,
    NextActionForm,
    ProspectCreateForm,
    ProspectEditForm,
    TransitionForm,
    person_name,
)
from ..selectors import villages_named
from ..services import (
    InstallationIncomplete,
    ProspectError,
    activity_record,
    consent_record,
    prospect_assign,
    prospect_log_access,
    prospect_set_next_action,
    prospect_transition,
)

VIEW = "prospects.view_pipeline"
CHANGE = "prospects.change_prospect"
MEETING_TEMPLATE = "prospect_meeting_invitation"


def _prospect(request, pk: int, perm: str = VIEW) -> Prospect:
    """The prospect of the request's territory (not anonymised), after the permission check.

    Its territory is the request's (the query keeps only those): no join for it. The commune of
    installation is read when shown (installed prospects only): no join, no outline decoded.
    """
    check_territory_perm(request, perm)
    prospect = get_object_or_404(
        Prospect.objects.active().of_territory(request.territory).select_related("advisor"), pk=pk
    )
    prospect.territory = request.territory
    return prospect


def _detail_url(prospect: Prospect, anchor: str = "") -> str:
    return reverse("prospects_staff:detail", args=[prospect.pk]) + (f"#{anchor}" if anchor else "")


# --- The page -------------------------------------------------------------------------------------------


def _labels(choices, values) -> list[str]:
    names = dict(choices)
    return [str(names.get(value, value)) for value in values or []]


class _ChoiceLabels:
    """The labels the timeline needs, translated once per page (get_FOO_display() and dict(choices)
    per activity would hash or rebuild the whole list of choices for each of them)."""

    def __init__(self):
        def labels(choices) -> dict[str, str]:
            return {value: str(label) for value, label in choices}

        self.kind = labels(ActivityKind.choices)
        self.outcome = labels(Outcome.choices)
        self.stage = labels(Stage.choices)
        self.lost_reason = labels(LostReason.choices)
        self.purpose = labels(ConsentPurpose.choices)
        self.source = labels(ConsentSource.choices)


# What the timeline reads of each activity, its author and its village (not the commune's outline).
TIMELINE_FIELDS = (
    "id", "prospect", "kind", "occurred_at", "outcome", "text", "data", "author", "village",
    "author__id", "author__first_name", "author__last_name", "author__email",
    "village__id", "village__commune", "village__commune__id", "village__commune__name",
)  # fmt: skip


def _timeline_entry(activity: Activity, labels: _ChoiceLabels | None = None) -> dict:
    """What the timeline says of an activity: a title, optional details, the free text."""
    labels = labels or _ChoiceLabels()
    data = activity.data or {}
    kind = activity.kind
    details: list[str] = []
    title = labels.kind.get(kind, kind)
    if kind == ActivityKind.STAGE:
        title = _("Étape : %(from)s → %(to)s") % {
            "from": labels.stage.get(data.get("from", ""), data.get("from", "")) or "—",
            "to": labels.stage.get(data.get("to", ""), data.get("to", "")),
        }
        if data.get("reason"):
            details.append(
                _("Motif : %(reason)s") % {"reason": labels.lost_reason.get(data["reason"], data["reason"])}
            )
    elif kind == ActivityKind.CONSENT:
        purpose = labels.purpose.get(data.get("purpose", ""), data.get("purpose", ""))
        template = (
            _("Consentement donné : %(purpose)s")
            if data.get("granted")
            else _("Consentement refusé ou retiré : %(purpose)s")
        )
        title = template % {"purpose": purpose}
        if data.get("source"):
            details.append(
                _("Recueilli par : %(source)s")
                % {"source": labels.source.get(data["source"], data["source"])}
            )
    elif kind == ActivityKind.ASSIGNMENT:
        title = (
            _("Attribué à %(name)s") % {"name": activity.text}
            if activity.text
            else _("Attribution retirée : plus de conseiller")
        )
    elif kind == ActivityKind.COMMITTEE and activity.village_id:
        title = _("Contact par le comité d'accueil de %(village)s") % {"village": activity.village.name}
    if activity.outcome:
        outcome = labels.outcome.get(activity.outcome, activity.outcome)
        details.append(_("Résultat : %(outcome)s") % {"outcome": outcome})
    show_text = kind != ActivityKind.ASSIGNMENT
    return {
        "activity": activity,
        "title": title,
        "details": details,
        "text": activity.text if show_text else "",
        "author": person_name(activity.author),
    }


def _transition_buttons(prospect: Prospect) -> list[dict]:
    """One entry per allowed stage: a direct button, or a link to the form that asks for more."""
    funnel = [Stage.CONTACT, Stage.QUALIFIED, Stage.CANDIDATE, Stage.INSTALLING, Stage.INSTALLED]
    current = funnel.index(prospect.stage) if prospect.stage in funnel else -1
    entries = []
    for stage in prospect.allowed_stages():
        stage = Stage(stage)
        backwards = stage in funnel and funnel.index(stage) < current
        if stage == Stage.LOST:
            label = _("Marquer comme perdu…")
        elif stage == Stage.INSTALLED:
            label = _("Marquer comme installé…")
        elif prospect.stage == Stage.LOST:
            label = _("Rouvrir comme « %(stage)s »") % {"stage": stage.label}
        elif backwards:
            label = _("Revenir à « %(stage)s »") % {"stage": stage.label}
        else:
            label = _("Passer à « %(stage)s »") % {"stage": stage.label}
        entries.append(
            {
                "stage": stage.value,
                "label": label,
                "form": stage not in (Stage.LOST, Stage.INSTALLED),
                "secondary": backwards or stage == Stage.LOST,
            }
        )
    return entries


def _language_name(code: str) -> str:
    try:
        return capfirst(get_language_info(code)["name_local"])
    except KeyError:
        return code or "—"


def _render_detail(request, prospect: Prospect, *, status: int = 200, **forms):
    prospect_log_access(prospect=prospect, user=request.user)
    activities = (
        prospect.activities.select_related("author", "village__commune")
        .only(*TIMELINE_FIELDS)
        .order_by("-occurred_at", "-pk")
    )
    labels = _ChoiceLabels()
    context = {
        "prospect": prospect,
        "timeline": [_timeline_entry(activity, labels) for activity in activities],
        "villages": list(villages_named().filter(prospects=prospect).order_by("commune__name")),
        "needs": _labels(Need.choices, prospect.needs),
        "helpful_actions": _labels(HelpfulAction.choices, prospect.helpful_actions),
        "transitions": _transition_buttons(prospect),
        "activity_form": forms.get("activity_form") or ActivityForm(),
        "next_action_form": forms.get("next_action_form")
        or NextActionForm(
            initial={"next_action_on": prospect.next_action_on, "next_action": prospect.next_action}
        ),
        "assign_form": forms.get("assign_form")
        or AssignForm(territory=request.territory, initial={"advisor": prospect.advisor_id}),
        "can_propose_meeting": bool(prospect.email and prospect.consent_contact),
        "can_change": request.user.has_perm(CHANGE, request.territory),
        "language_name": _language_name(prospect.language),
        "utm": [
            (name, getattr(prospect, f"utm_{name}"))
            for name in ("source", "medium", "campaign", "term", "content")
            if getattr(prospect, f"utm_{name}")
        ],
    }
    response = render(request, "prospects/prospect_detail.html", context, status=status)
    response.private_cache_access = prospect  # a page served again from the cache is audited again
    return response


@private_page_cache()
@never_cache
@require_http_methods(["GET", "HEAD"])
def prospect_detail(request, pk: int):
    prospect = _prospect(request, pk)
    return _render_detail(request, prospect)


@require_POST
def prospect_activity_add(request, pk: int):
    prospect = _prospect(request, pk, CHANGE)
    form = ActivityForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, prospect, activity_form=form, status=400)
    data = form.cleaned_data
    with transaction.atomic():
        activity_record(
            prospect=prospect,
            kind=data["kind"],
            text=data["text"].strip(),
            by=request.user,
            occurred_at=data["occurred_at"],
            outcome=data["outcome"],
        )
        if data.get("next_action_on"):
            prospect_set_next_action(
                prospect=prospect, on=data["next_action_on"], what=data["next_action"], by=request.user
            )
    message = _("Action de suivi enregistrée.")
    if data.get("next_action_on"):
        message = _("Action de suivi et prochaine action enregistrées.")
    messages.success(request, message)
    return redirect(_detail_url(prospect, "historique"))


@require_POST
def prospect_next_action(request, pk: int):
    prospect = _prospect(request, pk, CHANGE)
    form = NextActionForm(request.POST)
    if form.is_valid():
        try:
            prospect_set_next_action(
                prospect=prospect,
                on=form.cleaned_data["next_action_on"],
                what=form.cleaned_data["next_action"],
                by=request.user,
            )
        except ProspectError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            if prospect.next_action_on:
                messages.success(request, _("Prochaine action enregistrée."))
            else:
                messages.success(request, _("Plus de prochaine action prévue."))
            return redirect(_detail_url(prospect, "prochaine-action"))
    return _render_detail(request, prospect, next_action_form=form, status=400)


@require_POST
def prospect_assign_view(request, pk: int):
    prospect = _prospect(request, pk, CHANGE)
    form = AssignForm(request.POST, territory=request.territory)
    if form.is_valid():
        advisor = form.cleaned_data["advisor"]
        try:
            prospect_assign(prospect=prospect, advisor=advisor, by=request.user)
        except ProspectError as exc:
            form.add_error("advisor", str(exc.message))
        else:
            if advisor:
                messages.success(request, _("Projet attribué à %(name)s.") % {"name": person_name(advisor)})
            else:
                messages.success(request, _("Le projet n'est plus attribué à personne."))
            return redirect(_detail_url(prospect, "attribution"))
    return _render_detail(request, prospect, assign_form=form, status=400)


# --- Stage changes --------------------------------------------------------------------------------------


def _transition_form(request, prospect: Prospect, to: str, data=None):
    if to == Stage.LOST:
        return LostForm(data, initial={"to": to})
    if to == Stage.INSTALLED:
        return InstalledForm(data, territory=request.territory, initial=InstalledForm.initial_for(prospect))
    return TransitionForm(data, initial={"to": to})


def _render_transition(request, prospect: Prospect, form, to: str, status: int = 200):
    communes = []
    if to == Stage.INSTALLED:
        communes = (
            Commune.objects.of_territory(request.territory).only("name", "code").order_by("search_name")
        )
    return render(
        request,
        "prospects/prospect_transition.html",
        {"prospect": prospect, "form": form, "to": Stage(to), "communes": communes},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def prospect_transition_view(request, pk: int):
    prospect = _prospect(request, pk, CHANGE)
    to = request.POST.get("to") if request.method == "POST" else request.GET.get("to")
    if to not in Stage.values:
        messages.error(request, _("Choisissez l'étape vers laquelle faire passer ce projet."))
        return redirect(_detail_url(prospect, "actions"))
    if request.method != "POST":
        if to not in prospect.allowed_stages():
            messages.error(
                request,
                _("Passage de « %(from)s » à « %(to)s » impossible.")
                % {"from": prospect.get_stage_display(), "to": Stage(to).label},
            )
            return redirect(_detail_url(prospect))
        return _render_transition(request, prospect, _transition_form(request, prospect, to), to)

    form = _transition_form(request, prospect, to, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            prospect = prospect_transition(
                prospect=prospect,
                to=to,
                by=request.user,
                reason=data.get("reason", ""),
                note=(data.get("note") or "").strip(),
                installation=form.installation() if isinstance(form, InstalledForm) else None,
            )
        except InstallationIncomplete as exc:
            form.add_error(None, str(exc.message))
            for name in exc.missing:
                if name in form.fields and name not in form.errors:
                    form.add_error(name, _("Nécessaire pour marquer le projet installé."))
        except ProspectError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(
                request,
                _("%(name)s est maintenant à l'étape « %(stage)s ».")
                % {"name": prospect.full_name, "stage": prospect.get_stage_display()},
            )
            return redirect(_detail_url(prospect))
    return _render_transition(request, prospect, form, to, status=400)


# --- Edition --------------------------------------------------------------------------------------------


def _render_edit(request, prospect: Prospect, form, *, status: int = 200, current: Prospect | None = None):
    return render(
        request,
        "prospects/prospect_edit.html",
        {"prospect": prospect, "form": form, "current": current},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def prospect_edit(request, pk: int):
    prospect = _prospect(request, pk, CHANGE)
    if request.method != "POST":
        prospect_log_access(prospect=prospect, user=request.user)
        return _render_edit(
            request, prospect, ProspectEditForm(instance=prospect, territory=request.territory)
        )
    form = ProspectEditForm(request.POST, instance=prospect, territory=request.territory)
    if not form.is_valid():
        return _render_edit(request, prospect, form, status=400)
    try:
        with transaction.atomic():
            save_versioned(
                prospect, expected_version=form.cleaned_data["version"], fields=form.saved_fields()
            )
            prospect.villages.set(form.cleaned_data["villages"])
    except EditConflict as exc:
        current = _prospect(request, pk, CHANGE)
        # The form gets its own copy: validating a model form writes the typed values onto its instance.
        form = form_after_conflict(
            ProspectEditForm,
            request,
            current,
            exc,
            instance=_prospect(request, pk, CHANGE),
            territory=request.territory,
        )
        return _render_edit(request, current, form, status=409, current=current)
    messages.success(request, _("Fiche enregistrée."))
    return redirect(_detail_url(prospect))


# --- Invitation to the next information meeting ------------------------------------------------------


def _agenda_url(request, language: str) -> str:
    from django.conf import settings

    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    return request.build_absolute_uri(f"/{language}/agenda/")


@require_POST
def prospect_propose_meeting(request, pk: int):
    prospect = _prospect(request, pk, CHANGE)
    if not prospect.email:
        messages.error(
            request, _("Pas d'invitation envoyée : ce porteur de projet n'a pas d'adresse e-mail.")
        )
        return redirect(_detail_url(prospect))
    if not prospect.consent_contact:
        messages.error(
            request,
            _("Pas d'invitation envoyée : ce porteur de projet n'a pas accepté d'être contacté."),
        )
        return redirect(_detail_url(prospect))
    advisor = prospect.advisor or request.user
    with transaction.atomic():
        message = outbox_enqueue(
            to=prospect.email,
            template=MEETING_TEMPLATE,
            context={
                "first_name": prospect.first_name,
                "agenda_url": _agenda_url(request, prospect.language),
                "advisor_name": person_name(advisor),
                "advisor_email": advisor.email,
                "territory_name": request.territory.name,
            },
            language=prospect.language,
            territory=request.territory,
            kind=MEETING_TEMPLATE,
        )
        activity_record(
            prospect=prospect,
            kind=ActivityKind.EMAIL,
            by=request.user,
            outcome=Outcome.DONE,
            text=_("Invitation à la prochaine réunion d'information envoyée."),
            data={"template": MEETING_TEMPLATE, "outbox": message.pk},
        )
    messages.success(
        request,
        _("Invitation à la prochaine réunion d'information envoyée à %(email)s.") % {"email": prospect.email},
    )
    return redirect(_detail_url(prospect, "historique"))


# --- Manual creation ------------------------------------------------------------------------------------


@transaction.atomic
def prospect_create_manual(*, territory, form: ProspectCreateForm, by) -> Prospect:
    """Create a contact met outside the website, with the consents it gave and how it gave them.

    (A candidate for ``services``: kept here until the service module offers a creation function.)
    """
    data = form.cleaned_data
    prospect = form.save(commit=False)
    prospect.territory = territory
    prospect.channel = data["channel"]
    prospect.save()
    prospect.villages.set(data["villages"])
    first = CHANNEL_ACTIVITY.get(data["channel"], ActivityKind.OTHER)
    activity_record(
        prospect=prospect,
        kind=first,
        by=by,
        text=data.get("first_contact", "").strip(),
        data={"created": "staff", "channel": data["channel"]},
    )
    for purpose, granted in form.consents():
        consent_record(
            prospect=prospect,
            purpose=purpose,
            granted=granted,
            source=ConsentSource.STAFF,
            by=by,
            basis=data["consent_basis"].strip(),
            at=form.consent_at(),
        )
    if data.get("advisor"):
        prospect_assign(prospect=prospect, advisor=data["advisor"], by=by)
    return prospect


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def prospect_create(request):
    check_territory_perm(request, CHANGE)
    territory = request.territory
    form = ProspectCreateForm(request.POST or None, territory=territory, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        duplicates = list(
            Prospect.objects.matching_contact(
                territory, email=form.cleaned_data["email"], phone=form.cleaned_data["phone"]
            ).select_related("advisor")
        )
        unseen = {p.pk for p in duplicates} - form.seen_ids()
        if not duplicates or (not unseen and request.POST.get("create_anyway")):
            prospect = prospect_create_manual(territory=territory, form=form, by=request.user)
            messages.success(request, _("Contact %(name)s créé.") % {"name": prospect.full_name})
            return redirect(_detail_url(prospect))
        # Show who matches and ask for an explicit confirmation (the form keeps every answer).
        data = request.POST.copy()
        data["duplicates_seen"] = ",".join(str(p.pk) for p in duplicates)
        form = ProspectCreateForm(data, territory=territory, user=request.user)
        form.is_valid()
    status = 400 if form.errors else 200
    return render(
        request, "prospects/prospect_create.html", {"form": form, "duplicates": duplicates}, status=status
    )
