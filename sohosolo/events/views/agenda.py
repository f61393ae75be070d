"""Public agenda: the list and the month view (filters by kind and village), an occurrence's page, its
.ics, and the iCalendar feeds of the territory and of one series.

All public, cached for anonymous visitors (sohosolo.events.signals forgets the cached pages when a
series, an occurrence or a registration changes, so seats left stay right).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sohosolo.core.decorators import public, territory_or_404
from sohosolo.core.page_cache import cache_for_anonymous

from .. import agenda, ical
from ..agenda_forms import MONTH_VIEW, AgendaFilterForm, month_param
from ..models import Audience, Occurrence, OccurrenceStatus, Series
from ..series_services import ICS_FILENAME, occurrence_ics

CACHE_SECONDS = 300


# --- Helpers ---------------------------------------------------------------------------------------


def _feed_links(request, path: str, query: str = "") -> dict:
    """The https link of a feed and its webcal:// twin (calendar applications subscribe to it)."""
    suffix = f"?{query}" if query else ""
    https = request.build_absolute_uri(path) + suffix
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _filter_query(filters, **extra) -> str:
    params = {"type": filters.kind, "village": filters.village, **extra}
    return urlencode({key: value for key, value in params.items() if value})


def _agenda_url(filters, **extra) -> str:
    """The agenda with the current filters (and ``extra``, e.g. the month view)."""
    query = _filter_query(filters, **extra)
    return reverse("events:agenda") + (f"?{query}" if query else "")


def duration_label(minutes: int) -> str:
    hours, rest = divmod(max(minutes, 0), 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}


# --- The agenda ------------------------------------------------------------------------------------


@public
@require_safe
@cache_for_anonymous(CACHE_SECONDS)
def agenda_view(request):
    """The coming six months as a list, or one month as a table (?vue=mois&mois=2026-12)."""
    territory = territory_or_404(request)
    today = agenda.today_in(territory.time_zone)
    villages = agenda.agenda_villages(territory)
    form = AgendaFilterForm(request.GET or None, villages=villages)
    filters = form.filters(today=today)
    feed_query = _filter_query(filters)
    context = {
        "form": form,
        "filters": filters,
        "view": filters.view,
        "village_name": dict(villages).get(filters.village, ""),
        "list_url": _agenda_url(filters),
        "month_url": _agenda_url(filters, vue=MONTH_VIEW, mois=month_param(filters.month)),
        "feed": _feed_links(request, reverse("events:feed"), feed_query),
        "horizon_months": agenda.HORIZON_MONTHS,
    }
    if filters.view == MONTH_VIEW:
        month = filters.month
        occurrences = agenda.in_month(territory, month, kind=filters.kind, village=filters.village)
        first, last = today.replace(day=1), agenda.add_months(today, agenda.HORIZON_MONTHS)
        previous_month, next_month = agenda.add_months(month, -1), agenda.add_months(month, 1)
        order = agenda.weekday_order()
        context |= {
            "month": month,
            "weeks": agenda.month_grid(month, occurrences, today=today),
            "weekdays": [(WEEKDAYS[day], WEEKDAYS_ABBR[day]) for day in order],
            "months": agenda.group_by_month(occurrences),
            "count": len(occurrences),
            "previous_month": previous_month if previous_month >= first else None,
            "next_month": next_month if next_month <= last else None,
            "previous_url": _agenda_url(filters, vue=MONTH_VIEW, mois=month_param(previous_month)),
            "next_url": _agenda_url(filters, vue=MONTH_VIEW, mois=month_param(next_month)),
        }
    else:
        occurrences = agenda.upcoming(territory, kind=filters.kind, village=filters.village)
        context |= {"months": agenda.group_by_month(occurrences), "count": len(occurrences)}
    return render(request, "events/agenda_page.html", context)


# --- One occurrence --------------------------------------------------------------------------------


def _occurrence_or_404(request, pk: int) -> Occurrence:
    territory = territory_or_404(request)
    try:
        return agenda.public_occurrence(territory, pk)
    except Occurrence.DoesNotExist:
        raise Http404("No such event.") from None


