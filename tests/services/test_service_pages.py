"""Committee members keep the services of their villages' communes; territory staff keep all of the
territory's. Anything else answers 404, anonymous visitors are sent to the login page."""

import datetime
import html

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sohosolo.accounts.models import Role
from sohosolo.services.models import Service
from tests.accounts.factories import UserFactory
from tests.accounts.staff_factories import member
from tests.territories.factories import CommuneFactory

from .conftest import TOULOUSE
from .factories import ServiceFactory, committee_member

pytestmark = pytest.mark.django_db

LOGIN = "/fr/compte/connexion/"
INDEX = "/fr/suivi/services/"


def list_url(village) -> str:
    return f"/fr/suivi/services/village/{village.slug}/"


def add_url(village) -> str:
    return f"/fr/suivi/services/village/{village.slug}/ajouter/"


def edit_url(service) -> str:
    return f"/fr/suivi/services/{service.pk}/modifier/"


def confirm_url(service) -> str:
    return f"/fr/suivi/services/{service.pk}/confirmer/"


def delete_url(service) -> str:
    return f"/fr/suivi/services/{service.pk}/supprimer/"


def form(commune, **overrides) -> dict:
    values = {
        "category": "bakery",
        "name": "Boulangerie de la Halle",
        "address": "2 place de la Halle",
        "opening_hours": "Du mardi au dimanche, 7 h – 13 h",
        "market_day": "",
        "phone": "05 62 00 00 00",
        "website": "",
        "lat": str(commune.lat).replace(".", ","),
        "lon": str(commune.lon),
    }
    return {**values, **overrides}


