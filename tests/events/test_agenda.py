"""The public agenda: the list and the month view, their filters, an occurrence's page and its .ics.

One calendar across the territory and its villages; another territory's events, unpublished series,
past dates and dates beyond six months are absent; a cancelled date is shown as cancelled.
"""

import re

import icalendar
import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from sohosolo.events import signals  # noqa: F401  (connects the page-cache receivers)
from sohosolo.events.models import Audience, EventKind, OccurrenceStatus
from sohosolo.events.views import agenda as agenda_views

from . import agenda_helpers as helpers
from .agenda_helpers import LANDES, add_registrations, make_occurrence, make_series, paris

pytestmark = pytest.mark.django_db
frozen = helpers.frozen
scenario = helpers.scenario

AGENDA = "/fr/agenda/"


def page(client, path=AGENDA, **params) -> str:
    response = client.get(path, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def occurrence_links(body: str) -> list[str]:
    """The event pages linked from the page, in order."""
    return re.findall(r'href="/fr/agenda/[-\w]+/(\d+)/"', body)


def ids(*occurrences) -> list[str]:
    return [str(o.pk) for o in occurrences]


def main(body: str) -> str:
    return body.split('<main id="main"', 1)[1].split("</main>", 1)[0]


# --- The list --------------------------------------------------------------------------------------


def test_the_list_shows_the_coming_months_of_the_territory_and_its_villages(client, scenario):
    body = main(page(client))

    s = scenario
    assert occurrence_links(body) == ids(s.nov25, s.club_dec4, s.dec9, s.workshop_dec10, s.dec23, s.jan6)
    assert "6 rendez-vous dans les 6 prochains mois" in body
    assert '<h2 id="month-2026-11">Novembre 2026</h2>' in body
    assert '<h2 id="month-2027-01">Janvier 2027</h2>' in body
    assert '<time datetime="2026-11-25">Mercredi 25 novembre</time>' in body
    assert '<time datetime="2026-11-25T18:00:00+01:00">18:00</time>' in body
    # The village's club and the territory's meetings in one calendar, with kind and place.
    assert "Petit-déjeuner du Club · Café de la Halle, Lavardens · village de" in body
    assert "Réunion d&#x27;information · CCI du Gers, 1 place Jean David, 32000 Auch" in body
    assert "Atelier · en ligne" in body
    # What is not shown: another territory, unpublished, past, beyond six months.
    for absent in ("Rencontre landaise", "Réunion en preparation", "Réunion en préparation"):
        assert absent not in body
    assert str(s.past.pk) not in occurrence_links(body) and str(s.far.pk) not in occurrence_links(body)


def test_the_list_says_seats_left_full_members_only_and_cancelled(client, scenario):
    body = main(page(client))

    items = dict(
        re.findall(r'href="/fr/agenda/[-\w]+/(\d+)/".*?(<ul class="agenda-badges">.*?</ul>)', body, re.S)
    )
    assert "Complet – liste d'attente" in items[str(scenario.nov25.pk)]
    assert "29 places restantes" in items[str(scenario.dec9.pk)]  # waitlisted and cancelled do not count
    assert "Réservé aux membres" in items[str(scenario.club_dec4.pk)]
    cancelled = items[str(scenario.dec23.pk)]
    assert "Annulé" in cancelled and "places restantes" not in cancelled
    assert '<li class="agenda-item is-cancelled">' in body
    assert "(annulé)" in body  # said to screen readers beside the struck-through title


def test_another_territory_sees_its_own_agenda(client, scenario):
    body = main(client.get(AGENDA, **LANDES).content.decode())

    assert occurrence_links(body) == ids(scenario.landes)
    assert "Mercredi de l" not in body


def test_filter_by_kind(client, scenario):
    body = main(page(client, type=EventKind.CLUB))

    assert occurrence_links(body) == ids(scenario.club_dec4)
    assert '<option value="club" selected>' in body


def test_filter_by_village_lists_only_the_villages_with_events(client, scenario, gers):
    helpers_village = scenario.village
    body = main(page(client, village=helpers_village.slug))

    assert occurrence_links(body) == ids(scenario.club_dec4)
    assert f"village de {helpers_village.commune.name}" in body
    options = re.findall(r'<option value="([^"]*)"', body.split('id="id_village"')[1].split("</select>")[0])
    assert options == ["", helpers_village.slug]


def test_an_unknown_filter_value_is_ignored_and_said(client, scenario):
    body = main(page(client, type="castle"))

    assert len(occurrence_links(body)) == 6
    assert 'class="errorlist"' in body


def test_nothing_matching_says_so(client, scenario):
    body = main(page(client, type=EventKind.VILLAGE))

    assert occurrence_links(body) == []
    assert "Aucun rendez-vous ne correspond à ces critères." in body


def test_english_readers_get_their_date_and_time_format_in_paris_time(client, scenario):
    body = main(client.get("/en/agenda/").content.decode())

    assert "Wednesday 25 November" in body
    assert '<time datetime="2026-11-25T18:00:00+01:00">6 p.m.</time>' in body
    assert 'href="/en/agenda/mercredis/' in body


# --- The month view --------------------------------------------------------------------------------


def month(client, value: str, **params) -> str:
    return main(page(client, vue="mois", mois=value, **params))


def test_the_month_view_is_an_accessible_table_with_events_in_their_days(client, scenario):
    body = month(client, "2026-12")

    table = body.split('<table class="month-grid">')[1].split("</table>")[0]
    assert "<caption>Rendez-vous de décembre 2026</caption>" in table
    assert re.findall(r'<th scope="col"><abbr title="(\w+)">(\w+)</abbr></th>', table)[:2] == [
        ("lundi", "lun"),
        ("mardi", "mar"),
    ]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)
    assert len(cells) == 35  # five weeks, Monday first
    assert cells[0] == ""  # 30 November: the previous month's day stays empty
    december_9 = next(c for c in cells if 'datetime="2026-12-09"' in c)
    assert f'href="/fr/agenda/mercredis/{scenario.dec9.pk}/"' in december_9 and ">18:00</time>" in december_9
    december_23 = next(c for c in cells if 'datetime="2026-12-23"' in c)
    assert 'class="is-cancelled"' in december_23 and "Annulé" in december_23
    december_4 = next(c for c in cells if 'datetime="2026-12-04"' in c)
    assert "Club Soho Solo" in december_4 and "Membres" in december_4
    assert "Rencontre landaise" not in body and str(scenario.jan6.pk) not in occurrence_links(table)
    assert "4 rendez-vous en décembre 2026" in body
    assert '<a href="/fr/agenda/?vue=mois&amp;mois=2026-12" aria-current="page">Mois</a>' in body


