"""The staff check-in list: confirmed registrants with their answers, search, « Présent » / « Absent »
by htmx or by a plain form, counts, the prospect's timeline, and who may open it.
"""

import re

import pytest

from sohosolo.accounts.models import Role
from sohosolo.events.models import Attendance, Registration
from sohosolo.events.registration import cancel
from sohosolo.prospects.models import Activity, ActivityKind
from tests.accounts.staff_factories import member
from tests.prospects.factories import ProspectFactory

from .test_registration import LANDES, make_occurrence, page_text, sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseil@gers.test")


@pytest.fixture
def occurrence(gers):
    """Three seats: Alice (a known prospect, with answers), Bruno, Chloé; Denis waits; Émile cancelled."""
    occurrence = make_occurrence(
        gers, capacity=3, questions=[{"key": "projet", "label": "Votre projet", "required": False}]
    )
    ProspectFactory(territory=gers, email="alice@exemple.fr")
    for name in ["Alice Martin", "Bruno Petit", "Chloé Roux", "Denis Blanc", "Émile Noir"]:
        first = name.split()[0].lower().replace("é", "e").replace("É", "e")
        answers = {"projet": "Une boulangerie bio"} if first == "alice" else {}
        from sohosolo.events.registration import register

        register(
            occurrence=occurrence, name=name, email=f"{first}@exemple.fr", language="fr", answers=answers
        )
    cancel(Registration.objects.get(email="emile@exemple.fr"))
    return occurrence


def counts(body: str) -> tuple[int, ...]:
    """Registered, present, absent, to check (French plural of 0 or 1 left to the catalogue)."""
    match = re.search(r"(\d+) inscrits? · (\d+) présents? · (\d+) absents? · (\d+) à pointer", body)
    assert match, "no counts on the page"
    return tuple(int(n) for n in match.groups())


def url(occurrence) -> str:
    return f"/fr/suivi/agenda/pointage/{occurrence.pk}/"


def mark_url(occurrence, registration) -> str:
    return f"{url(occurrence)}{registration.pk}/"


def test_staff_see_the_confirmed_registrants_with_their_answers_and_the_counts(client, advisor, occurrence):
    client.force_login(advisor)
    response = client.get(url(occurrence))
    assert response.status_code == 200
    body = page_text(response)
    assert "Pointage : Les Mercredis de l'installation" in body
    for name in ["Alice Martin", "Bruno Petit", "Chloé Roux"]:
        assert name in body
    assert "Denis Blanc" not in body, "waitlisted people are not at the door"
    assert "Émile Noir" not in body
    assert "Votre projet" in body and "Une boulangerie bio" in body
    assert counts(body) == (3, 0, 0, 3)
    assert body.count(">Présent<") == 3 and body.count(">Absent<") == 3


def test_the_search_box_filters_by_name_or_email(client, advisor, occurrence):
    client.force_login(advisor)
    body = page_text(client.get(url(occurrence), {"q": "chlo"}))
    assert "Chloé Roux" in body and "Alice Martin" not in body
    assert "1 personne trouvée pour « chlo »" in body
    body = page_text(client.get(url(occurrence), {"q": "bruno@"}))
    assert "Bruno Petit" in body and "Chloé Roux" not in body
    body = page_text(client.get(url(occurrence), {"q": "zzz"}))
    assert "Personne ne correspond à cette recherche." in body


def test_marking_without_javascript_posts_and_redirects_back_to_the_list(client, advisor, occurrence):
    client.force_login(advisor)
    alice = Registration.objects.get(email="alice@exemple.fr")

    response = client.post(mark_url(occurrence, alice), {"attendance": "attended", "q": "ali"})

    assert response.status_code == 302
    assert response["Location"] == f"{url(occurrence)}?q=ali#registration-{alice.pk}"
    alice.refresh_from_db()
    assert alice.attendance == Attendance.ATTENDED and alice.checked_in_at
    body = page_text(client.get(url(occurrence)))
    assert counts(body) == (3, 1, 0, 2)
    assert "Pointé : présent" in body
    assert f'id="attended-{alice.pk}" aria-pressed="true"' in body


