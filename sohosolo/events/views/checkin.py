"""Staff check-in list (/<lang>/suivi/agenda/pointage/<occurrence>/), made for a phone at the door.

The confirmed registrants with their answers, a search box, and per person two big buttons
« Présent » / « Absent ». With JavaScript, htmx posts the mark and swaps the person's row and the
counts in place; without it, the same form posts and redirects back to the list (search kept).
Each mark lands on the prospect's timeline (one attendance entry per registration, kept up to date).
Permission ``events.check_in``; an occurrence of another territory answers 404.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from sohosolo.accounts.permissions import territory_permission_required

from ..models import Attendance, Occurrence, Registration
from ..registration import AttendanceError, mark_attendance, occurrence_questions, question_label
from ..registration_forms import CheckinSearchForm

PERM = "events.check_in"


def _occurrence(request, occurrence_pk: int) -> Occurrence:
    return get_object_or_404(
        Occurrence.objects.of_territory(request.territory).select_related("series__territory"),
        pk=occurrence_pk,
    )


def _counts(occurrence: Occurrence) -> dict:
    return (
        Registration.objects.filter(occurrence=occurrence)
        .confirmed()
        .aggregate(
            total=Count("pk"),
            attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
            no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
            unmarked=Count("pk", filter=Q(attendance=Attendance.UNKNOWN)),
        )
    )


def _row(registration: Registration, questions: list[dict]) -> dict:
    answers = [
        (question_label(q), registration.answers.get(q["key"]))
        for q in questions
        if registration.answers.get(q["key"])
    ]
    return {"registration": registration, "answers": answers}


def _context(occurrence: Occurrence, **extra) -> dict:
    return {
        "occurrence": occurrence,
        "series": occurrence.series,
        "time_zone": occurrence.series.timezone,
        "counts": _counts(occurrence),
        **extra,
    }


@territory_permission_required(PERM)
@require_safe
def checkin_list(request, occurrence_pk: int):
    occurrence = _occurrence(request, occurrence_pk)
    form = CheckinSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    registrations = Registration.objects.filter(occurrence=occurrence).confirmed().order_by("name", "pk")
    if query:
        registrations = registrations.filter(Q(name__icontains=query) | Q(email__icontains=query))
    questions = occurrence_questions(occurrence)
    rows = [_row(r, questions) for r in registrations]
    return render(
        request, "events/checkin_list.html", _context(occurrence, form=form, query=query, rows=rows)
    )


@territory_permission_required(PERM)
@require_POST
def checkin_mark(request, occurrence_pk: int, registration_pk: int):
    occurrence = _occurrence(request, occurrence_pk)
    registration = get_object_or_404(Registration.objects.filter(occurrence=occurrence), pk=registration_pk)
    query = request.POST.get("q", "").strip()[:100]
    error = None
    try:
        registration = mark_attendance(
            registration=registration, attendance=request.POST.get("attendance", ""), by=request.user
        )
    except AttendanceError as exc:
        error = exc.message
    if request.htmx:
        context = _context(occurrence, row=_row(registration, occurrence_questions(occurrence)), query=query)
        context["error"] = error
        return render(request, "events/checkin_row_htmx.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    url = reverse("events_staff:checkin", kwargs={"occurrence_pk": occurrence.pk})
    if query:
        url += "?" + urlencode({"q": query})
    return redirect(f"{url}#registration-{registration.pk}")