def test_the_month_view_also_holds_the_list_phones_show(client, scenario):
    body = month(client, "2026-12")

    phone_list = body.split('<div class="month-list">')[1]
    assert occurrence_links(phone_list) == ids(
        scenario.club_dec4, scenario.dec9, scenario.workshop_dec10, scenario.dec23
    )
    assert 'id="list-month-2026-12"' in phone_list  # ids distinct from the table's page


def test_month_navigation_stays_within_the_agenda(client, scenario):
    november = month(client, "2026-11")
    december = month(client, "2026-12")
    last = month(client, "2027-05")

    assert 'rel="prev"' not in november  # nothing before this month
    assert '<a href="/fr/agenda/?vue=mois&amp;mois=2026-12" rel="next">Décembre 2026' in november
    assert 'href="/fr/agenda/?vue=mois&amp;mois=2026-11" rel="prev"' in december
    assert 'rel="next"' not in last and 'mois=2027-04" rel="prev"' in last
    # Out of range or malformed: the nearest month the agenda covers.
    assert "<caption>Rendez-vous de mai 2027</caption>" in month(client, "2031-01")
    assert "<caption>Rendez-vous de novembre 2026</caption>" in month(client, "2020-01")
    assert "<caption>Rendez-vous de novembre 2026</caption>" in month(client, "2026-13")
    today_cell = re.search(r'<td class="today" aria-current="date">(.*?)</td>', november, re.S)
    assert today_cell and 'datetime="2026-11-20"' in today_cell.group(1)


def test_filters_apply_to_the_month_view_and_keep_it(client, scenario):
    body = month(client, "2026-12", type=EventKind.INFO_MEETING)

    assert occurrence_links(body.split("</table>")[0]) == ids(scenario.dec9, scenario.dec23)
    form = body.split('<form class="search-form agenda-filters"')[1].split("</form>")[0]
    assert '<input type="hidden" name="vue" value="mois">' in form
    assert '<input type="hidden" name="mois" value="2026-12">' in form
    assert 'href="/fr/agenda/?type=info_meeting&amp;vue=mois&amp;mois=2027-01" rel="next"' in body
    assert 'href="/fr/agenda/?type=info_meeting" >' not in body
    assert '<a href="/fr/agenda/?type=info_meeting">Liste</a>' in body


