"""Stage changes from the prospect page: only the allowed ones are offered, lost asks for a reason and
installed for what the funders count; refusals show the service's typed errors and keep the answers."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sohosolo.accounts.models import Role
from sohosolo.prospects.models import Activity, ActivityKind, Prospect, Stage, StageChange
from tests.accounts.staff_factories import member
from tests.territories.factories import CommuneFactory

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def url(prospect, action: str = "") -> str:
    return f"/fr/suivi/porteurs/{prospect.pk}/{action}"


def transition_url(prospect) -> str:
    return url(prospect, "etape/")


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, first_name="Claire", last_name="Dupuy")


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor)
    return client


@pytest.fixture
def prospect(gers):
    return ProspectFactory(territory=gers, first_name="Léa", last_name="Martin", adults=2, children=1)


@pytest.fixture
def auch(gers):
    return CommuneFactory(territory=gers, name="Auch", code="32013")


def installing(prospect) -> Prospect:
    Prospect.objects.filter(pk=prospect.pk).update(stage=Stage.INSTALLING)
    prospect.refresh_from_db()
    return prospect


# --- What the page offers ------------------------------------------------------------------------------


def test_only_the_allowed_stages_are_offered(advisor_client, prospect):
    body = advisor_client.get(url(prospect)).content.decode()

    assert "Passer à « qualifié »" in body
    assert "Marquer comme perdu…" in body
    assert "candidat »" not in body and "Marquer comme installé" not in body


def test_an_installing_prospect_offers_installed_back_and_lost(advisor_client, prospect):
    installing(prospect)

    body = advisor_client.get(url(prospect)).content.decode()

    assert f'href="{transition_url(prospect)}?to=installed"' in body
    assert "Revenir à « candidat »" in body
    assert "Marquer comme perdu…" in body


def test_a_lost_prospect_can_be_reopened(advisor_client, prospect, advisor):
    Prospect.objects.filter(pk=prospect.pk).update(stage=Stage.LOST, lost_reason="unreachable")

    body = advisor_client.get(url(prospect)).content.decode()
    assert "Rouvrir comme « contact »" in body

    advisor_client.post(transition_url(prospect), {"to": "contact"})
    prospect.refresh_from_db()
    assert (prospect.stage, prospect.lost_reason) == (Stage.CONTACT, "")


# --- Simple transitions --------------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 3, 6, 9, 0, tzinfo=PARIS))
def test_an_advisor_qualifies_a_contact(advisor_client, prospect, advisor):
    response = advisor_client.post(transition_url(prospect), {"to": "qualified"})

    assert response.status_code == 302
    assert response["Location"] == url(prospect)
    prospect.refresh_from_db()
    assert prospect.stage == Stage.QUALIFIED
    change = StageChange.objects.get(prospect=prospect)
    assert (change.from_stage, change.to_stage, change.by) == ("contact", "qualified", advisor)
    assert Activity.objects.filter(prospect=prospect, kind=ActivityKind.STAGE, author=advisor).exists()
    body = advisor_client.get(url(prospect)).content.decode()
    assert "Léa Martin est maintenant à l&#x27;étape « qualifié »." in body
    assert "Passer à « candidat »" in body


def test_a_transition_page_with_a_note(advisor_client, prospect):
    page = advisor_client.get(transition_url(prospect) + "?to=qualified")
    assert page.status_code == 200
    assert "Passer Léa Martin à l'étape « qualifié »" in page.content.decode()

    advisor_client.post(transition_url(prospect), {"to": "qualified", "note": "Projet solide."})

    assert StageChange.objects.get(prospect=prospect).note == "Projet solide."


def test_a_transition_that_is_not_allowed_is_refused(advisor_client, prospect):
    response = advisor_client.post(transition_url(prospect), {"to": "candidate", "note": "Trop tôt ?"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Passage de « contact » à « candidat » impossible." in body
    assert "Trop tôt ?" in body
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CONTACT
    assert not StageChange.objects.exists()


def test_asking_for_a_stage_that_is_not_allowed_goes_back_to_the_page(advisor_client, prospect):
    response = advisor_client.get(transition_url(prospect) + "?to=installed", follow=True)

    assert response.redirect_chain[-1][0] == url(prospect)
    assert "Passage de « contact » à « installé » impossible." in response.content.decode()


def test_an_unknown_stage_goes_back_to_the_page(advisor_client, prospect):
    response = advisor_client.post(transition_url(prospect), {"to": "famous"})

    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CONTACT


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PROSPECT])
def test_people_without_a_staff_role_cannot_change_a_stage(client, gers, prospect, role):
    client.force_login(member(gers, role))

    assert client.post(transition_url(prospect), {"to": "qualified"}).status_code == 403
    assert client.get(transition_url(prospect) + "?to=lost").status_code == 403
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CONTACT


def test_the_staff_of_another_territory_cannot_change_a_stage(client, landes, prospect):
    client.force_login(member(landes, Role.ADVISOR))

    assert client.post(transition_url(prospect), {"to": "qualified"}).status_code == 404
    assert (
        client.post(transition_url(prospect), {"to": "qualified"}, HTTP_HOST="landes.localhost").status_code
        == 404
    )
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CONTACT


# --- Lost ----------------------------------------------------------------------------------------------


def test_lost_without_a_reason_is_refused(advisor_client, prospect):
    response = advisor_client.post(transition_url(prospect), {"to": "lost", "note": "Ne répond plus."})

    body = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_reason_0"' in body  # the error summary links to the reasons
    assert "Ne répond plus." in body
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CONTACT


def test_lost_for_another_reason_needs_a_note(advisor_client, prospect):
    response = advisor_client.post(transition_url(prospect), {"to": "lost", "reason": "other", "note": " "})

    assert response.status_code == 400
    assert "Précisez le motif « autre » dans la note." in response.content.decode()
    assert 'value="other" id="id_reason_4" required checked' in response.content.decode()
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CONTACT


def test_lost_with_a_reason(advisor_client, prospect):
    form = advisor_client.get(transition_url(prospect) + "?to=lost")
    assert form.status_code == 200
    assert "A choisi un autre territoire" in form.content.decode()

    response = advisor_client.post(
        transition_url(prospect), {"to": "lost", "reason": "other_territory", "note": "Part en Dordogne."}
    )

    assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.stage, prospect.lost_reason) == (Stage.LOST, "other_territory")
    change = StageChange.objects.get(prospect=prospect)
    assert (change.reason, change.note) == ("other_territory", "Part en Dordogne.")
    body = advisor_client.get(url(prospect)).content.decode()
    assert "Motif : a choisi un autre territoire" in body


# --- Installed -----------------------------------------------------------------------------------------


def installed_data(commune, **overrides) -> dict:
    data = {
        "to": "installed",
        "installed_commune": f"{commune.name} ({commune.code})",
        "installed_on": "2026-02-15",
        "installed_adults": "2",
        "installed_children": "1",
        "activity_created": "moved",
        "jobs_created": "1",
        "first_contact_before_move": "yes",
        "helpful_actions": ["advisor", "meeting"],
        "note": "",
    }
    return {**data, **overrides}


def test_the_installation_form_offers_the_communes_and_what_is_known(advisor_client, prospect, auch):
    installing(prospect)

    body = advisor_client.get(transition_url(prospect) + "?to=installed").content.decode()

    assert '<option value="Auch (32013)">' in body
    assert 'name="installed_adults" value="2"' in body  # the household of the project
    assert 'name="installed_children" value="1"' in body
    assert "Le premier contact avec le programme a-t-il eu lieu avant le déménagement ?" in body


def test_installed_without_its_fields_is_refused_and_keeps_the_answers(advisor_client, prospect, auch):
    installing(prospect)

    response = advisor_client.post(
        transition_url(prospect),
        installed_data(
            auch,
            installed_on="",
            activity_created="",
            jobs_created="",
            first_contact_before_move="",
            helpful_actions=["village"],
        ),
    )

    body = response.content.decode()
    assert response.status_code == 400
    summary = body.split('id="form-errors"')[1].split("</div>")[0]
    for label in [
        "Date d&#x27;installation",
        "Activité professionnelle",
        "Emplois créés",
        "avant le déménagement",
    ]:
        assert label in summary, label
    assert "Commune d&#x27;installation" not in summary
    # What was typed is still there.
    assert 'value="Auch (32013)"' in body
    assert 'value="village" id="id_helpful_actions_3" checked' in body
    assert 'name="installed_adults" value="2"' in body
    prospect.refresh_from_db()
    assert prospect.stage == Stage.INSTALLING
    assert prospect.installed_commune is None


def test_the_service_s_incomplete_installation_error_is_shown_on_the_form(
    advisor_client, prospect, auch, monkeypatch
):
    """Even when the form lets an empty answer through, the service's list of missing fields is shown."""
    from sohosolo.prospects.pipeline_forms import InstalledForm

    installing(prospect)
    original = InstalledForm.installation
    monkeypatch.setattr(InstalledForm, "installation", lambda form: {**original(form), "jobs_created": None})

    response = advisor_client.post(transition_url(prospect), installed_data(auch))

    body = response.content.decode()
    assert response.status_code == 400
    assert "Pour marquer ce projet « installé », renseignez : emplois." in body
    assert "Nécessaire pour marquer le projet installé." in body
    prospect.refresh_from_db()
    assert prospect.stage == Stage.INSTALLING


