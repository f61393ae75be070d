"""The territory's journal (/suivi/journal/) for prospects: who read, changed or exported a file,
filterable by action and by prospect; for territory admins only; nothing personal once anonymised."""

import html

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry

from sohosolo.accounts.models import Role
from sohosolo.prospects.models import ActivityKind
from sohosolo.prospects.privacy import prospect_anonymise, prospect_log_export
from sohosolo.prospects.services import activity_record, prospect_log_access
from tests.accounts.staff_factories import member
from tests.prospects.factories import ProspectFactory

pytestmark = pytest.mark.django_db

JOURNAL = "/fr/suivi/journal/"
LANDES = {"HTTP_HOST": "landes.localhost"}


@pytest.fixture
def admin(gers):
    return member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr")


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr")


@pytest.fixture
def prospect(gers):
    return ProspectFactory(territory=gers, first_name="Léa", last_name="Zyxwvutsrq", email="lea@exemple.fr")


def journal_rows(client, query: str = "", **extra) -> list[str]:
    response = client.get(JOURNAL + query, **extra)
    assert response.status_code == 200
    return [html.unescape(row) for row in response.content.decode().split("<tr>")[2:]]


def test_a_read_by_an_advisor_is_in_the_admins_journal_with_the_territory(
    client, admin, advisor, prospect, gers
):
    with set_actor(advisor):
        prospect_log_access(prospect=prospect, user=advisor)

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.additional_data == {"territory": gers.pk, "prospect": prospect.pk}
    client.force_login(admin)
    rows = journal_rows(client, "?action=read")
    assert len(rows) == 1
    assert "conseiller@gers.fr" in rows[0]
    assert "consultation" in rows[0]
    assert "Léa Zyxwvutsrq" in rows[0]
    assert f"/fr/suivi/porteurs/{prospect.pk}/" in rows[0]


def test_an_export_is_in_the_journal_and_filtered_apart_from_reads(client, admin, advisor, prospect):
    other = ProspectFactory(territory=prospect.territory)
    with set_actor(advisor):
        prospect_log_access(prospect=prospect, user=advisor)
    prospect_log_export(prospects=[prospect, other], by=advisor, kind="csv")
    client.force_login(admin)

    exports = journal_rows(client, "?action=export")
    reads = journal_rows(client, "?action=read")
    only_lea = journal_rows(client, f"?action=export&prospect={prospect.pk}")

    assert len(exports) == 2 and all("export (csv)" in row for row in exports)
    assert len(reads) == 1 and "consultation" in reads[0]
    assert len(only_lea) == 1 and "Léa Zyxwvutsrq" in only_lea[0]


def test_changes_of_a_prospect_and_its_activities_are_listed_as_changes(client, admin, advisor, prospect):
    with set_actor(advisor):
        prospect.phone = "06 11 22 33 44"
        prospect.save()
        activity_record(prospect=prospect, kind=ActivityKind.CALL, by=advisor, text="Appel du lundi")
        prospect_log_access(prospect=prospect, user=advisor)
    client.force_login(admin)

    rows = journal_rows(client, f"?action=change&prospect={prospect.pk}")

    assert any("06 11 22 33 44" in row and "modification" in row for row in rows)
    assert any("Appel du lundi" in row for row in rows)
    assert not any("consultation" in row for row in rows)


def test_an_anonymised_prospect_appears_by_number_only(client, admin, advisor, prospect):
    with set_actor(advisor):
        prospect.message = "Nous cherchons une maison"
        prospect.save()
        prospect_log_access(prospect=prospect, user=advisor)
        prospect_log_export(prospects=[prospect], by=advisor, kind="csv")
    prospect_anonymise(prospect=prospect, by=advisor, reason="demande par courriel")
    client.force_login(admin)

    rows = journal_rows(client, f"?prospect={prospect.pk}")
    body = " ".join(rows)

    assert len(rows) >= 4
    assert f"anonymisé n° {prospect.pk}" in body
    for personal in ("Zyxwvutsrq", "Léa", "lea@exemple.fr", "maison"):
        assert personal not in body
    assert "anonymisation" in body and "demande par courriel" in body


def test_an_advisor_cannot_read_the_journal(client, advisor):
    client.force_login(advisor)

    assert client.get(JOURNAL).status_code == 403


def test_the_journal_of_another_territory_does_not_show_gers_prospects(client, advisor, prospect, landes):
    with set_actor(advisor):
        prospect_log_access(prospect=prospect, user=advisor)
    client.force_login(member(landes, Role.TERRITORY_ADMIN, email="admin@landes.fr"))

    rows = journal_rows(client, "?action=read", **LANDES)

    assert rows == []


def test_a_wrong_filter_is_refused_with_the_form(client, admin):
    client.force_login(admin)

    response = client.get(JOURNAL + "?action=nimportequoi")

    assert response.status_code == 400
    assert 'name="action"' in response.content.decode()


def test_the_journal_of_one_prospect_lists_only_its_entries(client, admin, advisor, prospect):
    other = ProspectFactory(territory=prospect.territory, last_name="Autrenom")
    with set_actor(advisor):
        prospect_log_access(prospect=prospect, user=advisor)
        prospect_log_access(prospect=other, user=advisor)
    client.force_login(admin)

    response = client.get(f"/fr/suivi/porteurs/{prospect.pk}/journal/")

    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert f"Journal du porteur de projet n° {prospect.pk} : Léa Zyxwvutsrq" in body
    assert "Autrenom" not in body
    assert body.count("consultation") == 1
    client.force_login(advisor)
    assert client.get(f"/fr/suivi/porteurs/{prospect.pk}/journal/").status_code == 403
