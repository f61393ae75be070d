"""A committee's ground checks ("vérifié sur le terrain") sit beside the official figures and never
replace them; committee members keep those of their villages only, territory staff all of them."""

import datetime
import html

import pytest
import time_machine
from auditlog.models import LogEntry

from sohosolo.connectivity.models import Connectivity, ConnectivityCorrection
from tests.accounts.factories import UserFactory
from tests.services.factories import committee_member

pytestmark = pytest.mark.django_db

LOGIN = "/fr/compte/connexion/"
INDEX = "/fr/suivi/couverture/"


def village_url(village) -> str:
    return f"/fr/suivi/couverture/village/{village.slug}/"


def add_url(village) -> str:
    return f"/fr/suivi/couverture/village/{village.slug}/ajouter/"


def edit_url(correction) -> str:
    return f"/fr/suivi/couverture/{correction.pk}/modifier/"


def delete_url(correction) -> str:
    return f"/fr/suivi/couverture/{correction.pk}/supprimer/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def official(commune, **fields) -> Connectivity:
    values = {
        "fibre_share_pct": 12.5,
        "best_dsl_mbps": 8,
        "fixed_4g": True,
        "mobile_orange": "good",
        "mobile_sfr": "basic",
        "source": "ARCEP Ma connexion internet",
        "date": datetime.date(2025, 3, 31),
    }
    return Connectivity.objects.create(commune=commune, **{**values, **fields})


def correction(commune, **fields) -> ConnectivityCorrection:
    values = {"topic": "Fibre", "note": "Raccordée rue de la Gare", "checked_on": datetime.date(2025, 4, 2)}
    return ConnectivityCorrection.objects.create(commune=commune, **{**values, **fields})


def test_anonymous_visitors_are_sent_to_the_login_page(client, village_a, auch):
    check = correction(auch)
    for url in (INDEX, village_url(village_a), add_url(village_a), edit_url(check), delete_url(check)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url


def test_a_committee_member_adds_a_ground_check_shown_beside_the_unchanged_official_figures(
    client, committee_a, village_a, auch
):
    official(auch)
    client.force_login(committee_a)
    form = {
        "topic": "Fibre",
        "checked_on": "2025-04-02",
        "note": "La fibre arrive rue de la Gare\ndepuis mars.",
    }

    with time_machine.travel(datetime.date(2025, 4, 3), tick=False):
        response = client.post(add_url(village_a), form)

    assert response.status_code == 302 and response.url == village_url(village_a)
    check = ConnectivityCorrection.objects.get()
    assert (check.commune, check.author, check.topic) == (auch, committee_a, "Fibre")
    assert Connectivity.objects.get(commune=auch).fibre_share_pct == 12.5  # never replaced
    assert LogEntry.objects.get_for_object(check).get().actor == committee_a
    page = text(client.get(village_url(village_a)))
    official_part, ground_part = page.split("Vérifié sur le terrain</h3>")
    assert "12,5 % des locaux raccordables" in official_part
    assert "Source : ARCEP Ma connexion internet, données du 31 mars 2025." in official_part
    assert 'vérifié le <time datetime="2025-04-02">2 avril 2025</time>' in ground_part
    assert "La fibre arrive rue de la Gare<br>depuis mars." in ground_part


def test_a_committee_member_gets_404_for_another_village(client, committee_a, village_b, castera):
    other = correction(castera)
    client.force_login(committee_a)

    assert client.get(village_url(village_b)).status_code == 404
    assert (
        client.post(add_url(village_b), {"topic": "x", "note": "y", "checked_on": "2025-01-01"}).status_code
        == 404
    )
    assert (
        client.post(
            edit_url(other), {"topic": "x", "note": "y", "checked_on": "2025-01-01", "version": "1"}
        ).status_code
        == 404
    )  # noqa: E501
    assert client.post(delete_url(other)).status_code == 404
    assert ConnectivityCorrection.objects.get(pk=other.pk).topic == "Fibre"


def test_someone_without_a_role_gets_404(client, village_a):
    client.force_login(UserFactory())

    assert client.get(INDEX).status_code == 404
    assert client.get(village_url(village_a)).status_code == 404


def test_territory_staff_can_edit_the_ground_checks_of_every_village(client, advisor, village_b, castera):
    check = correction(castera)
    client.force_login(advisor)

    response = client.post(
        edit_url(check),
        {"topic": "ADSL", "note": "8 Mbit/s mesurés", "checked_on": "2025-04-02", "version": "1"},
    )

    assert response.status_code == 302 and response.url == village_url(village_b)
    check.refresh_from_db()
    assert (check.topic, check.version) == ("ADSL", 2)


def test_a_ground_check_in_the_future_is_refused_and_the_note_is_kept(client, committee_a, village_a):
    client.force_login(committee_a)

    with time_machine.travel(datetime.date(2025, 4, 3), tick=False):
        response = client.post(
            add_url(village_a), {"topic": "4G", "checked_on": "2025-05-01", "note": "Réseau faible"}
        )

    assert response.status_code == 400
    assert response.context["form"].errors["checked_on"] == [
        "La date de vérification ne peut pas être dans le futur."
    ]
    assert "Réseau faible</textarea>" in text(response)
    assert not ConnectivityCorrection.objects.exists()


def test_a_second_editor_is_refused_and_keeps_their_text(client, committee_a, village_a, auch):
    check = correction(auch)
    colleague = committee_member(village_a, email="collegue@exemple.fr")
    client.force_login(colleague)
    client.post(
        edit_url(check),
        {"topic": "Fibre", "note": "Version du collègue", "checked_on": "2025-04-02", "version": "1"},
    )  # noqa: E501
    client.force_login(committee_a)

    response = client.post(
        edit_url(check),
        {"topic": "Fibre", "note": "Ma version à moi", "checked_on": "2025-04-02", "version": "1"},
    )

    assert response.status_code == 409
    page = text(response)
    assert "Quelqu'un d'autre a modifié cette fiche" in page
    assert "Ma version à moi</textarea>" in page
    assert "Version du collègue" in page
    assert ConnectivityCorrection.objects.get(pk=check.pk).note == "Version du collègue"


def test_delete_asks_for_confirmation_and_only_a_post_deletes(client, committee_a, village_a, auch):
    check = correction(auch)
    client.force_login(committee_a)

    assert client.get(delete_url(check)).status_code == 200
    assert ConnectivityCorrection.objects.filter(pk=check.pk).exists()
    response = client.post(delete_url(check))

    assert response.status_code == 302 and response.url == village_url(village_a)
    assert not ConnectivityCorrection.objects.exists()
