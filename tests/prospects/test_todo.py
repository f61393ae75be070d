"""The "à faire" list (/suivi/porteurs/a-faire/): the next actions of an advisor, grouped overdue /
today / the next 7 days, with the number of overdue ones."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.prospects.models import Prospect
from sohosolo.prospects.selectors import ALL, todo
from tests.accounts.staff_factories import member
from tests.villages.factories import committee_member, village_in

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

TODO = "/fr/suivi/porteurs/a-faire/"
PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 3, 11)


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseillere@gers.fr", first_name="Claire", last_name="Bordes")


@pytest.fixture
def colleague(gers):
    return member(gers, Role.ADVISOR, email="collegue@gers.fr", first_name="Paul", last_name="Lannes")


@pytest.fixture
def clock():
    # Half past midnight on 11 March in France, still 10 March in UTC: the French day counts.
    with time_machine.travel(datetime(2026, 3, 11, 0, 30, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


def due(territory, name: str, days: int | None, advisor=None, **fields) -> Prospect:
    return ProspectFactory(
        territory=territory,
        first_name=name,
        advisor=advisor,
        next_action_on=None if days is None else TODAY + timedelta(days=days),
        next_action="" if days is None else f"Rappeler {name}",
        **fields,
    )


def grouped(response) -> dict[str, list[str]]:
    groups = response.context["groups"]
    return {
        "overdue": [p.first_name for p in groups.overdue],
        "today": [p.first_name for p in groups.today],
        "coming": [p.first_name for p in groups.coming],
    }


# --- Who may open it --------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login(client, gers):
    response = client.get(TODO)

    assert response.status_code == 302
    assert response["Location"].startswith("/fr/compte/connexion/?next=/fr/suivi/porteurs/a-faire/")


@pytest.mark.parametrize("role", [Role.PROSPECT, Role.MEMBER, Role.PARTNER])
def test_people_without_a_staff_role_are_refused(client, gers, role):
    client.force_login(member(gers, role))

    assert client.get(TODO).status_code == 403


def test_a_committee_member_is_refused(client, gers):
    client.force_login(committee_member(village_in(gers)))

    assert client.get(TODO).status_code == 403


def test_an_advisor_of_another_territory_gets_not_found(client, gers, landes):
    client.force_login(member(landes, Role.ADVISOR))

    assert client.get(TODO).status_code == 404


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.TERRITORY_ADMIN])
def test_advisors_and_admins_open_it(client, gers, role):
    client.force_login(member(gers, role))

    response = client.get(TODO)

    assert response.status_code == 200
    assert "<h1>À faire</h1>" in response.content.decode()


# --- Grouping ---------------------------------------------------------------------------------------


def test_my_next_actions_are_grouped_overdue_today_and_next_seven_days(client, gers, advisor, clock):
    due(gers, "LongRetard", -30, advisor)
    due(gers, "Hier", -1, advisor)
    due(gers, "Aujourdhui", 0, advisor)
    due(gers, "Demain", 1, advisor)
    due(gers, "Semaine", 7, advisor)
    due(gers, "TropLoin", 8, advisor)
    due(gers, "SansDate", None, advisor)
    client.force_login(advisor)

    response = client.get(TODO)

    assert grouped(response) == {
        "overdue": ["LongRetard", "Hier"],
        "today": ["Aujourdhui"],
        "coming": ["Demain", "Semaine"],
    }
    body = response.content.decode()
    assert "2 actions en retard" in body
    assert "Rappeler Hier" in body
    assert "En retard, prévue le 10/03/2026" in body  # said in words, not only in colour


def test_each_action_links_to_its_prospect(client, gers, advisor, clock):
    prospect = due(gers, "Camille", 0, advisor)
    client.force_login(advisor)

    body = client.get(TODO).content.decode()

    try:
        url = reverse("prospects_staff:detail", args=[prospect.pk])
    except NoReverseMatch:  # the prospect page is built in parallel
        assert "Camille" in body
    else:
        assert f'href="{url}"' in body


def test_by_default_only_my_prospects_and_only_this_territorys_active_ones(
    client, gers, landes, advisor, colleague, clock
):
    due(gers, "Moi", 0, advisor)
    due(gers, "Collegue", 0, colleague)
    due(gers, "Personne", 0)
    due(gers, "Effacee", 0, advisor, anonymised_at=timezone.now())
    landes_advisor = member(landes, Role.ADVISOR)
    due(landes, "Landais", 0, landes_advisor)
    client.force_login(advisor)

    assert grouped(client.get(TODO))["today"] == ["Moi"]


def test_another_advisor_nobody_or_the_whole_team_can_be_chosen(client, gers, advisor, colleague, clock):
    due(gers, "Moi", -2, advisor)
    due(gers, "Collegue", 0, colleague)
    due(gers, "Personne", 3)
    client.force_login(advisor)

    assert grouped(client.get(TODO, {"advisor": colleague.pk})) == {
        "overdue": [],
        "today": ["Collegue"],
        "coming": [],
    }
    assert grouped(client.get(TODO, {"advisor": "none"})) == {
        "overdue": [],
        "today": [],
        "coming": ["Personne"],
    }
    everyone = client.get(TODO, {"advisor": "all"})
    assert grouped(everyone) == {"overdue": ["Moi"], "today": ["Collegue"], "coming": ["Personne"]}
    assert "Paul Lannes" in everyone.content.decode()  # whose action it is


def test_an_advisor_of_another_territory_cannot_be_chosen(client, gers, landes, advisor, clock):
    stranger = member(landes, Role.ADVISOR)
    due(gers, "Moi", 0, advisor)
    client.force_login(advisor)

    response = client.get(TODO, {"advisor": stranger.pk})

    assert grouped(response)["today"] == ["Moi"]  # falls back to the current advisor
    assert response.context["selected"] == str(advisor.pk)


def test_the_advisor_choice_lists_me_the_team_nobody_and_all(client, gers, advisor, colleague):
    member(gers, Role.COMMITTEE, first_name="Bénévole")
    client.force_login(advisor)

    body = client.get(TODO).content.decode()

    assert f'<option value="{advisor.pk}" selected>Moi (Claire Bordes)</option>' in body
    assert f'<option value="{colleague.pk}">Paul Lannes</option>' in body
    assert '<option value="none">' in body and '<option value="all">' in body
    assert "Bénévole" not in body


def test_nothing_overdue_says_so(client, gers, advisor, clock):
    due(gers, "Demain", 1, advisor)
    client.force_login(advisor)

    body = client.get(TODO).content.decode()

    assert "Aucune action en retard." in body


def test_the_day_changes_at_midnight_in_france(gers, advisor):
    due(gers, "Mercredi", 0, advisor)  # 11 March
    # 00:30 in France on 12 March is still 11 March in UTC: the action is already overdue.
    with time_machine.travel(datetime(2026, 3, 12, 0, 30, tzinfo=PARIS), tick=False):
        groups = todo(gers, advisor=ALL)

    assert [p.first_name for p in groups.overdue] == ["Mercredi"]


def test_a_long_group_shows_its_oldest_actions_its_count_and_a_link_to_all_of_them(
    client, gers, advisor, clock
):
    from sohosolo.prospects.selectors import TODO_LIMIT

    Prospect.objects.bulk_create(
        Prospect(
            territory=gers,
            first_name=f"Retard{n:03d}",
            advisor=advisor,
            next_action_on=TODAY - timedelta(days=1 + n % 20),
            next_action="Rappeler",
        )
        for n in range(TODO_LIMIT + 5)
    )
    due(gers, "Aujourdhui", 0, advisor)
    client.force_login(advisor)

    response = client.get(TODO)

    groups = response.context["groups"]
    assert len(groups.overdue) == TODO_LIMIT
    assert groups.counts == {"overdue": TODO_LIMIT + 5, "today": 1, "coming": 0}
    dates = [p.next_action_on for p in groups.overdue]
    assert dates == sorted(dates) and dates[0] == TODAY - timedelta(days=20)  # the oldest first
    assert grouped(response)["today"] == ["Aujourdhui"]
    body = response.content.decode()
    assert f"{TODO_LIMIT + 5} actions en retard" in body  # the summary counts them all
    link = reverse("prospects_staff:list") + f"?due=overdue&amp;advisor={advisor.pk}&amp;sort=next_action_on"
    assert f'<a href="{link}">{TODO_LIMIT} actions affichées sur {TODO_LIMIT + 5}' in body
    assert "?due=today" not in body  # a short group has no such link


def test_the_whole_teams_list_names_each_advisor_and_links_without_an_advisor_filter(
    client, gers, advisor, colleague, clock
):
    from sohosolo.prospects.selectors import TODO_LIMIT

    Prospect.objects.bulk_create(
        Prospect(territory=gers, first_name=f"Demain{n:03d}", advisor=colleague, next_action_on=TODAY + timedelta(days=1), next_action="x")
        for n in range(TODO_LIMIT + 1)
    )  # fmt: skip
    client.force_login(advisor)

    body = client.get(TODO, {"advisor": "all"}).content.decode()

    assert "Paul Lannes" in body
    assert "?due=week&amp;sort=next_action_on" in body
