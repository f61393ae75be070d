""" "Mon espace" for a prospect: their project (read, edit) and their consents.

A person sees only their own projects in the request's territory; anything else answers 404.
"""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from sohosolo.core.decorators import territory_or_404
from sohosolo.core.locking import EditConflict, form_after_conflict, save_versioned

from .. import committee
from ..models import ActivityKind, ConsentPurpose, ConsentSource, Need, Prospect
from ..services import activity_record, consent_record
from ..space_forms import CONSENT_TEXTS, SPACE_CONSENTS, ConsentsForm, ProjectForm

# --- Reads ------------------------------------------------------------------------------------------


def own_prospects(request):
    """The request user's projects in the request's territory (never anonymised ones)."""
    return Prospect.objects.filter(user=request.user, anonymised_at=None, territory=territory_or_404(request))


def _own_prospect_or_404(request, pk: int) -> Prospect:
    prospect = own_prospects(request).select_related("advisor", "territory").filter(pk=pk).first()
    if prospect is None:
        raise Http404("No such project for this person.")
    return prospect


def _need_labels(prospect: Prospect) -> list[str]:
    labels = dict(Need.choices)
    return [labels[value] for value in prospect.needs or [] if value in labels]


# --- Writes -----------------------------------------------------------------------------------------


@transaction.atomic
def project_update_by_owner(*, prospect: Prospect, form: ProjectForm, expected_version: int, by) -> list[str]:
    """Save the prospect's own edit (already applied to ``prospect`` by the valid ``form``).

    Raises EditConflict when someone saved the project since the form was opened (nothing is written).
    The edit is an inbound contact; it adds an activity naming the changed fields, and the committees
    of newly chosen villages are told after commit. Returns the names of the changed fields.
    """
    changed = [name for name in form.changed_data if name != "version"]
    fields = [name for name in changed if name != "villages"]
    before = set(prospect.villages.values_list("pk", flat=True))
    prospect.last_inbound_at = timezone.now()
    save_versioned(
        prospect, expected_version=expected_version, fields=[*fields, "last_inbound_at", "updated_at"]
    )
    new_villages = []
    if "villages" in changed:
        chosen = list(form.cleaned_data["villages"])
        prospect.villages.set(chosen)
        new_villages = [village for village in chosen if village.pk not in before]
    with translation.override(settings.LANGUAGE_CODE):  # the staff's timeline reads in French
        text = _("Projet mis à jour par le porteur de projet")
    activity_record(
        prospect=prospect,
        kind=ActivityKind.OTHER,
        by=by,
        text=text,
        data={"source": "space", "fields": changed},
    )
    if new_villages:
        transaction.on_commit(
            lambda: committee.committees_notify_new_prospect(prospect=prospect, villages=new_villages)
        )
    return changed


@transaction.atomic
def consents_update_by_owner(*, prospect: Prospect, choices: dict[str, bool], by) -> list[str]:
    """Record in the ledger each consent the prospect changed; return the purposes changed.

    Agreeing to share the project with the chosen villages tells their committees (after commit).
    """
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    changed = []
    for purpose, granted in choices.items():
        if ConsentsForm.current(prospect, purpose) == granted:
            continue  # unchanged: nothing written
        consent_record(prospect=prospect, purpose=purpose, granted=granted, source=ConsentSource.SPACE, by=by)
        changed.append(purpose)
    if changed:
        prospect.last_inbound_at = timezone.now()
        prospect.save(update_fields=["last_inbound_at", "updated_at"])
    if choices.get(ConsentPurpose.SHARE_VILLAGES) and ConsentPurpose.SHARE_VILLAGES in changed:
        # The committees of the villages already chosen see the project from now on: tell them.
        villages = list(prospect.villages.all())
        if villages:
            transaction.on_commit(
                lambda: committee.committees_notify_new_prospect(prospect=prospect, villages=villages)
            )
    return changed


# --- Views ------------------------------------------------------------------------------------------


@require_safe
def project_detail(request, pk: int):
    prospect = _own_prospect_or_404(request, pk)
    context = {
        "prospect": prospect,
        "villages": prospect.villages.select_related("commune").order_by("commune__name"),
        "needs": _need_labels(prospect),
    }
    return render(request, "prospects/space_detail.html", context)


@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    prospect = _own_prospect_or_404(request, pk)
    territory = prospect.territory
    if request.method == "GET":
        form = ProjectForm(instance=prospect, territory=territory)
        return render(request, "prospects/space_edit.html", {"form": form, "prospect": prospect})
    form = ProjectForm(request.POST, instance=prospect, territory=territory)
    if not form.is_valid():
        # The prospect's instance was changed by the form: show the saved one beside the answers.
        saved = _own_prospect_or_404(request, pk)
        return render(request, "prospects/space_edit.html", {"form": form, "prospect": saved}, status=400)
    if not set(form.changed_data) - {"version"}:
        messages.info(request, _("Aucune modification à enregistrer."))
        return redirect("prospects_space:detail", pk=prospect.pk)
    try:
        project_update_by_owner(
            prospect=prospect, form=form, expected_version=form.cleaned_data["version"] or 0, by=request.user
        )
    except EditConflict as exc:
        # Keep the loser's answers in the form, on the saved version, and show the saved one beside.
        current = _own_prospect_or_404(request, pk)
        form = form_after_conflict(
            ProjectForm,
            request,
            current,
            exc,
            instance=_own_prospect_or_404(request, pk),
            territory=territory,
        )
        context = {
            "form": form,
            "prospect": current,
            "current": current,
            "current_villages": current.villages.select_related("commune").order_by("commune__name"),
            "current_needs": _need_labels(current),
        }
        return render(request, "prospects/space_edit.html", context, status=409)
    messages.success(request, _("Votre projet est enregistré. Votre conseiller verra vos changements."))
    return redirect("prospects_space:detail", pk=prospect.pk)


def _consent_rows(prospect: Prospect, form: ConsentsForm) -> list[dict]:
    latest = {}
    for record in prospect.consents.filter(purpose__in=[p.value for p in SPACE_CONSENTS]):
        latest[record.purpose] = record  # ordered by date: the last one wins
    return [
        {
            "field": form[purpose.value],
            "purpose": purpose.value,
            "granted": ConsentsForm.current(prospect, purpose),
            "since": latest[purpose.value].at if purpose.value in latest else None,
            **CONSENT_TEXTS[purpose],
        }
        for purpose in SPACE_CONSENTS
    ]


def _history(prospect: Prospect) -> list:
    records = list(prospect.consents.order_by("-at", "-pk"))
    labels = dict(ConsentPurpose.choices)
    sources = dict(ConsentSource.choices)
    return [
        {
            "at": record.at,
            "granted": record.granted,
            "purpose": labels.get(record.purpose, record.purpose),
            "source": sources.get(record.source, record.source),
        }
        for record in records
    ]


@require_http_methods(["GET", "POST"])
def consents(request, pk: int):
    prospect = _own_prospect_or_404(request, pk)
    form = ConsentsForm(request.POST or None, prospect=prospect)
    if request.method == "POST" and form.is_valid():
        changed = consents_update_by_owner(prospect=prospect, choices=form.choices(), by=request.user)
        if changed:
            messages.success(request, _("Vos choix sont enregistrés."))
        else:
            messages.info(request, _("Vos choix n'ont pas changé."))
        return redirect("prospects_space:consents", pk=prospect.pk)
    context = {
        "prospect": prospect,
        "form": form,
        "rows": _consent_rows(prospect, form),
        "history": _history(prospect),
    }
    return render(request, "prospects/space_consents.html", context, status=400 if form.errors else 200)