def test_english_month_view_starts_on_sunday(client, scenario):
    body = main(client.get("/en/agenda/", {"vue": "mois", "mois": "2026-12"}).content.decode())

    headers = re.findall(r'<abbr title="(\w+)">', body)
    assert headers[0] == "Sunday" and headers[1] == "Monday"


# --- Query count -----------------------------------------------------------------------------------


def queries_for(client, path: str, params: dict) -> int:
    client.get(path, params)  # warm the territory table
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"vue": "mois", "mois": "2026-12"}], ids=["list", "month"])
def test_the_query_count_does_not_grow_with_the_occurrences(client, gers, frozen, params):
    village = helpers.village_in(gers)
    series = make_series(gers, "mercredis", rrule="FREQ=DAILY", village=village)
    first = make_occurrence(series, paris(2026, 12, 1))
    add_registrations(first, 1)
    one = queries_for(client, AGENDA, params)

    for day in range(2, 31):
        occurrence = make_occurrence(series, paris(2026, 12, day))
        add_registrations(occurrence, 2)
    thirty = queries_for(client, AGENDA, params)

    assert one == thirty
    assert one <= 3


# --- An occurrence's page --------------------------------------------------------------------------


def detail_url(occurrence) -> str:
    return f"/fr/agenda/{occurrence.series.slug}/{occurrence.pk}/"


def test_the_event_page_shows_what_a_visitor_needs(client, scenario):
    s = scenario
    s.mercredis.description_fr = "Une heure pour comprendre l'accompagnement, puis vos questions."
    s.mercredis.save()

    body = main(page(client, detail_url(s.dec9)))

    assert "<h1>Mercredi de l&#x27;installation</h1>" in body
    assert "Réunion d&#x27;information" in body
    assert '<time datetime="2026-12-09T18:00:00+01:00">Mercredi 9 décembre 2026</time>' in body
    assert "de 18:00 à 19:30 (1 h 30)" in body and "heure de Paris" in body
    assert "<address>CCI du Gers, 1 place Jean David, 32000 Auch</address>" in body
    assert "Ouvert à tous" in body
    assert "29 places restantes sur 30" in body
    assert "Une heure pour comprendre l&#x27;accompagnement" in body
    assert f'href="/fr/agenda/{s.dec9.pk}.ics"' in body and "Ajouter à mon agenda" in body
    # A small map with a text alternative, mounted by the village pages' script.
    assert 'data-map="occurrence"' in body and "Alternative textuelle : un marqueur indique le lieu" in body
    assert '"markers": [{"lat": 43.6465, "lon": 0.5855' in body
    # Other dates of the series, this one excluded.
    other = body.split('id="other-dates-title"')[1]
    assert occurrence_links(other) == ids(s.nov25, s.dec23, s.jan6, s.far)
    assert "webcal://testserver/fr/agenda/mercredis/calendrier.ics" in body


def test_the_registration_button_links_the_registration_page_when_it_exists(client, scenario):
    body = main(page(client, detail_url(scenario.dec9)))
    try:
        register_url = reverse("events:register", args=[scenario.dec9.pk])
    except NoReverseMatch:
        assert "S'inscrire" not in body
    else:
        assert f'<a class="button" href="{register_url}">' + "S'inscrire<" in body


def test_a_full_date_offers_the_waiting_list(client, scenario):
    body = main(page(client, detail_url(scenario.nov25)))

    assert "Complet – liste d'attente" in body
    try:
        register_url = reverse("events:register", args=[scenario.nov25.pk])
    except NoReverseMatch:
        return
    assert f'<a class="button" href="{register_url}">' + "S'inscrire sur la liste d'attente" in body


def test_a_members_only_event_says_who_may_register(client, scenario):
    body = main(page(client, detail_url(scenario.club_dec4)))

    assert "Solos installés (membres)" in body
    assert "Réservé aux Solos installés, membres du réseau : connectez-vous pour vous inscrire." in body
    assert "village de" in body


