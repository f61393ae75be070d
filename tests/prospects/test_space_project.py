""" "Mon espace" for a prospect: their project (read, edit with optimistic locking) and their consents."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.core.locking import save_versioned
from sohosolo.core.models import OutboxMessage
from sohosolo.prospects.models import (
    Activity,
    ActivityKind,
    ConsentPurpose,
    ConsentRecord,
    ConsentSource,
    Need,
    Prospect,
    Stage,
    Timing,
)
from sohosolo.prospects.services import consent_record
from tests.accounts.staff_factories import member, verified_user
from tests.villages.factories import committee_member, village_in

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

SPACE = "/fr/mon-espace/"
LANDES = {"HTTP_HOST": "landes.localhost"}


def detail_url(prospect) -> str:
    return f"/fr/mon-espace/projet/{prospect.pk}/"


def edit_url(prospect) -> str:
    return f"/fr/mon-espace/projet/{prospect.pk}/modifier/"


def consents_url(prospect) -> str:
    return f"/fr/mon-espace/projet/{prospect.pk}/consentements/"


def form_data(prospect: Prospect, **changes) -> dict:
    data = {
        "version": prospect.version,
        "adults": prospect.adults if prospect.adults is not None else "",
        "children": prospect.children if prospect.children is not None else "",
        "children_ages": prospect.children_ages,
        "timing": prospect.timing,
        "villages": [v.pk for v in prospect.villages.all()],
        "needs": list(prospect.needs),
        "activity": prospect.activity,
        "sector": prospect.sector,
        "work_status": prospect.work_status,
        "current_location": prospect.current_location,
        "phone": prospect.phone,
        "message": prospect.message,
    }
    if prospect.anywhere:
        data["anywhere"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def camille(gers):
    return member(gers, Role.PROSPECT, email="camille@exemple.fr", first_name="Camille")


@pytest.fixture
def project(gers, camille):
    return ProspectFactory(
        territory=gers, user=camille, first_name="Camille", email="camille@exemple.fr", activity="Graphiste"
    )


@pytest.fixture
def camille_client(client, camille):
    client.force_login(camille)
    return client


@pytest.fixture
def notify(monkeypatch):
    """The committees' notification, replaced by a recorder (written by another part of the app)."""
    calls = []
    monkeypatch.setattr(
        "sohosolo.prospects.committee.committees_notify_new_prospect",
        lambda *, prospect, villages: calls.append((prospect.pk, sorted(v.pk for v in villages))),
    )
    return calls


# --- The "Mon projet" section of "Mon espace" ------------------------------------------------------


def test_my_space_shows_my_project_with_its_stage_in_plain_words_and_my_advisor(
    camille_client, gers, project
):
    advisor = member(gers, Role.ADVISOR, first_name="Mathilde", email="mathilde@exemple.fr")
    Prospect.objects.filter(pk=project.pk).update(stage=Stage.QUALIFIED, advisor=advisor)

    body = camille_client.get(SPACE).content.decode()

    assert "Mon projet" in body
    assert "Un conseiller étudie votre projet" in body
    assert "Votre conseiller : Mathilde." in body
    for link in (detail_url(project), edit_url(project), consents_url(project)):
        assert f'href="{link}"' in body
    assert 'href="/fr/mon-espace/mes-donnees.json"' in body
    assert 'href="/fr/mon-espace/supprimer/"' in body


@pytest.mark.parametrize(
    ("stage", "words"),
    [
        (Stage.CONTACT, "Votre demande a bien été reçue"),
        (Stage.CANDIDATE, "Vous êtes candidat : votre passeport est ouvert"),
        (Stage.INSTALLED, "Vous êtes installé : bienvenue !"),
    ],
)
def test_each_stage_is_told_in_plain_words(camille_client, project, stage, words):
    Prospect.objects.filter(pk=project.pk).update(stage=stage)
    assert words in camille_client.get(SPACE).content.decode()
    assert words in camille_client.get(detail_url(project)).content.decode()