def test_a_commune_of_another_territory_is_refused(advisor_client, prospect, landes):
    installing(prospect)
    mimizan = CommuneFactory(territory=landes, name="Mimizan", code="40184")

    response = advisor_client.post(transition_url(prospect), installed_data(mimizan))

    assert response.status_code == 400
    assert "Aucune commune du territoire ne correspond à « Mimizan (40184) »" in response.content.decode()


@time_machine.travel(datetime(2026, 3, 6, 9, 0, tzinfo=PARIS))
def test_installed_with_every_field(advisor_client, prospect, auch, advisor):
    installing(prospect)

    response = advisor_client.post(transition_url(prospect), installed_data(auch, note="Bienvenue !"))

    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.stage == Stage.INSTALLED
    assert prospect.installed_commune == auch
    assert prospect.installed_on == date(2026, 2, 15)
    assert (prospect.installed_adults, prospect.installed_children, prospect.jobs_created) == (2, 1, 1)
    assert prospect.activity_created == "moved"
    assert prospect.first_contact_before_move is True
    assert prospect.helpful_actions == ["advisor", "meeting"]
    body = advisor_client.get(url(prospect)).content.decode()
    installation = body.split('id="installation"')[1].split("</section>")[0]
    assert "Auch" in installation and "15 février 2026" in installation
    assert "l&#x27;accompagnement d&#x27;un conseiller, une réunion d&#x27;information" in installation
    assert "Changer d&#x27;étape" not in body and "Changer d'étape" not in body  # installed is final


def test_an_installation_date_in_the_future_is_refused(advisor_client, prospect, auch):
    installing(prospect)

    with time_machine.travel(datetime(2026, 3, 6, 9, 0, tzinfo=PARIS)):
        response = advisor_client.post(
            transition_url(prospect), installed_data(auch, installed_on="2026-06-01")
        )

    assert response.status_code == 400
    assert "Cette date est dans le futur." in response.content.decode()
