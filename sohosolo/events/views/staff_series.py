"""Staff pages of the agenda (/<lang>/suivi/agenda/): series and their occurrences.

Territory staff (``events.manage_events``) list the series with their next occurrences and how many
registered, create and edit a series with a recurrence builder, and edit, move or cancel one
occurrence (moving and cancelling email its registrants). A series or occurrence of another
territory answers 404.
"""

from datetime import date

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from sohosolo.accounts.permissions import territory_permission_required
from sohosolo.territories.models import Commune

from .. import rules  # noqa: F401  (the permissions below)
from ..models import Occurrence, OccurrenceStatus, RegistrationStatus, Series
from ..recurrence import next_times
from ..series_forms import CancelForm, MoveForm, OccurrenceForm, SeriesForm, describe_rule
from ..series_services import (
    SeriesError,
    occurrence_cancel,
    occurrence_move,
    occurrence_path,
    occurrence_update,
    series_create,
    series_update,
)

PERM = "events.manage_events"
UPCOMING_PER_SERIES = 4


def _with_counts(occurrences):
    return occurrences.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waitlisted=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
    )


def _series(request, pk: int) -> Series:
    return get_object_or_404(
        Series.objects.of_territory(request.territory).select_related("village__commune"), pk=pk
    )


def _occurrence(request, pk: int) -> Occurrence:
    return get_object_or_404(
        _with_counts(Occurrence.objects.of_territory(request.territory).select_related("series__territory")),
        pk=pk,
    )


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _checkin_url(occurrence: Occurrence) -> str | None:
    try:
        return reverse("events_staff:checkin", kwargs={"occurrence_pk": occurrence.pk})
    except NoReverseMatch:
        return None


def _map_data(territory, lat, lon, marker_label: str) -> dict | None:
    """What point-picker.js needs: the territory's largest commune as the starting view, the point."""
    commune = Commune.objects.of_territory(territory).order_by("-population", "pk").first()
    if commune is None and lat is None:
        return None
    centre = [commune.lat, commune.lon] if commune is not None else [lat, lon]
    return {
        "boundary": None,
        "centre": centre,
        "point": [lat, lon] if lat is not None and lon is not None else None,
        "markerLabel": marker_label,
        "commune": commune.name if commune is not None else "",
    }


def _materialise_message(request, result) -> None:
    if result.kept:
        messages.warning(
            request,
            ngettext(
                "%(count)s rendez-vous déjà modifié ou avec des inscrits a gardé ses réglages : "
                "modifiez-le ou déplacez-le à part si besoin (les inscrits sont prévenus).",
                "%(count)s rendez-vous déjà modifiés ou avec des inscrits ont gardé leurs réglages : "
                "modifiez-les ou déplacez-les un par un si besoin (les inscrits sont prévenus).",
                len(result.kept),
            )
            % {"count": len(result.kept)},
        )
    if result.cancelled:
        messages.warning(
            request,
            ngettext(
                "%(count)s rendez-vous qui avait des inscrits a été annulé ; ils ont été prévenus par e-mail.",
                "%(count)s rendez-vous qui avaient des inscrits ont été annulés ; ils ont été prévenus par e-mail.",
                result.cancelled,
            )
            % {"count": result.cancelled},
        )


