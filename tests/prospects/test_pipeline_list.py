"""The advisors' pipeline list (/suivi/porteurs/): who may open it, what it lists, its filters, funnel,
sorting, pages, and a number of queries that does not grow with the number of prospects."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.prospects.models import Channel, Prospect, Sector, Stage
from sohosolo.prospects.selectors import pipeline_prospects, stage_counts
from tests.accounts.factories import UserFactory
from tests.accounts.staff_factories import member
from tests.villages.factories import committee_member, village_in

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

LIST = "/fr/suivi/porteurs/"
LANDES = {"HTTP_HOST": "landes.localhost"}
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=PARIS)  # a Wednesday


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseillere@gers.fr", first_name="Claire", last_name="Bordes")


@pytest.fixture
def admin(gers):
    return member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr", first_name="Alain", last_name="Sempé")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def prospect(territory, **fields) -> Prospect:
    return ProspectFactory(territory=territory, **fields)


def listed(response) -> list[Prospect]:
    return [row.record for row in response.context["table"].page.object_list]


def names(response) -> list[str]:
    return [p.first_name for p in listed(response)]


def funnel_counts(response) -> dict[str, int]:
    funnel = response.context["funnel"]
    return {step.stage: step.count for step in [*funnel.steps, funnel.lost]}


# --- Who may open it --------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login(client, gers):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/fr/compte/connexion/?next=/fr/suivi/porteurs/")


@pytest.mark.parametrize("role", [Role.PROSPECT, Role.MEMBER, Role.PARTNER])
def test_people_of_the_territory_without_a_staff_role_are_refused(client, gers, role):
    client.force_login(member(gers, role))

    assert client.get(LIST).status_code == 403


def test_a_committee_member_is_refused(client, gers):
    client.force_login(committee_member(village_in(gers)))

    assert client.get(LIST).status_code == 403


def test_an_advisor_of_another_territory_gets_not_found(client, gers, landes):
    prospect(gers, first_name="Gersoise")
    client.force_login(member(landes, Role.ADVISOR))

    assert client.get(LIST).status_code == 404


@pytest.mark.parametrize("who", ["advisor", "admin"])
def test_advisors_and_territory_admins_see_the_list(client, gers, who, request):
    prospect(gers, first_name="Camille")
    client.force_login(request.getfixturevalue(who))

    response = client.get(LIST)

    assert response.status_code == 200
    assert names(response) == ["Camille"]
    assert "<h1>Porteurs de projet</h1>" in response.content.decode()


def test_a_platform_admin_sees_the_list(client, gers):
    client.force_login(UserFactory(admin=True))

    assert client.get(LIST).status_code == 200


def test_only_posting_is_not_allowed(client, gers, advisor):
    client.force_login(advisor)

    assert client.post(LIST).status_code == 405


# --- What it lists ----------------------------------------------------------------------------------


def test_only_the_territorys_active_prospects_are_listed(client, gers, landes, advisor):
    prospect(gers, first_name="Gersoise")
    prospect(gers, first_name="Effacée", anonymised_at=timezone.now())
    prospect(landes, first_name="Landaise")
    client.force_login(advisor)

    response = client.get(LIST)

    assert names(response) == ["Gersoise"]
    body = response.content.decode()
    assert "Landaise" not in body and "Effacée" not in body


def test_the_landes_staff_see_only_the_landes_prospects_on_the_landes_site(client, gers, landes):
    prospect(gers, first_name="Gersoise")
    prospect(landes, first_name="Landaise")
    client.force_login(member(landes, Role.ADVISOR))

    response = client.get(LIST, **LANDES)

    assert names(response) == ["Landaise"]


def test_each_row_shows_stage_advisor_source_sector_villages_date_and_next_action(
    client, gers, advisor, clock
):
    auch = village_in(gers, commune__name="Auch")
    lectoure = village_in(gers, commune__name="Lectoure")
    camille = prospect(
        gers,
        first_name="Camille",
        last_name="Durand",
        email="camille@exemple.fr",
        stage=Stage.QUALIFIED,
        advisor=advisor,
        channel=Channel.FAIR,
        utm_source="salon-lyon",
        sector=Sector.DIGITAL,
        created_at=NOW - timedelta(days=10),
        next_action_on=date(2026, 3, 9),
        next_action="Rappeler pour la visite",
    )
    camille.villages.set([lectoure, auch])
    client.force_login(advisor)

    response = client.get(LIST)

    row = response.context["table"].page.object_list[0]
    cells = {column.name: str(cell) for column, cell in row.items()}
    assert "Camille Durand" in cells["name"] and "camille@exemple.fr" in cells["name"]
    assert cells["stage"] == "qualifié"
    assert cells["advisor"] == "Claire Bordes"
    assert "salon" in cells["source"] and "salon-lyon" in cells["source"]
    assert cells["sector"] == "numérique, informatique"
    assert cells["villages"] == "Auch, Lectoure"
    assert cells["created_at"] == "01/03/2026"
    # Overdue is said in words, not only shown in colour.
    assert "En retard" in cells["next_action_on"]
    assert "09/03/2026" in cells["next_action_on"] and "Rappeler pour la visite" in cells["next_action_on"]


def test_an_unassigned_prospect_without_next_action_says_so(client, gers, advisor):
    prospect(gers, first_name="Léa", anywhere=True)
    client.force_login(advisor)

    row = client.get(LIST).context["table"].page.object_list[0]

    cells = {column.name: str(cell) for column, cell in row.items()}
    assert cells["advisor"] == "non attribué"
    assert cells["next_action_on"] == "aucune"
    assert cells["villages"] == "n'importe où"


def test_the_name_links_to_the_prospect_page(client, gers, advisor):
    camille = prospect(gers, first_name="Camille", last_name="Durand")
    client.force_login(advisor)

    body = client.get(LIST).content.decode()

    try:
        url = reverse("prospects_staff:detail", args=[camille.pk])
    except NoReverseMatch:  # the prospect page is built in parallel: the name stays plain text until then
        assert "Camille Durand" in body
    else:
        assert f'<a href="{url}">Camille Durand</a>' in body


def test_the_name_is_the_row_header_and_sortable_headers_say_their_order(client, gers, advisor):
    prospect(gers, first_name="Camille")
    client.force_login(advisor)

    body = client.get(LIST, {"sort": "-name"}).content.decode()

    assert '<th scope="row">' in body
    assert 'aria-sort="descending"' in body
    assert "?sort=name" in body  # clicking the name header again sorts ascending


# --- Filters ----------------------------------------------------------------------------------------


def test_filter_by_stage(client, gers, advisor):
    prospect(gers, first_name="Contact", stage=Stage.CONTACT)
    prospect(gers, first_name="Candidate", stage=Stage.CANDIDATE)
    client.force_login(advisor)

    assert names(client.get(LIST, {"stage": "candidate"})) == ["Candidate"]


def test_filter_by_advisor_and_unassigned(client, gers, advisor, admin):
    prospect(gers, first_name="Suivie", advisor=advisor)
    prospect(gers, first_name="Autre", advisor=admin)
    prospect(gers, first_name="Seule")
    client.force_login(advisor)

    assert names(client.get(LIST, {"advisor": advisor.pk})) == ["Suivie"]
    assert names(client.get(LIST, {"advisor": "none"})) == ["Seule"]


def test_the_advisor_filter_offers_the_territorys_staff_only(client, gers, landes, advisor, admin):
    member(landes, Role.ADVISOR, first_name="Landais", last_name="Conseiller")
    member(gers, Role.COMMITTEE, first_name="Bénévole", last_name="Comité")
    client.force_login(advisor)

    choices = dict(client.get(LIST).context["form"].fields["advisor"].choices)

    assert choices == {
        "": "Tous",
        "none": "non attribué",
        str(admin.pk): "Alain Sempé",
        str(advisor.pk): "Claire Bordes",
    }


def test_filter_by_channel_and_campaign_source(client, gers, advisor):
    prospect(gers, first_name="Salon", channel=Channel.FAIR)
    prospect(gers, first_name="Campagne", channel=Channel.FORM, utm_source="newsletter-cci")
    prospect(gers, first_name="Site", channel=Channel.FORM)
    client.force_login(advisor)

    assert names(client.get(LIST, {"channel": "fair"})) == ["Salon"]
    assert names(client.get(LIST, {"utm_source": "newsletter-cci"})) == ["Campagne"]


def test_filter_by_sector(client, gers, advisor):
    prospect(gers, first_name="Dev", sector=Sector.DIGITAL)
    prospect(gers, first_name="Potier", sector=Sector.CRAFT)
    client.force_login(advisor)

    assert names(client.get(LIST, {"sector": "craft"})) == ["Potier"]


def test_filter_by_village_of_interest_offers_the_territorys_villages(client, gers, landes, advisor):
    auch = village_in(gers, commune__name="Auch")
    lectoure = village_in(gers, commune__name="Lectoure")
    village_in(landes, commune__name="Mimizan")
    both = prospect(gers, first_name="Deux")
    both.villages.set([auch, lectoure])
    prospect(gers, first_name="Lectouroise").villages.set([lectoure])
    prospect(gers, first_name="Aucun")
    client.force_login(advisor)

    response = client.get(LIST, {"village": auch.pk})

    assert names(response) == ["Deux"]
    assert sorted(names(client.get(LIST, {"village": lectoure.pk}))) == ["Deux", "Lectouroise"]
    offered = [label for value, label in response.context["form"].fields["village"].choices if value]
    assert offered == ["Auch", "Lectoure"]


def test_filter_by_creation_dates(client, gers, advisor):
    prospect(gers, first_name="Janvier", created_at=datetime(2026, 1, 15, 9, tzinfo=PARIS))
    prospect(gers, first_name="Février", created_at=datetime(2026, 2, 15, 9, tzinfo=PARIS))
    prospect(gers, first_name="FinFévrier", created_at=datetime(2026, 2, 28, 23, 30, tzinfo=PARIS))
    # Half past midnight on 1 March in France, still 28 February in UTC: the French day counts.
    prospect(gers, first_name="Mars", created_at=datetime(2026, 3, 1, 0, 30, tzinfo=PARIS))
    client.force_login(advisor)

    response = client.get(LIST, {"created_after": "2026-02-01", "created_before": "2026-02-28"})

    assert sorted(names(response)) == ["FinFévrier", "Février"]
    assert names(client.get(LIST, {"created_after": "2026-03-01"})) == ["Mars"]


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("overdue", ["Retard"]),
        ("today", ["Jour"]),
        ("week", ["Jour", "Semaine"]),
        ("none", ["Rien"]),
    ],
)
def test_filter_by_next_action_due(client, gers, advisor, clock, due, expected):
    today = date(2026, 3, 11)
    prospect(gers, first_name="Retard", next_action_on=today - timedelta(days=1), next_action="x")
    prospect(gers, first_name="Jour", next_action_on=today, next_action="x")
    prospect(gers, first_name="Semaine", next_action_on=today + timedelta(days=7), next_action="x")
    prospect(gers, first_name="Plus", next_action_on=today + timedelta(days=8), next_action="x")
    prospect(gers, first_name="Rien")
    client.force_login(advisor)

    assert sorted(names(client.get(LIST, {"due": due}))) == expected


def test_free_text_search_on_name_and_email_ignores_case(client, gers, advisor):
    prospect(gers, first_name="Camille", last_name="Durand", email="camille.d@exemple.fr")
    prospect(gers, first_name="Hugo", last_name="Martin", email="hugo@atelier.fr")
    prospect(gers, first_name="Camille", last_name="Martin", email="cm@exemple.fr")
    client.force_login(advisor)

    assert sorted(names(client.get(LIST, {"q": "DURAND"}))) == ["Camille"]
    assert names(client.get(LIST, {"q": "atelier.FR"})) == ["Hugo"]
    assert [p.last_name for p in listed(client.get(LIST, {"q": "camille martin"}))] == ["Martin"]


def test_filters_combine(client, gers, advisor):
    prospect(gers, first_name="Oui", stage=Stage.CANDIDATE, sector=Sector.DIGITAL, advisor=advisor)
    prospect(gers, first_name="NonSecteur", stage=Stage.CANDIDATE, sector=Sector.CRAFT, advisor=advisor)
    prospect(gers, first_name="NonEtape", stage=Stage.CONTACT, sector=Sector.DIGITAL, advisor=advisor)
    client.force_login(advisor)

    response = client.get(LIST, {"stage": "candidate", "sector": "digital", "advisor": advisor.pk})

    assert names(response) == ["Oui"]


def test_a_wrong_filter_value_is_explained_and_ignored(client, gers, advisor):
    prospect(gers, first_name="Camille")
    client.force_login(advisor)

    response = client.get(LIST, {"stage": "bientot", "created_after": "hier"})

    assert response.status_code == 200
    assert names(response) == ["Camille"]
    assert 'id="form-errors"' in response.content.decode()


# --- Funnel -----------------------------------------------------------------------------------------


def test_the_funnel_counts_each_stage_in_one_query(gers, django_assert_num_queries):
    for stage, n in [(Stage.CONTACT, 3), (Stage.QUALIFIED, 2), (Stage.INSTALLED, 1), (Stage.LOST, 1)]:
        for _ in range(n):
            ProspectFactory(
                territory=gers, stage=stage, lost_reason="abandoned" if stage == Stage.LOST else ""
            )

    with django_assert_num_queries(1):
        counts = stage_counts(pipeline_prospects(gers))

    assert counts == {
        "contact": 3,
        "qualified": 2,
        "candidate": 0,
        "installing": 0,
        "installed": 1,
        "lost": 1,
    }


def test_the_funnel_applies_the_other_filters_but_not_the_stage(client, gers, landes, advisor):
    prospect(gers, stage=Stage.CONTACT, sector=Sector.DIGITAL)
    prospect(gers, stage=Stage.CONTACT, sector=Sector.DIGITAL)
    prospect(gers, stage=Stage.CANDIDATE, sector=Sector.DIGITAL)
    prospect(gers, stage=Stage.LOST, lost_reason="abandoned", sector=Sector.DIGITAL)
    prospect(gers, stage=Stage.CANDIDATE, sector=Sector.CRAFT)
    prospect(gers, stage=Stage.CONTACT, sector=Sector.DIGITAL, anonymised_at=timezone.now())
    prospect(landes, stage=Stage.CONTACT, sector=Sector.DIGITAL)
    client.force_login(advisor)

    response = client.get(LIST, {"sector": "digital", "stage": "candidate"})

    assert len(listed(response)) == 1
    assert funnel_counts(response) == {
        "contact": 2,
        "qualified": 0,
        "candidate": 1,
        "installing": 0,
        "installed": 0,
        "lost": 1,
    }
    funnel = response.context["funnel"]
    assert funnel.total == 4
    assert [step.stage for step in funnel.steps] == [
        "contact",
        "qualified",
        "candidate",
        "installing",
        "installed",
    ]
    assert [step.current for step in funnel.steps] == [False, False, True, False, False]


def test_each_funnel_count_links_to_the_list_filtered_on_its_stage(client, gers, advisor):
    prospect(gers, stage=Stage.QUALIFIED, sector=Sector.DIGITAL)
    client.force_login(advisor)

    response = client.get(LIST, {"sector": "digital", "stage": "contact", "page": "1"})

    body = response.content.decode()
    assert 'href="?sector=digital&amp;stage=qualified"' in body
    assert 'href="?sector=digital&amp;stage=lost"' in body
    # The link of the stage shown is marked, and the counts are text, not only bars.
    assert 'href="?sector=digital&amp;stage=contact" aria-current="true">0' in body
    assert (
        "porteur de projet à l&#x27;étape « qualifié »" in body
        or "porteur de projet à l'étape « qualifié »" in body
    )
    assert names(client.get(LIST, {"sector": "digital", "stage": "qualified"})) != []


# --- Sorting and pages -----------------------------------------------------------------------------


def test_sorting_by_name_both_ways_and_newest_first_by_default(client, gers, advisor):
    prospect(gers, first_name="B", last_name="Bernard", created_at=NOW - timedelta(days=3))
    prospect(gers, first_name="A", last_name="Arnaud", created_at=NOW - timedelta(days=1))
    prospect(gers, first_name="C", last_name="Costes", created_at=NOW - timedelta(days=2))
    client.force_login(advisor)

    assert names(client.get(LIST)) == ["A", "C", "B"]
    assert names(client.get(LIST, {"sort": "name"})) == ["A", "B", "C"]
    assert names(client.get(LIST, {"sort": "-name"})) == ["C", "B", "A"]
    assert names(client.get(LIST, {"sort": "created_at"})) == ["B", "C", "A"]


def test_sorting_by_stage_advisor_and_next_action(client, gers, advisor, admin):
    prospect(
        gers,
        first_name="Install",
        stage=Stage.INSTALLING,
        advisor=advisor,
        next_action_on=date(2026, 5, 1),
        next_action="x",
    )
    prospect(
        gers,
        first_name="Contact",
        stage=Stage.CONTACT,
        advisor=admin,
        next_action_on=date(2026, 4, 1),
        next_action="x",
    )
    client.force_login(advisor)

    assert names(client.get(LIST, {"sort": "stage"})) == ["Contact", "Install"]
    assert names(client.get(LIST, {"sort": "advisor"})) == ["Contact", "Install"]  # Alain before Claire
    assert names(client.get(LIST, {"sort": "-next_action_on"})) == ["Install", "Contact"]


def test_an_unknown_sort_is_ignored(client, gers, advisor):
    prospect(gers, first_name="Camille")
    client.force_login(advisor)

    response = client.get(LIST, {"sort": "email"})

    assert response.status_code == 200
    assert names(response) == ["Camille"]


def test_the_list_is_paginated_by_25_and_keeps_the_filters(client, gers, advisor):
    for n in range(30):
        prospect(gers, first_name=f"P{n:02d}", sector=Sector.DIGITAL, created_at=NOW - timedelta(hours=n))
    prospect(gers, first_name="Autre", sector=Sector.CRAFT)
    client.force_login(advisor)

    first = client.get(LIST, {"sector": "digital"})
    second = client.get(LIST, {"sector": "digital", "page": 2})

    assert len(listed(first)) == 25 and names(first)[0] == "P00"
    assert names(second) == ["P25", "P26", "P27", "P28", "P29"]
    assert "30 porteurs de projet" in first.content.decode()
    assert 'href="?sector=digital&amp;page=2" rel="next"' in first.content.decode()
    # A page past the end shows the last one; a wrong page number, the first.
    assert names(client.get(LIST, {"sector": "digital", "page": 9})) == names(second)
    assert names(client.get(LIST, {"sector": "digital", "page": "x"})) == names(first)


def test_the_page_size_cannot_be_changed_from_the_address(client, gers, advisor):
    for n in range(30):
        prospect(gers, first_name=f"P{n:02d}")
    client.force_login(advisor)

    assert len(listed(client.get(LIST, {"per_page": 1000}))) == 25


# --- Queries ----------------------------------------------------------------------------------------


def _bulk_prospects(territory, n: int, villages, advisors) -> None:
    prospects = Prospect.objects.bulk_create(
        [
            Prospect(
                territory=territory,
                first_name=f"Porteur{i}",
                last_name="Exemple",
                email=f"p{i}@exemple.fr",
                advisor=advisors[i % len(advisors)],
                next_action_on=date(2026, 3, 1) + timedelta(days=i % 20),
                next_action="Appeler",
                sector=Sector.DIGITAL,
            )
            for i in range(n)
        ]
    )
    through = Prospect.villages.through
    through.objects.bulk_create(
        [
            through(prospect_id=p.pk, village_id=v.pk)
            for i, p in enumerate(prospects)
            for v in villages[: 1 + i % 2]
        ]
    )


def _queries_for_list(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@override_settings(PRIVATE_PAGE_CACHE_ENABLED=False)  # the view's own queries, each time
def test_the_number_of_queries_does_not_grow_with_the_prospects(client, gers, landes, advisor, admin):
    villages = [village_in(gers, commune__name="Auch"), village_in(gers, commune__name="Lectoure")]
    client.force_login(advisor)
    url = LIST + "?sector=digital&sort=advisor"
    _bulk_prospects(gers, 10, villages, [advisor, admin])
    client.get(url)  # warms the territory table's cache
    with_ten = _queries_for_list(client, url)

    _bulk_prospects(gers, 190, villages, [advisor, admin])
    with_two_hundred = _queries_for_list(client, url)

    assert with_ten == with_two_hundred
    assert with_two_hundred <= 12


def test_the_list_answers_under_every_language_prefix(client, gers, advisor):
    prospect(gers, first_name="Camille")
    client.force_login(advisor)

    for lang in ("en", "es", "pt"):
        response = client.get(f"/{lang}/suivi/porteurs/", {"stage": "contact"})
        assert response.status_code == 200
        assert names(response) == ["Camille"]


def test_a_prospect_without_last_name_is_listed_with_a_link_to_their_page(client, gers, advisor):
    camille = prospect(gers, first_name="Camille", last_name="")
    client.force_login(advisor)

    row = client.get(LIST).context["table"].page.object_list[0]

    cells = {column.name: str(cell) for column, cell in row.items()}
    try:
        url = reverse("prospects_staff:detail", args=[camille.pk])
    except NoReverseMatch:  # the prospect page is built in parallel
        assert "Camille" in cells["name"]
    else:
        assert f'<a href="{url}">Camille</a>' in cells["name"]


def test_each_row_is_written_with_its_cells_the_name_as_row_header(client, gers, advisor, clock):
    lost = prospect(
        gers,
        first_name="Léa",
        last_name="<Martin>",
        stage=Stage.LOST,
        lost_reason="unreachable",
        channel=Channel.FAIR,
        utm_source="salon & co",
        is_sample=True,
    )
    lost.villages.set([village_in(gers, commune__name="Auch")])
    client.force_login(advisor)

    response = client.get(LIST)

    row = response.context["table"].page.object_list[0]
    cells = [str(cell) for _column, cell in row.items()]
    expected = f'<tr><th scope="row">{cells[0]}</th>' + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>"
    assert row.html == expected
    assert expected in response.content.decode()
    # Every value is escaped, the markup of the cells is not.
    assert "Léa &lt;Martin&gt;</a>" in cells[0] and 'class="sample-badge"' in cells[0]
    assert cells[1] == 'perdu<br><span class="meta">injoignable</span>'
    assert "salon &amp; co" in cells[3]
    assert cells[5] == "Auch"


def test_the_filters_selects_are_written_as_djangos_templates_write_them(client, gers, advisor):
    from django import forms

    village_in(gers, commune__name="Auch")
    prospect(gers, utm_source="newsletter")
    client.force_login(advisor)

    # A wrong value too: the select then carries aria-invalid and its error's id.
    form = client.get(LIST, {"stage": "qualified", "village": "x"}).context["form"]

    selects = [field for field in form if isinstance(field.field.widget, forms.Select)]
    assert {field.name for field in selects} >= {"stage", "advisor", "channel", "utm_source", "village"}
    for field in selects:
        widget = field.field.widget
        fast = str(field)
        widget.render = lambda *args, widget=widget, **kwargs: forms.Select.render(widget, *args, **kwargs)
        assert fast == str(field), field.name


def test_the_list_counts_its_prospects_with_the_funnel_and_reads_the_roles_once(client, gers, advisor):
    for n in range(30):
        prospect(gers, first_name=f"P{n:02d}", stage=Stage.QUALIFIED)
    client.force_login(advisor)
    client.get(LIST)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"stage": "qualified", "page": 2})

    assert len(names(response)) == 5
    assert response.context["page"].paginator.count == 30
    sqls = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in sqls if 'COUNT(*) AS "__count"' in sql]  # the funnel's count serves
    assert len([sql for sql in sqls if 'FROM "accounts_membership"' in sql]) == 1
