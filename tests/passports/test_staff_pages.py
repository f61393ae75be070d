"""Passports in the staff area: the territory's list (advisors and administrators only, never another
territory's passports), the staff's print view, and the passport panel of the prospect page."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.passports.models import Passport, StepDone
from sohosolo.passports.services import checklist_steps, passport_revoke
from sohosolo.prospects.models import Prospect
from tests.accounts.staff_factories import member
from tests.villages.factories import committee_member, village_in

from .test_holder_pages import candidate_with_passport

pytestmark = pytest.mark.django_db

LIST = "/fr/suivi/passeports/"
LANDES = {"HTTP_HOST": "landes.localhost"}


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="claire@gers.fr", first_name="Claire", last_name="Dupuy")


@pytest.fixture
def advisor_client(advisor):
    client = Client()
    client.force_login(advisor)
    return client


@pytest.fixture
def passports(gers, landes, advisor):
    camille = candidate_with_passport(gers, advisor=advisor)
    louis = candidate_with_passport(gers, email="louis@projet.test", first_name="Louis", last_name="Petit")
    nina = candidate_with_passport(gers, email="nina@projet.test", first_name="Nina", last_name="Roux")
    landais = candidate_with_passport(landes, email="lea@projet.test", first_name="Léa", last_name="Landaise")
    steps = checklist_steps(gers)
    for step in steps[:2]:
        StepDone.objects.create(passport=camille, step=step)
    passport_revoke(prospect=louis.prospect, reason="lost")
    Passport.objects.filter(pk=nina.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    return {"camille": camille, "louis": louis, "nina": nina, "landais": landais}


def test_the_list_shows_the_territory_passports(advisor_client, passports):
    response = advisor_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    camille = passports["camille"]
    assert camille.number in html and "Camille Martin" in html and "Claire Dupuy" in html
    assert "2 sur 7" in html
    assert f'href="/fr/suivi/porteurs/{camille.prospect_id}/#passeport"' in html
    assert "révoqué le" in html and "expiré le" in html and "valable jusqu'au" in html
    assert "3 passeports" in html
    assert passports["landais"].number not in html and "Landaise" not in html
    assert "Configurer les étapes du passeport" not in html  # advisors do not configure


def test_the_list_filters_by_number_name_and_state(advisor_client, passports):
    html = advisor_client.get(LIST, {"q": "petit"}).content.decode()
    assert "Louis Petit" in html and "Camille Martin" not in html
    html = advisor_client.get(LIST, {"q": passports["nina"].number}).content.decode()
    assert "Nina Roux" in html and "Louis Petit" not in html
    html = advisor_client.get(LIST, {"state": "valid"}).content.decode()
    assert "Camille Martin" in html and "Louis Petit" not in html and "Nina Roux" not in html
    html = advisor_client.get(LIST, {"state": "revoked"}).content.decode()
    assert "Louis Petit" in html and "Camille Martin" not in html
    html = advisor_client.get(LIST, {"state": "expired"}).content.decode()
    assert "Nina Roux" in html and "Camille Martin" not in html


def test_anonymised_prospects_are_not_listed(advisor_client, passports):
    Prospect.objects.filter(pk=passports["camille"].prospect_id).update(anonymised_at=timezone.now())
    assert passports["camille"].number not in advisor_client.get(LIST).content.decode()


def test_who_may_open_the_list(gers, landes, passports):
    client = Client()
    assert client.get(LIST).status_code == 302  # anonymous: log in first
    client.force_login(member(landes, Role.ADVISOR, email="jean@landes.fr"))
    assert client.get(LIST).status_code == 404  # another territory's staff
    html = client.get(LIST, **LANDES).content.decode()
    assert passports["landais"].number in html and passports["camille"].number not in html
    client.force_login(committee_member(village_in(gers), email="comite@village.fr"))
    assert client.get(LIST).status_code == 403
    client.force_login(member(gers, Role.PARTNER, email="notaire@gers.fr"))
    assert client.get(LIST).status_code == 403
    client.force_login(passports["camille"].prospect.user)  # the holder: no role in the staff area
    assert client.get(LIST).status_code in (403, 404)
    client.force_login(member(gers, Role.TERRITORY_ADMIN, email="direction@gers.fr"))
    html = client.get(LIST).content.decode()
    assert "Configurer les étapes du passeport" in html


def test_the_staff_print_view_is_logged(advisor_client, passports):
    camille = passports["camille"]
    url = f"/fr/suivi/passeports/{camille.pk}/imprimer/"
    response = advisor_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert camille.number in html and "Camille Martin" in html and "<svg" in html
    assert "Retour à la fiche" in html
    accesses = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Prospect),
        object_pk=str(camille.prospect_id),
        action=LogEntry.Action.ACCESS,
    )
    assert accesses.count() == 1
    assert advisor_client.get(f"/fr/suivi/passeports/{passports['landais'].pk}/imprimer/").status_code == 404


def _panel(rf, user, prospect) -> str:
    request = rf.get(f"/fr/suivi/porteurs/{prospect.pk}/")
    request.user = user
    request.territory = prospect.territory
    return render_to_string("passports/_prospect_panel.html", {"prospect": prospect}, request=request)


def test_the_prospect_page_panel(rf, advisor, passports):
    camille = passports["camille"]
    html = _panel(rf, advisor, camille.prospect)
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    assert camille.number in html and camille.check_code in html
    assert "2 étapes sur 7" in html
    assert f'action="/fr/suivi/passeports/{camille.pk}/etapes/"' in html
    assert 'name="next" value="/fr/suivi/porteurs/' in html
    assert f'href="/fr/suivi/passeports/{camille.pk}/imprimer/"' in html

    louis = passports["louis"]  # revoked: the steps read only, nothing to print
    html = _panel(rf, advisor, louis.prospect)
    assert "révoqué le" in html and "<form" not in html and "imprimer" not in html


def test_the_panel_of_a_prospect_without_passport(rf, advisor, gers):
    from tests.prospects.factories import ProspectFactory

    html = _panel(rf, advisor, ProspectFactory(territory=gers))
    assert "Pas de passeport : il s'ouvre quand la personne devient candidate." in html


def test_the_panel_prints_in_the_holder_language(rf, advisor, passports):
    camille = passports["camille"]
    Prospect.objects.filter(pk=camille.prospect_id).update(language="pt")
    camille.prospect.refresh_from_db()
    html = _panel(rf, advisor, camille.prospect)
    assert f'href="/pt/suivi/passeports/{camille.pk}/imprimer/"' in html and "(en portugais)" in html
