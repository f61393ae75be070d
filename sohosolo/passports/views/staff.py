"""Passports in the staff area (/<lang>/suivi/passeports/).

- the territory's passports (advisors and administrators): number, holder, advisor, progress, state;
- a passport's checklist ticked by an advisor (from the prospect page's passport panel) and its
  print view, to hand a printed copy to a candidate;
- the territory's checklist (administrators): add, rename and translate, reorder, remove steps.

Out of the user's territories → 404; in scope but not allowed (a committee member, an advisor on the
checklist's configuration) → 403. A passport of another territory answers 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sohosolo.accounts.permissions import check_territory_perm
from sohosolo.prospects.services import prospect_log_access

from ..forms import OTHER_LANGUAGES, PassportFilterForm, PassportState, StepForm, StepMoveForm, StepToggleForm
from ..models import ChecklistStep, Passport, StepDone
from ..services import PassportError, checklist_steps, step_set
from .holder import PRINT_OFFERS_MAX, passport_context

VIEW = "passports.view_passports"
CHANGE = "passports.change_passport"
CONFIGURE = "passports.configure_checklist"
PAGE_SIZE = 50


class ChecklistError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- Writes: the territory's checklist ----------------------------------------------------------------


def _unique_key(territory, label: str) -> str:
    base = slugify(label).replace("-", "_")[:32] or "step"
    taken = set(ChecklistStep.objects.filter(territory=territory).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _set_labels(step: ChecklistStep, labels: dict[str, str]) -> None:
    step.label_fr = labels["label_fr"]
    # The untranslated column keeps the French label (assigning ``label`` would set the language of
    # the page's field instead: modeltranslation's descriptor).
    step.__dict__["label"] = labels["label_fr"]
    for code in OTHER_LANGUAGES:
        setattr(step, f"label_{code}", labels.get(f"label_{code}") or None)  # None: falls back to French


@transaction.atomic
def step_add(*, territory, labels: dict[str, str]) -> ChecklistStep:
    checklist_steps(territory)  # the defaults first, if the territory has no checklist yet
    last = ChecklistStep.objects.filter(territory=territory).aggregate(m=Max("position"))["m"]
    step = ChecklistStep(
        territory=territory,
        key=_unique_key(territory, labels["label_fr"]),
        position=0 if last is None else last + 1,
    )
    _set_labels(step, labels)
    step.save()
    return step


@transaction.atomic
def step_rename(*, step: ChecklistStep, labels: dict[str, str]) -> None:
    _set_labels(step, labels)
    step.save()


@transaction.atomic
def step_move(*, step: ChecklistStep, direction: str) -> bool:
    """Swap the step with its neighbour; False when it is already first (up) or last (down)."""
    steps = list(ChecklistStep.objects.select_for_update().filter(territory=step.territory_id))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(steps):
        return False
    steps[index], steps[other] = steps[other], steps[index]
    for position, item in enumerate(steps):
        if item.position != position:
            ChecklistStep.objects.filter(pk=item.pk).update(position=position)
    return True


@transaction.atomic
def step_remove(*, step: ChecklistStep) -> None:
    """Remove the step and its ticks; the checklist keeps at least one step."""
    if ChecklistStep.objects.filter(territory=step.territory_id).count() <= 1:
        raise ChecklistError(_("Le passeport garde au moins une étape : ajoutez-en une autre d'abord."))
    step.delete()


# --- Reads --------------------------------------------------------------------------------------------


def _passport(request, pk: int, perm: str) -> Passport:
    check_territory_perm(request, perm)
    return get_object_or_404(
        Passport.objects.of_territory(request.territory)
        .filter(prospect__anonymised_at__isnull=True)
        .select_related("prospect", "prospect__advisor", "territory"),
        pk=pk,
    )


def _step(request, pk: int) -> ChecklistStep:
    check_territory_perm(request, CONFIGURE)
    return get_object_or_404(ChecklistStep.objects.filter(territory=request.territory), pk=pk)


def _filtered(passports, form: PassportFilterForm):
    if not form.is_valid():
        return passports
    query, state = form.cleaned_data["q"].strip(), form.cleaned_data["state"]
    if query:
        condition = Q(number__icontains=query)
        for word in query.split():
            condition |= Q(prospect__first_name__icontains=word) | Q(prospect__last_name__icontains=word)
        passports = passports.filter(condition)
    today = timezone.localdate()
    if state == PassportState.VALID:
        passports = passports.valid(on=today)
    elif state == PassportState.EXPIRED:
        passports = passports.filter(revoked_at__isnull=True, valid_until__lt=today)
    elif state == PassportState.REVOKED:
        passports = passports.filter(revoked_at__isnull=False)
    return passports


# --- Views --------------------------------------------------------------------------------------------


@require_safe
def passport_list(request):
    check_territory_perm(request, VIEW)
    territory = request.territory
    form = PassportFilterForm(request.GET or None)
    passports = _filtered(
        Passport.objects.of_territory(territory)
        .filter(prospect__anonymised_at__isnull=True)
        .select_related("prospect", "prospect__advisor")
        .annotate(done=Count("steps_done"))
        .order_by("-opened_at", "-pk"),
        form,
    )
    page = Paginator(passports, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "total_steps": len(checklist_steps(territory)),
        "today": timezone.localdate(),
        "can_configure": request.user.has_perm(CONFIGURE, territory),
    }
    return render(request, "passports/staff_list.html", context)


@require_POST
def step_toggle(request, pk: int):
    """An advisor ticks or unticks a step of a passport (from the prospect page's panel)."""
    passport = _passport(request, pk, CHANGE)
    form = StepToggleForm(request.POST, territory=passport.territory)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("prospects_staff:detail", args=[passport.prospect_id]) + "#passeport"
    if not form.is_valid():
        messages.error(request, _("Cette étape n'existe pas (plus) dans la liste du territoire."))
    elif passport.revoked_at is not None:
        messages.error(request, _("Ce passeport est révoqué : ses étapes ne peuvent plus être modifiées."))
    else:
        step, done = form.cleaned_data["step"], form.cleaned_data["done"]
        try:
            step_set(passport=passport, step=step, done=done, by=request.user)
        except PassportError as exc:
            messages.error(request, exc.message)
        else:
            text = _("Étape « %(step)s » cochée.") if done else _("Étape « %(step)s » décochée.")
            messages.success(request, text % {"step": step.label})
    return redirect(back)


@require_safe
def passport_print(request, pk: int):
    """The holder's printable passport, for an advisor to print and hand over."""
    passport = _passport(request, pk, VIEW)
    prospect_log_access(prospect=passport.prospect, user=request.user)
    context = passport_context(request, passport)
    context["back_url"] = reverse("prospects_staff:detail", args=[passport.prospect_id]) + "#passeport"
    context["print_offers_max"] = PRINT_OFFERS_MAX
    context["staff_view"] = True
    return render(request, "passports/holder_print.html", context)


@require_http_methods(["GET", "POST"])
def checklist_config(request):
    """The territory's checklist: its steps in order, and the form adding one."""
    check_territory_perm(request, CONFIGURE)
    territory = request.territory
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = step_add(territory=territory, labels=form.labels())
        messages.success(request, _("Étape « %(step)s » ajoutée.") % {"step": step.label_fr})
        return redirect(reverse("passports_staff:checklist") + f"#step-{step.pk}")
    steps = checklist_steps(territory)
    ticked = dict(
        StepDone.objects.filter(step__territory=territory).values_list("step").annotate(n=Count("pk"))
    )
    rows = [{"step": step, "ticked": ticked.get(step.pk, 0)} for step in steps]
    context = {"form": form, "rows": rows, "languages": OTHER_LANGUAGES}
    return render(request, "passports/staff_checklist.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def step_edit(request, pk: int):
    step = _step(request, pk)
    form = StepForm(request.POST or None, step=step)
    if request.method == "POST" and form.is_valid():
        step_rename(step=step, labels=form.labels())
        messages.success(request, _("Étape « %(step)s » enregistrée.") % {"step": step.label_fr})
        return redirect(reverse("passports_staff:checklist") + f"#step-{step.pk}")
    return render(
        request,
        "passports/staff_step_edit.html",
        {"form": form, "step": step},
        status=400 if form.errors else 200,
    )


@require_POST
def step_move_view(request, pk: int):
    step = _step(request, pk)
    form = StepMoveForm(request.POST)
    if form.is_valid() and step_move(step=step, direction=form.cleaned_data["direction"]):
        messages.success(request, _("Étape « %(step)s » déplacée.") % {"step": step.label_fr})
    return redirect(reverse("passports_staff:checklist") + f"#step-{step.pk}")


@require_http_methods(["GET", "POST"])
def step_remove_view(request, pk: int):
    step = _step(request, pk)
    if request.method == "POST":
        try:
            step_remove(step=step)
        except ChecklistError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Étape « %(step)s » retirée.") % {"step": step.label_fr})
        return redirect("passports_staff:checklist")
    ticked = StepDone.objects.filter(step=step).count()
    return render(request, "passports/staff_step_remove.html", {"step": step, "ticked": ticked})