def text(response) -> str:
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Who may see and change what ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, village_a, auch):
    service = ServiceFactory(commune=auch)
    for url in (INDEX, list_url(village_a), add_url(village_a), edit_url(service), delete_url(service)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(LOGIN), url
    response = client.post(confirm_url(service))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_a_committee_member_sees_the_services_of_their_village(client, committee_a, village_a, auch):
    ServiceFactory(commune=auch, name="Boulangerie Dupont")
    client.force_login(committee_a)

    index = client.get(INDEX)
    page = client.get(list_url(village_a))

    assert index.status_code == 200
    assert list_url(village_a) in index.content.decode()
    assert page.status_code == 200
    assert "Boulangerie Dupont" in page.content.decode()


def test_a_committee_member_gets_404_for_another_village_and_its_services(
    client, committee_a, village_b, castera
):
    other = ServiceFactory(commune=castera, name="Épicerie de Castéra")
    client.force_login(committee_a)

    assert client.get(list_url(village_b)).status_code == 404
    assert client.get(add_url(village_b)).status_code == 404
    assert client.post(add_url(village_b), form(castera)).status_code == 404
    assert client.get(edit_url(other)).status_code == 404
    assert client.post(edit_url(other), form(castera, name="Piraté", version="1")).status_code == 404
    assert client.post(confirm_url(other)).status_code == 404
    assert client.post(delete_url(other)).status_code == 404
    other.refresh_from_db()
    assert other.name == "Épicerie de Castéra"
    assert list_url(village_b) not in client.get(INDEX).content.decode()


def test_someone_without_a_role_in_the_territory_gets_404(client, village_a, auch):
    service = ServiceFactory(commune=auch)
    client.force_login(UserFactory())

    assert client.get(INDEX).status_code == 404
    assert client.get(list_url(village_a)).status_code == 404
    assert client.get(edit_url(service)).status_code == 404


def test_staff_of_another_territory_gets_404(client, landes, village_a, auch):
    service = ServiceFactory(commune=auch)
    client.force_login(member(landes, Role.TERRITORY_ADMIN))

    assert client.get(list_url(village_a)).status_code == 404
    assert client.get(edit_url(service)).status_code == 404


def test_territory_staff_can_edit_the_services_of_every_village_and_commune(
    client, advisor, village_a, village_b, castera, gers_communes
):
    in_village = ServiceFactory(commune=castera, name="Épicerie")
    elsewhere = CommuneFactory(territory=gers_communes, with_boundary=True)
    outside_villages = ServiceFactory(commune=elsewhere, name="Gare")
    client.force_login(advisor)

    index = client.get(INDEX).content.decode()
    assert list_url(village_a) in index and list_url(village_b) in index
    response = client.post(edit_url(in_village), form(castera, name="Épicerie Vival", version="1"))
    assert response.status_code == 302 and response.url == list_url(village_b)
    response = client.post(edit_url(outside_villages), form(elsewhere, name="Gare SNCF", version="1"))
    assert response.status_code == 302 and response.url == INDEX
    assert Service.objects.get(pk=in_village.pk).name == "Épicerie Vival"
    assert Service.objects.get(pk=outside_villages.pk).name == "Gare SNCF"
    update = LogEntry.objects.get_for_object(in_village).get(action=LogEntry.Action.UPDATE)
    assert update.actor == advisor
    assert update.changes_dict["name"] == ["Épicerie", "Épicerie Vival"]


# --- Adding and editing ---------------------------------------------------------------------------


def test_a_committee_member_adds_a_service_and_the_change_is_logged(client, committee_a, village_a, auch):
    client.force_login(committee_a)

    response = client.post(add_url(village_a), form(auch))

    assert response.status_code == 302 and response.url == list_url(village_a)
    service = Service.objects.get()
    assert (service.commune, service.name, service.updated_by) == (
        auch,
        "Boulangerie de la Halle",
        committee_a,
    )
    assert service.lat == pytest.approx(auch.lat)
    assert messages_of(response) == ["Service « Boulangerie de la Halle » ajouté."]
    entry = LogEntry.objects.get_for_object(service).get()
    assert entry.actor == committee_a
    assert entry.additional_data == {"territory": auch.territory_id, "commune": auch.code}


def test_a_point_outside_the_commune_is_refused_with_a_clear_error_and_nothing_typed_is_lost(
    client, committee_a, village_a, auch
):
    client.force_login(committee_a)

    response = client.post(add_url(village_a), form(auch, name="Médecin Dr Ferrand", **TOULOUSE))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Ce point est en dehors de la commune de Auch." in page
    assert 'id="id_lat_error"' in page and 'aria-describedby="id_lat_helptext id_lat_error"' in page
    assert 'value="Médecin Dr Ferrand"' in page
    assert 'value="Du mardi au dimanche, 7 h – 13 h"' in page
    assert not Service.objects.exists()


def test_a_market_without_its_day_is_refused_on_the_day_field(client, committee_a, village_a, auch):
    client.force_login(committee_a)

    response = client.post(add_url(village_a), form(auch, category="market", name="Marché de la Halle"))

    assert response.status_code == 400
    assert response.context["form"].errors["market_day"] == ["Indiquez le jour du marché."]
    assert 'value="Marché de la Halle"' in response.content.decode()


def test_every_refusal_is_shown_at_once(client, committee_a, village_a, auch):
    client.force_login(committee_a)

    response = client.post(add_url(village_a), form(auch, category="market", name="Marché", **TOULOUSE))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["market_day"] == ["Indiquez le jour du marché."]
    assert errors["lat"] == ["Ce point est en dehors de la commune de Auch."]


def test_a_market_is_saved_with_its_day(client, committee_a, village_a, auch):
    client.force_login(committee_a)

    client.post(add_url(village_a), form(auch, category="market", name="Marché", market_day="5"))

    assert Service.objects.get().get_market_day_display() == "samedi"


def test_the_edit_form_shows_the_map_data_and_the_last_verification(client, committee_a, auch):
    service = ServiceFactory(commune=auch, last_verified=datetime.date(2025, 3, 4))
    client.force_login(committee_a)

    response = client.get(edit_url(service))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Dernière vérification : 4 mars 2025" in page
    assert 'id="point-picker-data"' in page and "js/point-picker.js" in page
    assert response.context["map_data"]["point"] == [service.lat, service.lon]


def test_a_second_editor_is_refused_and_keeps_their_text(client, committee_a, village_a, auch):
    service = ServiceFactory(commune=auch, name="Pharmacie")
    colleague = committee_member(village_a, email="collegue@exemple.fr")
    client.force_login(colleague)
    client.post(edit_url(service), form(auch, name="Pharmacie du Gers", version="1"))
    client.force_login(committee_a)

    response = client.post(edit_url(service), form(auch, name="Pharmacie de la Cathédrale", version="1"))

    assert response.status_code == 409
    page = text(response)
    assert "Quelqu'un d'autre a modifié cette fiche" in page
    assert 'value="Pharmacie de la Cathédrale"' in page  # their text, kept
    assert "Pharmacie du Gers" in page  # the version saved in between, to compare
    assert 'name="version" value="2"' in page
    assert Service.objects.get(pk=service.pk).name == "Pharmacie du Gers"

    again = client.post(edit_url(service), form(auch, name="Pharmacie de la Cathédrale", version="2"))
    assert again.status_code == 302
    assert Service.objects.get(pk=service.pk).name == "Pharmacie de la Cathédrale"


# --- Re-confirming and deleting -------------------------------------------------------------------


def test_toujours_exact_sets_the_last_verified_date_to_today(client, committee_a, village_a, auch):
    service = ServiceFactory(commune=auch, name="Boulangerie", last_verified=datetime.date(2024, 2, 1))
    client.force_login(committee_a)

    with time_machine.travel(datetime.date(2025, 5, 20), tick=False):
        assert client.get(confirm_url(service)).status_code == 405
        response = client.post(confirm_url(service))

    assert response.status_code == 302 and response.url == list_url(village_a)
    service.refresh_from_db()
    assert service.last_verified == datetime.date(2025, 5, 20)
    assert service.updated_by == committee_a


def test_the_list_shows_when_each_service_was_verified(client, committee_a, village_a, auch):
    ServiceFactory(commune=auch, last_verified=datetime.date(2025, 1, 15), sample=True)
    client.force_login(committee_a)

    page = client.get(list_url(village_a)).content.decode()

    assert 'Vérifié le <time datetime="2025-01-15">15 janvier 2025</time>' in page
    assert "Toujours exact" in page
    assert "Donnée d'exemple" in html.unescape(page)


def test_delete_asks_for_confirmation_and_only_a_post_deletes(client, committee_a, village_a, auch):
    service = ServiceFactory(commune=auch, name="Dentiste")
    client.force_login(committee_a)

    confirmation = client.get(delete_url(service))
    assert confirmation.status_code == 200
    assert "Supprimer « Dentiste » ?" in confirmation.content.decode()
    assert Service.objects.filter(pk=service.pk).exists()

    response = client.post(delete_url(service))

    assert response.status_code == 302 and response.url == list_url(village_a)
    assert not Service.objects.filter(pk=service.pk).exists()
    deletion = LogEntry.objects.filter(object_pk=str(service.pk), action=LogEntry.Action.DELETE).get()
    assert deletion.actor == committee_a


# --- Query budget ---------------------------------------------------------------------------------


def test_the_services_list_runs_the_same_queries_for_1_or_20_services(client, committee_a, village_a, auch):
    ServiceFactory(commune=auch)
    client.force_login(committee_a)
    client.get(list_url(village_a))  # warm the territory table cache

    with CaptureQueriesContext(connection) as one:
        client.get(list_url(village_a))
    ServiceFactory.create_batch(19, commune=auch)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(list_url(village_a))

    assert len(response.context["services"]) == 20
    assert len(twenty.captured_queries) == len(one.captured_queries) <= 8