def test_marking_with_htmx_returns_the_row_and_the_counts(client, advisor, occurrence):
    client.force_login(advisor)
    bruno = Registration.objects.get(email="bruno@exemple.fr")

    response = client.post(mark_url(occurrence, bruno), {"attendance": "no_show"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = page_text(response)
    assert body.lstrip().startswith(f'<li class="card checkin-row" id="registration-{bruno.pk}">')
    assert "Pointé : absent" in body
    assert 'id="checkin-counts" hx-swap-oob="innerHTML"' in body
    assert counts(body) == (3, 0, 1, 2)
    assert "<html" not in body


def test_attendance_goes_on_the_prospects_timeline_once_and_is_updated(client, advisor, occurrence):
    client.force_login(advisor)
    alice = Registration.objects.get(email="alice@exemple.fr")
    assert alice.prospect is not None

    client.post(mark_url(occurrence, alice), {"attendance": "attended"})
    [activity] = Activity.objects.filter(prospect=alice.prospect, data__event="attendance")
    assert activity.kind == ActivityKind.EVENT
    assert activity.data["attendance"] == "attended" and activity.data["attended"] is True
    assert activity.text.startswith("Présent à « Les Mercredis de l'installation »")
    assert activity.author == advisor

    client.post(mark_url(occurrence, alice), {"attendance": "no_show"})
    [activity] = Activity.objects.filter(prospect=alice.prospect, data__event="attendance")
    assert activity.data["attendance"] == "no_show" and activity.data["attended"] is False
    assert activity.text.startswith("Absent à")
    # The registration itself stays one entry too.
    assert Activity.objects.filter(prospect=alice.prospect, data__event="registered").count() == 1


def test_a_registrant_unknown_to_the_pipeline_is_marked_without_a_timeline(client, advisor, occurrence):
    client.force_login(advisor)
    bruno = Registration.objects.get(email="bruno@exemple.fr")
    assert client.post(mark_url(occurrence, bruno), {"attendance": "attended"}).status_code == 302
    bruno.refresh_from_db()
    assert bruno.attendance == Attendance.ATTENDED
    assert not Activity.objects.filter(data__event="attendance").exists()


def test_a_waitlisted_person_or_a_wrong_value_is_refused(client, advisor, occurrence):
    client.force_login(advisor)
    denis = Registration.objects.get(email="denis@exemple.fr")
    response = client.post(mark_url(occurrence, denis), {"attendance": "attended"}, follow=True)
    assert "Seules les personnes inscrites" in page_text(response)
    denis.refresh_from_db()
    assert denis.attendance == ""

    alice = Registration.objects.get(email="alice@exemple.fr")
    response = client.post(mark_url(occurrence, alice), {"attendance": "peut-être"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Choisissez « Présent » ou « Absent »." in page_text(response)
    alice.refresh_from_db()
    assert alice.attendance == ""


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, occurrence):
    response = client.get(url(occurrence))
    assert response.status_code == 302 and response["Location"].startswith("/fr/compte/connexion/")
    alice = Registration.objects.get(email="alice@exemple.fr")
    response = client.post(mark_url(occurrence, alice), {"attendance": "attended"})
    assert response.status_code == 302 and response["Location"].startswith("/fr/compte/connexion/")
    alice.refresh_from_db()
    assert alice.attendance == ""


def test_a_prospect_or_a_member_is_forbidden(client, gers, occurrence):
    alice = Registration.objects.get(email="alice@exemple.fr")
    for role in (Role.PROSPECT, Role.MEMBER):
        client.force_login(member(gers, role))
        assert client.get(url(occurrence)).status_code == 403
        assert client.post(mark_url(occurrence, alice), {"attendance": "attended"}).status_code == 403
    alice.refresh_from_db()
    assert alice.attendance == ""


def test_another_territory_answers_404(client, gers, landes, advisor, occurrence):
    # Gers staff, an occurrence of the Landes opened on the Gers site.
    landes_occurrence = make_occurrence(landes)
    landes_registration = sign_up(landes_occurrence, 1)
    client.force_login(advisor)
    assert client.get(url(landes_occurrence)).status_code == 404
    assert (
        client.post(mark_url(landes_occurrence, landes_registration), {"attendance": "attended"}).status_code
        == 404
    )
    # A registration of another occurrence under this occurrence's URL.
    assert (
        client.post(mark_url(occurrence, landes_registration), {"attendance": "attended"}).status_code == 404
    )

    # Landes staff on the Landes site cannot reach a Gers occurrence; on the Gers site they have no role.
    landes_advisor = member(landes, Role.ADVISOR)
    client.force_login(landes_advisor)
    assert client.get(url(occurrence), **LANDES).status_code == 404
    assert client.get(url(occurrence)).status_code == 404
    assert client.get(url(landes_occurrence), **LANDES).status_code == 200