def test_my_space_lists_only_my_own_active_projects(camille_client, gers, camille, project):
    other = ProspectFactory(territory=gers, user=verified_user(), first_name="Zoé")
    erased = ProspectFactory(territory=gers, user=camille, anonymised_at=timezone.now())

    body = camille_client.get(SPACE).content.decode()

    assert detail_url(project) in body
    assert detail_url(other) not in body
    assert detail_url(erased) not in body


def test_a_project_in_another_territory_is_mentioned_without_links(camille_client, landes, camille, project):
    elsewhere = ProspectFactory(territory=landes, user=camille)

    body = camille_client.get(SPACE).content.decode()

    assert detail_url(elsewhere) not in body
    assert f"Vous avez aussi un projet suivi par Soho Solo {landes.name}" in body


def test_a_person_without_a_project_sees_no_project_section(client, gers):
    client.force_login(member(gers, Role.MEMBER))
    body = client.get(SPACE).content.decode()
    assert 'id="project-title"' not in body


# --- Only my own project ---------------------------------------------------------------------------


def test_someone_elses_project_answers_404(camille_client, gers):
    other = ProspectFactory(territory=gers, user=verified_user())
    nobody = ProspectFactory(territory=gers, user=None)
    for prospect in (other, nobody):
        assert camille_client.get(detail_url(prospect)).status_code == 404
        assert camille_client.get(edit_url(prospect)).status_code == 404
        assert camille_client.get(consents_url(prospect)).status_code == 404
        assert camille_client.post(edit_url(prospect), form_data(prospect, activity="X")).status_code == 404
        assert camille_client.post(consents_url(prospect), {"contact": "no"}).status_code == 404
    other.refresh_from_db()
    assert other.activity == "Graphiste" and other.consent_contact