def _map_data(occurrence: Occurrence) -> dict | None:
    if occurrence.lat is None or occurrence.lon is None:
        return None
    label = occurrence.address or str(occurrence.series.title)
    return {
        "centre": [occurrence.lat, occurrence.lon],
        "boundary": None,
        "markers": [{"lat": occurrence.lat, "lon": occurrence.lon, "label": label}],
    }


@public
@require_safe
@cache_for_anonymous(CACHE_SECONDS)
def occurrence_detail(request, series_slug: str, pk: int):
    occurrence = _occurrence_or_404(request, pk)
    series = occurrence.series
    if series.slug != series_slug:
        return redirect(agenda.occurrence_path(occurrence), permanent=True)
    now = timezone.now()
    description = str(occurrence.description or series.description or "")
    context = {
        "occurrence": occurrence,
        "series": series,
        "description": description,
        "duration": duration_label(int((occurrence.ends_at - occurrence.starts_at).total_seconds() // 60)),
        "is_cancelled": occurrence.status == OccurrenceStatus.CANCELLED,
        "is_past": occurrence.ends_at < now,
        "has_started": occurrence.starts_at <= now,
        "show_online_url": bool(occurrence.online_url) and occurrence.audience == Audience.PUBLIC,
        "map_data": _map_data(occurrence),
        "other_dates": agenda.other_dates(occurrence, now=now),
        "series_feed": _feed_links(request, reverse("events:series_feed", args=[series.slug])),
        "ics_url": reverse("events:occurrence_ics", args=[occurrence.pk]),
    }
    return render(request, "events/occurrence_detail.html", context)


@public
@require_safe
@cache_for_anonymous(CACHE_SECONDS)
def occurrence_ics_view(request, pk: int):
    """« Ajouter à mon agenda »: this occurrence alone, as the registrants' confirmation attaches it."""
    occurrence = _occurrence_or_404(request, pk)
    if occurrence.audience != Audience.PUBLIC:
        occurrence.online_url = ""  # in memory only: registrants get the link in their confirmation
    text = occurrence_ics(
        occurrence,
        language=request.LANGUAGE_CODE,
        base_url=f"{request.scheme}://{request.get_host()}",
    )
    response = HttpResponse(text, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{ICS_FILENAME}"'
    return response


# --- Feeds -----------------------------------------------------------------------------------------


def _feed_response(request, series_list: list[Series], *, name: str, filename: str) -> HttpResponse:
    territory = request.territory
    text = ical.build_feed(
        series_list,
        name=name,
        link=lambda occurrence: request.build_absolute_uri(agenda.occurrence_path(occurrence)),
        agenda_url=request.build_absolute_uri(reverse("events:agenda")),
        tzid=territory.time_zone,
    )
    response = HttpResponse(text, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public
@require_safe
@cache_for_anonymous(CACHE_SECONDS)
def territory_feed(request):
    """Every published series of the territory and its villages (the agenda's filters apply)."""
    territory = territory_or_404(request)
    form = AgendaFilterForm(request.GET or None, villages=agenda.agenda_villages(territory))
    filters = form.filters(today=agenda.today_in(territory.time_zone))
    series = Series.objects.of_territory(territory).published().select_related("territory")
    if filters.kind:
        series = series.filter(kind=filters.kind)
    if filters.village:
        series = series.filter(village__slug=filters.village)
    name = _("Agenda Soho Solo %(territory)s") % {"territory": territory.name}
    return _feed_response(
        request, list(series.order_by("pk")), name=name, filename=f"agenda-{territory.slug}.ics"
    )


@public
@require_safe
@cache_for_anonymous(CACHE_SECONDS)
def series_feed(request, series_slug: str):
    territory = territory_or_404(request)
    series = get_object_or_404(
        Series.objects.of_territory(territory).published().select_related("territory"), slug=series_slug
    )
    name = _("%(title)s – Soho Solo %(territory)s") % {"title": series.title, "territory": territory.name}
    return _feed_response(request, [series], name=name, filename=f"{series.slug}.ics")