def test_an_online_link_is_shown_for_public_events_only(client, scenario):
    public = main(page(client, detail_url(scenario.workshop_dec10)))
    scenario.workshop_dec10.audience = Audience.MEMBERS
    scenario.workshop_dec10.save()
    restricted = main(page(client, detail_url(scenario.workshop_dec10)))

    assert (
        'href="https://visio.exemple.fr/atelier-statut"' in public
        and "Rejoindre la réunion en ligne" in public
    )
    assert "data-map" not in public  # no position: no map
    assert "visio.exemple.fr" not in restricted
    assert "En ligne : le lien est envoyé aux inscrits." in restricted


def test_a_cancelled_date_says_so_with_the_reason(client, scenario):
    body = main(page(client, detail_url(scenario.dec23)))

    assert "Ce rendez-vous est annulé." in body and "Motif : Congés de fin d&#x27;année" in body
    assert "places restantes" not in body.split('id="other-dates-title"')[0]
    assert 'class="button" href' not in body  # no registration


def test_a_past_date_says_it_took_place(client, scenario):
    body = main(page(client, detail_url(scenario.past)))

    assert "Ce rendez-vous a eu lieu." in body and 'class="button" href' not in body


@pytest.mark.parametrize("which", ["draft", "landes", "missing"])
def test_unpublished_foreign_or_missing_events_are_not_found(client, scenario, which):
    url = {
        "draft": detail_url(scenario.draft),
        "landes": detail_url(scenario.landes),
        "missing": "/fr/agenda/mercredis/999999/",
    }[which]

    assert client.get(url).status_code == 404


def test_a_wrong_series_slug_redirects_to_the_right_page(client, scenario):
    response = client.get(f"/fr/agenda/ancien-nom/{scenario.dec9.pk}/")

    assert response.status_code == 301
    assert response["Location"] == detail_url(scenario.dec9)


def test_the_event_page_reads_a_fixed_number_of_queries(client, scenario):
    assert queries_for(client, detail_url(scenario.dec9), {}) <= 3


def test_registration_and_cancellation_words_are_never_a_series_slug():
    for path in ("/fr/agenda/inscription/12/", "/fr/agenda/annulation/12/"):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        assert match.func is not agenda_views.occurrence_detail, path


# --- The .ics of one occurrence --------------------------------------------------------------------


def test_the_ics_of_one_occurrence_parses_back_at_18_paris(client, scenario):
    response = client.get(f"/fr/agenda/{scenario.dec9.pk}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (18, 0, "Europe/Paris")
    assert str(event["summary"]) == "Mercredi de l'installation"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"


def test_the_ics_of_a_restricted_online_event_keeps_its_link_for_registrants(client, scenario):
    scenario.workshop_dec10.audience = Audience.PROSPECTS
    scenario.workshop_dec10.save()

    text = client.get(f"/fr/agenda/{scenario.workshop_dec10.pk}.ics").content.decode()

    assert "visio.exemple.fr" not in text
    assert client.get(f"/fr/agenda/{scenario.draft.pk}.ics").status_code == 404


# --- The page cache --------------------------------------------------------------------------------


@override_settings(PAGE_CACHE_ENABLED=True)
def test_a_registration_refreshes_the_cached_agenda(client, scenario, django_capture_on_commit_callbacks):
    assert "29 places restantes" in page(client)
    assert client.get(AGENDA)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        helpers.Registration.objects.create(
            occurrence=scenario.dec9, name="Nouvelle", email="nouvelle@exemple.fr", status="confirmed"
        )

    response = client.get(AGENDA)
    assert "X-Page-Cache" not in response
    assert "28 places restantes" in response.content.decode()


@override_settings(PAGE_CACHE_ENABLED=True)
def test_a_cancelled_occurrence_shows_at_once(client, scenario, django_capture_on_commit_callbacks):
    page(client, detail_url(scenario.jan6))

    with django_capture_on_commit_callbacks(execute=True):
        scenario.jan6.status = OccurrenceStatus.CANCELLED
        scenario.jan6.save()

    assert "Ce rendez-vous est annulé." in page(client, detail_url(scenario.jan6))


@override_settings(PAGE_CACHE_ENABLED=True)
def test_a_check_in_leaves_the_cached_pages_alone(client, scenario, django_capture_on_commit_callbacks):
    page(client)
    registration = helpers.Registration.objects.get(occurrence=scenario.dec9, status="confirmed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        registration.attendance = "attended"
        registration.save(update_fields=["attendance", "checked_in_at"])

    assert callbacks == []
    assert client.get(AGENDA)["X-Page-Cache"] == "hit"