def _dates(values) -> list[date]:
    dates = []
    for value in values or []:
        try:
            dates.append(date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return dates


# --- Series ----------------------------------------------------------------------------------------


@require_safe
@territory_permission_required(PERM)
def series_list(request):
    now = timezone.now()
    upcoming = _with_counts(Occurrence.objects.filter(ends_at__gte=now).order_by("starts_at", "pk"))
    series = list(
        Series.objects.of_territory(request.territory)
        .select_related("village__commune")
        .prefetch_related(Prefetch("occurrences", queryset=upcoming, to_attr="upcoming"))
        .order_by("-is_published", "title")
    )
    for item in series:
        item.rule_text = describe_rule(item)
        item.next_upcoming = item.upcoming[:UPCOMING_PER_SERIES]
        item.more_upcoming = max(len(item.upcoming) - UPCOMING_PER_SERIES, 0)
    return render(
        request,
        "events/staff_series_list.html",
        {"series_list": series, "time_zone": request.territory.time_zone},
    )


def _render_series_form(request, form: SeriesForm, series: Series | None):
    lat = form["lat"].value() if form.is_bound else form.initial.get("lat")
    lon = form["lon"].value() if form.is_bound else form.initial.get("lon")
    try:
        lat, lon = (
            (float(str(lat).replace(",", ".")), float(str(lon).replace(",", ".")))
            if lat and lon
            else (None, None)
        )
    except ValueError:
        lat, lon = None, None
    context = {
        "form": form,
        "series": series,
        "map_data": _map_data(request.territory, lat, lon, _("Lieu du rendez-vous")),
    }
    return render(request, "events/staff_series_form.html", context, status=400 if form.errors else 200)


def _save_series(request, form: SeriesForm, series: Series | None):
    if not form.is_valid():
        return None, None
    try:
        if series is None:
            return series_create(
                territory=request.territory,
                data=form.series_data(),
                by=request.user,
                base_url=_base_url(request),
            )
        return series_update(
            series=series, data=form.series_data(), by=request.user, base_url=_base_url(request)
        )
    except SeriesError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None, None


@require_http_methods(["GET", "POST"])
@territory_permission_required(PERM)
def series_create_view(request):
    form = SeriesForm(request.POST or None, territory=request.territory)
    if request.method == "POST":
        series, result = _save_series(request, form, None)
        if series is not None:
            messages.success(
                request,
                _("Série « %(title)s » créée : ses rendez-vous des six prochains mois sont dans l'agenda.")
                % {"title": series.title},
            )
            _materialise_message(request, result)
            return redirect("events_staff:series_detail", pk=series.pk)
    return _render_series_form(request, form, None)


@require_http_methods(["GET", "POST"])
@territory_permission_required(PERM)
def series_edit_view(request, pk: int):
    series = _series(request, pk)
    form = SeriesForm(request.POST or None, territory=request.territory, series=series)
    if request.method == "POST":
        saved, result = _save_series(request, form, series)
        if saved is not None:
            messages.success(request, _("Série « %(title)s » enregistrée.") % {"title": saved.title})
            _materialise_message(request, result)
            return redirect("events_staff:series_detail", pk=saved.pk)
    return _render_series_form(request, form, series)


@require_safe
@territory_permission_required(PERM)
def series_detail(request, pk: int):
    series = _series(request, pk)
    now = timezone.now()
    occurrences = list(_with_counts(series.occurrences.filter(ends_at__gte=now)).order_by("starts_at", "pk"))
    past = list(_with_counts(series.occurrences.filter(ends_at__lt=now)).order_by("-starts_at", "-pk")[:10])
    for occurrence in [*occurrences, *past]:
        occurrence.checkin_url = _checkin_url(occurrence)
        occurrence.public_url = occurrence_path(occurrence)
    context = {
        "series": series,
        "rule_text": describe_rule(series),
        "exdates": sorted(_dates(series.exdates)),
        "occurrences": occurrences,
        "past": past,
        "preview": [] if occurrences else next_times(series, 3),
        "time_zone": series.timezone,
    }
    return render(request, "events/staff_series_detail.html", context)


# --- One occurrence -------------------------------------------------------------------------------


def _render_occurrence_form(request, template: str, form, occurrence: Occurrence, **extra):
    context = {
        "form": form,
        "occurrence": occurrence,
        "series": occurrence.series,
        "time_zone": occurrence.series.timezone,
        **extra,
    }
    return render(request, template, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@territory_permission_required(PERM)
def occurrence_edit_view(request, pk: int):
    occurrence = _occurrence(request, pk)
    form = OccurrenceForm(request.POST or None, occurrence=occurrence)
    if request.method == "POST" and form.is_valid():
        try:
            occurrence_update(
                occurrence=occurrence,
                data=form.occurrence_data(),
                by=request.user,
                base_url=_base_url(request),
            )
        except SeriesError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Rendez-vous enregistré. La série ne modifiera plus ce rendez-vous automatiquement."),
            )
            return redirect("events_staff:series_detail", pk=occurrence.series_id)
    map_data = _map_data(request.territory, occurrence.lat, occurrence.lon, _("Lieu du rendez-vous"))
    return _render_occurrence_form(
        request, "events/staff_occurrence_form.html", form, occurrence, map_data=map_data
    )


@require_http_methods(["GET", "POST"])
@territory_permission_required(PERM)
def occurrence_cancel_view(request, pk: int):
    occurrence = _occurrence(request, pk)
    if occurrence.status == OccurrenceStatus.CANCELLED:
        messages.info(request, _("Ce rendez-vous est déjà annulé."))
        return redirect("events_staff:series_detail", pk=occurrence.series_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            occurrence_cancel(
                occurrence=occurrence,
                reason=form.cleaned_data["reason"],
                by=request.user,
                base_url=_base_url(request),
            )
        except SeriesError as exc:
            form.add_error("reason", exc.message)
        else:
            count = occurrence.confirmed + occurrence.waitlisted
            messages.success(
                request,
                ngettext(
                    "Rendez-vous annulé. %(count)s inscrit a été prévenu par e-mail.",
                    "Rendez-vous annulé. %(count)s inscrits ont été prévenus par e-mail.",
                    count,
                )
                % {"count": count},
            )
            return redirect("events_staff:series_detail", pk=occurrence.series_id)
    return _render_occurrence_form(request, "events/staff_occurrence_cancel.html", form, occurrence)


@require_http_methods(["GET", "POST"])
@territory_permission_required(PERM)
def occurrence_move_view(request, pk: int):
    occurrence = _occurrence(request, pk)
    form = MoveForm(request.POST or None, occurrence=occurrence)
    if request.method == "POST" and form.is_valid():
        try:
            occurrence_move(
                occurrence=occurrence,
                starts_at_local=form.starts_at_local(),
                duration_minutes=form.cleaned_data["duration_minutes"],
                by=request.user,
                base_url=_base_url(request),
            )
        except SeriesError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            count = occurrence.confirmed + occurrence.waitlisted
            messages.success(
                request,
                ngettext(
                    "Rendez-vous déplacé. %(count)s inscrit a reçu le nouvel horaire par e-mail.",
                    "Rendez-vous déplacé. %(count)s inscrits ont reçu le nouvel horaire par e-mail.",
                    count,
                )
                % {"count": count},
            )
            return redirect("events_staff:series_detail", pk=occurrence.series_id)
    return _render_occurrence_form(request, "events/staff_occurrence_move.html", form, occurrence)