def test_my_project_of_another_territory_or_anonymised_answers_404(camille_client, landes, camille, project):
    elsewhere = ProspectFactory(territory=landes, user=camille)
    erased = ProspectFactory(territory=project.territory, user=camille, anonymised_at=timezone.now())
    assert camille_client.get(detail_url(elsewhere)).status_code == 404
    assert camille_client.get(detail_url(elsewhere), **LANDES).status_code == 200  # on its own site
    assert camille_client.get(detail_url(erased)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, project):
    for url in (detail_url(project), edit_url(project), consents_url(project)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/fr/compte/connexion/?next=")


# --- Reading and editing the project ----------------------------------------------------------------


def test_the_project_page_shows_my_answers(camille_client, gers, project):
    lectoure = village_in(gers, commune__name="Lectoure")
    project.villages.add(lectoure)
    Prospect.objects.filter(pk=project.pk).update(needs=[Need.RENT, Need.COWORKING], message="Bonjour !")

    response = camille_client.get(detail_url(project))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Lectoure" in body
    assert "louer un logement, un espace de coworking" in body
    assert "Graphiste" in body
    assert "Bonjour !" in body


def test_the_edit_form_offers_the_published_villages_of_the_territory(camille_client, gers, landes, project):
    village_in(gers, commune__name="Lectoure")
    village_in(gers, commune__name="Fourcès", draft=True)
    village_in(landes, commune__name="Sabres")

    body = camille_client.get(edit_url(project)).content.decode()

    assert "Lectoure" in body
    assert "Fourcès" not in body
    assert "Sabres" not in body


def test_an_edit_saves_the_project_counts_as_an_inbound_contact_and_adds_an_activity(
    camille_client, camille, project, notify
):
    before = project.last_inbound_at
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        response = camille_client.post(
            edit_url(project),
            form_data(
                project,
                activity="Menuisière",
                timing=Timing.UNDER_6,
                needs=[Need.OFFICE, Need.RENT],
                phone="+33 6 11 22 33 44",
            ),
        )
        now = timezone.now()

    assert response.status_code == 302
    assert response["Location"] == detail_url(project)
    project.refresh_from_db()
    assert project.activity == "Menuisière"
    assert project.timing == Timing.UNDER_6
    assert project.needs == [Need.RENT, Need.OFFICE]
    assert project.phone_normalised == "0611223344"
    assert project.version == 2
    assert project.last_inbound_at == now > before
    activity = Activity.objects.get(prospect=project, kind=ActivityKind.OTHER)
    assert activity.text == "Projet mis à jour par le porteur de projet"
    assert sorted(activity.data["fields"]) == ["activity", "needs", "phone", "timing"]
    assert activity.author == camille
    assert notify == []


def test_a_save_without_changes_writes_nothing(camille_client, project):
    response = camille_client.post(edit_url(project), form_data(project), follow=True)

    assert "Aucune modification à enregistrer." in response.content.decode()
    project.refresh_from_db()
    assert project.version == 1
    assert not Activity.objects.filter(prospect=project).exists()


def test_an_edit_with_an_error_keeps_the_answers_and_saves_nothing(camille_client, project):
    response = camille_client.post(
        edit_url(project), form_data(project, activity="Céramiste d'art", phone="12", adults="-1")
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Ce numéro de téléphone semble incomplet." in body
    assert "Céramiste d&#x27;art" in body
    assert 'id="form-errors"' in body
    project.refresh_from_db()
    assert project.activity == "Graphiste"
    assert project.version == 1


def test_a_conflicting_edit_keeps_the_losers_text_and_shows_the_saved_version(camille_client, project):
    opened = form_data(project)  # the prospect opens the form (version 1)
    # Meanwhile the advisor saves the project.
    project.activity = "Graphiste et illustratrice"
    save_versioned(project, expected_version=1, fields=["activity"])

    response = camille_client.post(edit_url(project), {**opened, "message": "Nous arrivons en mai."})

    body = response.content.decode()
    assert response.status_code == 409
    assert "Version enregistrée entre-temps" in body
    assert "Graphiste et illustratrice" in body  # the saved version, shown beside
    assert "Nous arrivons en mai." in body  # the loser's text, kept in the form
    assert 'name="version" value="2"' in body
    project.refresh_from_db()
    assert project.message == "" and project.activity == "Graphiste et illustratrice"

    # Saving again, after comparing, goes through.
    again = {
        **opened,
        "version": 2,
        "message": "Nous arrivons en mai.",
        "activity": "Graphiste et illustratrice",
    }
    assert camille_client.post(edit_url(project), again).status_code == 302
    project.refresh_from_db()
    assert project.message == "Nous arrivons en mai." and project.version == 3


def test_committees_are_told_only_of_newly_chosen_villages(
    camille_client, gers, project, notify, django_capture_on_commit_callbacks
):
    lectoure = village_in(gers, commune__name="Lectoure")
    fources = village_in(gers, commune__name="Fourcès")
    project.villages.add(lectoure)

    with django_capture_on_commit_callbacks(execute=True):
        response = camille_client.post(
            edit_url(project), form_data(project, villages=[lectoure.pk, fources.pk])
        )

    assert response.status_code == 302
    assert notify == [(project.pk, [fources.pk])]
    assert set(project.villages.all()) == {lectoure, fources}

    # Removing a village, or changing something else, tells nobody.
    project.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        camille_client.post(edit_url(project), form_data(project, villages=[fources.pk], activity="Potière"))
    assert notify == [(project.pk, [fources.pk])]
    assert list(project.villages.all()) == [fources]


def test_a_village_chosen_before_it_was_unpublished_stays_chosen(camille_client, gers, project, notify):
    lectoure = village_in(gers, commune__name="Lectoure", draft=True)
    project.villages.add(lectoure)

    camille_client.post(edit_url(project), form_data(project, activity="Potière"))

    project.refresh_from_db()
    assert project.activity == "Potière"
    assert list(project.villages.all()) == [lectoure]


# --- Consents ---------------------------------------------------------------------------------------


def consent_data(**changes) -> dict:
    return {"contact": "yes", "share_villages": "no", "newsletter": "no", **changes}


def test_the_consents_page_shows_each_state_with_its_date_and_the_history(camille_client, project):
    with time_machine.travel("2026-03-04 10:00 +01:00", tick=False):
        consent_record(
            prospect=project, purpose=ConsentPurpose.CONTACT, granted=True, source=ConsentSource.PROJECT_FORM
        )

    body = camille_client.get(consents_url(project)).content.decode()

    assert "Votre choix actuel : oui, depuis le 4 mars 2026." in body
    assert "Votre choix actuel : non." in body
    assert "les conseillers ne vous contacteront plus" in body
    assert "vous avez dit oui : être contacté par les conseillers du territoire (formulaire projet)." in body


def test_a_consent_change_writes_one_ledger_row_per_change(camille_client, camille, project):
    response = camille_client.post(consents_url(project), consent_data(share_villages="yes"), follow=True)

    assert "Vos choix sont enregistrés." in response.content.decode()
    record = ConsentRecord.objects.get(prospect=project)
    assert record.purpose == ConsentPurpose.SHARE_VILLAGES
    assert record.granted is True
    assert record.source == ConsentSource.SPACE
    assert record.recorded_by == camille
    project.refresh_from_db()
    assert project.consent_share_villages is True
    assert Activity.objects.filter(prospect=project, kind=ActivityKind.CONSENT).count() == 1


def test_submitting_unchanged_consents_writes_nothing(camille_client, project):
    response = camille_client.post(consents_url(project), consent_data(), follow=True)

    assert "Vos choix n&#x27;ont pas changé." in response.content.decode()
    assert not ConsentRecord.objects.filter(prospect=project).exists()


def test_withdrawing_the_contact_consent_is_recorded_and_shown(camille_client, project):
    before = project.last_inbound_at
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        camille_client.post(consents_url(project), consent_data(contact="no"))

    project.refresh_from_db()
    assert project.consent_contact is False
    assert project.last_inbound_at > before
    record = ConsentRecord.objects.get(prospect=project)
    assert (record.purpose, record.granted, record.source) == (
        ConsentPurpose.CONTACT,
        False,
        ConsentSource.SPACE,
    )
    body = camille_client.get(consents_url(project)).content.decode()
    assert "Votre choix actuel : non, depuis le" in body
    assert "vous avez dit non : être contacté par les conseillers du territoire (Mon espace)." in body


def test_a_consent_form_without_an_answer_is_refused(camille_client, project):
    response = camille_client.post(consents_url(project), {"contact": "no"})

    assert response.status_code == 400
    assert "Répondez oui ou non." in response.content.decode()
    assert not ConsentRecord.objects.filter(prospect=project).exists()


def test_agreeing_to_share_tells_the_committees_of_the_chosen_villages(
    camille_client, gers, project, notify, django_capture_on_commit_callbacks
):
    lectoure = village_in(gers, commune__name="Lectoure")
    project.villages.add(lectoure)

    with django_capture_on_commit_callbacks(execute=True):
        camille_client.post(consents_url(project), consent_data(share_villages="yes"))
    assert notify == [(project.pk, [lectoure.pk])]

    with django_capture_on_commit_callbacks(execute=True):
        camille_client.post(consents_url(project), consent_data(share_villages="yes", newsletter="yes"))
        camille_client.post(consents_url(project), consent_data(share_villages="no", newsletter="yes"))
    assert notify == [(project.pk, [lectoure.pk])]


def test_a_newly_chosen_village_emails_its_committee(
    camille_client, gers, project, django_capture_on_commit_callbacks
):
    """With the real notification (no patch): the committee of the added village gets an email."""
    Prospect.objects.filter(pk=project.pk).update(consent_share_villages=True)
    project.refresh_from_db()
    lectoure = village_in(gers, commune__name="Lectoure")
    committee_member(lectoure, email="jeanne@lectoure.fr")

    with django_capture_on_commit_callbacks(execute=True):
        camille_client.post(edit_url(project), form_data(project, villages=[lectoure.pk]))

    assert list(OutboxMessage.objects.values_list("to", flat=True)) == ["jeanne@lectoure.fr"]
