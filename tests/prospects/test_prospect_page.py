"""The advisor's prospect page (/suivi/porteurs/<pk>/): who may open it, what it shows, the audit of
every display, and the actions taken from it (activity, next action, assignment, edition, invitation
to the next information meeting)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.prospects.models import (
    Activity,
    ActivityKind,
    ConsentPurpose,
    ConsentSource,
    Need,
    Prospect,
    Stage,
)
from sohosolo.prospects.services import activity_record, consent_record, prospect_transition
from tests.accounts.staff_factories import member
from tests.villages.factories import committee_member, village_in

from .factories import ActivityFactory, ProspectFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
LANDES = {"HTTP_HOST": "landes.localhost"}


def url(prospect, action: str = "") -> str:
    return f"/fr/suivi/porteurs/{prospect.pk}/{action}"


def accesses(prospect) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Prospect),
            object_pk=str(prospect.pk),
            action=LogEntry.Action.ACCESS,
        )
    )


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="claire@gers.fr", first_name="Claire", last_name="Dupuy")


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor)
    return client


@pytest.fixture
def lectoure(gers):
    return village_in(gers, commune__name="Lectoure")


@pytest.fixture
def prospect(gers, lectoure):
    prospect = ProspectFactory(
        territory=gers,
        first_name="Léa",
        last_name="Martin",
        email="lea.martin@exemple.fr",
        phone="06 11 22 33 44",
        current_location="Lyon",
        activity="Designer graphique",
        children=2,
        children_ages="4 et 7 ans",
        needs=[Need.RENT, Need.COWORKING],
        message="Nous cherchons une maison avec un atelier.",
        heard_from="press",
        heard_from_detail="La Dépêche",
        utm_source="newsletter",
        utm_campaign="printemps",
        referrer="https://www.example.org/article",
        consent_share_villages=True,
    )
    prospect.villages.set([lectoure])
    return prospect


# --- Who may open it -----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login(client, prospect):
    response = client.get(url(prospect))

    assert response.status_code == 302
    assert response["Location"].startswith("/fr/compte/connexion/?next=")
    assert accesses(prospect) == []


@pytest.mark.parametrize("role", [Role.PROSPECT, Role.COMMITTEE, Role.MEMBER, Role.PARTNER])
def test_people_of_the_territory_without_a_staff_role_are_refused(client, gers, prospect, role):
    client.force_login(member(gers, role))

    assert client.get(url(prospect)).status_code == 403
    assert client.post(url(prospect, "action/"), {"activity-kind": "call"}).status_code == 403
    assert accesses(prospect) == []


def test_the_committee_of_the_chosen_village_is_refused_here_too(client, prospect, lectoure):
    client.force_login(committee_member(lectoure))

    assert client.get(url(prospect)).status_code == 403


def test_an_advisor_of_another_territory_gets_not_found(client, landes, prospect):
    client.force_login(member(landes, Role.ADVISOR))

    assert client.get(url(prospect)).status_code == 404
    assert client.get(url(prospect), **LANDES).status_code == 404
    assert client.get(url(prospect, "modifier/"), **LANDES).status_code == 404
    assert accesses(prospect) == []


def test_a_prospect_of_another_territory_is_not_found(advisor_client, landes):
    other = ProspectFactory(territory=landes)

    assert advisor_client.get(url(other)).status_code == 404
    assert advisor_client.post(url(other, "proposer-reunion/")).status_code == 404


def test_an_anonymised_prospect_is_not_found(advisor_client, prospect):
    Prospect.objects.filter(pk=prospect.pk).update(anonymised_at=timezone.now())

    assert advisor_client.get(url(prospect)).status_code == 404


def test_a_territory_admin_opens_the_page(client, gers, prospect):
    client.force_login(member(gers, Role.TERRITORY_ADMIN))

    assert client.get(url(prospect)).status_code == 200


# --- What it shows -------------------------------------------------------------------------------------


def test_the_page_shows_the_person_the_project_and_the_source(advisor_client, prospect, advisor):
    prospect.advisor = advisor
    prospect.save()

    response = advisor_client.get(url(prospect))

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    for text in [
        "<h1>Léa Martin</h1>",
        "Contact",
        "Claire Dupuy",
        'href="mailto:lea.martin@exemple.fr"',
        'href="tel:0611223344"',
        "Lyon",
        "Designer graphique",
        "Création, design, communication",
        "Indépendant·e / freelance",
        "2 adultes, 2 enfants (4 et 7 ans)",
        "Dans 6 à 12 mois",
        "Lectoure",
        "louer un logement, un espace de coworking",
        "Nous cherchons une maison avec un atelier.",
        "Presse, radio, télévision (La Dépêche)",
        "utm_source : newsletter · utm_campaign : printemps",
        "https://www.example.org/article",
        "Formulaire du site",
    ]:
        assert text in body, text


def test_the_consents_current_state_is_shown(advisor_client, prospect):
    consent_record(
        prospect=prospect, purpose=ConsentPurpose.NEWSLETTER, granted=False, source=ConsentSource.PROJECT_FORM
    )

    body = advisor_client.get(url(prospect)).content.decode()

    consents = body.split('class="facts consents"')[1].split("</dl>")[0]
    assert "Être contacté par les conseillers</dt><dd>oui" in consents
    assert "Partage avec les villages choisis</dt><dd>oui" in consents
    assert "Lettre d'information</dt><dd>non" in consents


def test_the_timeline_lists_every_kind_of_activity_newest_first_with_author_and_date(
    advisor_client, prospect, advisor, lectoure
):
    jeanne = committee_member(lectoure, first_name="Jeanne", last_name="Comité")

    def at(day, hour):
        return datetime(2026, 3, day, hour, 0, tzinfo=PARIS)

    activity_record(prospect=prospect, kind=ActivityKind.FORM, occurred_at=at(2, 9), text="Projet reçu")
    consent_record(
        prospect=prospect,
        purpose=ConsentPurpose.SHARE_VILLAGES,
        granted=True,
        source=ConsentSource.PROJECT_FORM,
        at=at(2, 9),
    )
    with time_machine.travel(at(3, 10)):
        prospect_transition(prospect=prospect, to=Stage.QUALIFIED, by=advisor, note="Projet solide")
    activity_record(
        prospect=prospect, kind=ActivityKind.COMMITTEE, village=lectoure, by=jeanne, occurred_at=at(4, 18)
    )
    activity_record(
        prospect=prospect,
        kind=ActivityKind.CALL,
        by=advisor,
        occurred_at=at(5, 14),
        outcome="message_left",
        text="Rappeler jeudi",
    )

    body = advisor_client.get(url(prospect)).content.decode()
    timeline = body.split('id="historique"')[1]

    titles = [
        "Appel",
        "Contact par le comité d&#x27;accueil de Lectoure",
        "Étape : contact → qualifié",
        "Consentement donné : partager le projet",
        "Nouveau contact via le formulaire",
    ]
    positions = [timeline.index(title) for title in titles]
    assert positions == sorted(positions), "newest first"
    assert "5 mars 2026 14:00" in timeline
    assert "par Claire Dupuy" in timeline and "par Jeanne Comité" in timeline
    assert "Résultat : message laissé" in timeline and "Rappeler jeudi" in timeline
    assert "Projet solide" in timeline
    assert "Recueilli par : formulaire projet" in timeline


def test_dates_follow_the_reader_s_language(advisor_client, prospect):
    ActivityFactory(prospect=prospect, occurred_at=datetime(2026, 3, 5, 14, 0, tzinfo=PARIS))

    french = advisor_client.get(url(prospect)).content.decode()
    english = advisor_client.get(f"/en/suivi/porteurs/{prospect.pk}/").content.decode()

    assert "5 mars 2026 14:00" in french
    assert "March 5, 2026, 2 p.m." in english


def test_every_display_is_written_to_the_audit_log(advisor_client, prospect, advisor):
    assert accesses(prospect) == []

    advisor_client.get(url(prospect))
    advisor_client.get(url(prospect))

    entries = accesses(prospect)
    assert len(entries) == 2
    assert {entry.actor for entry in entries} == {advisor}
    assert entries[0].additional_data == {"territory": prospect.territory_id, "prospect": prospect.pk}


def test_the_erase_link_is_shown_only_once_its_page_exists(advisor_client, prospect):
    from django.urls import NoReverseMatch, reverse

    body = advisor_client.get(url(prospect)).content.decode()

    try:
        erase = reverse("prospects_staff:erase", args=[prospect.pk])
    except NoReverseMatch:
        assert "Effacer les données" not in body
    else:
        assert f'href="{erase}"' in body


# --- Adding an activity --------------------------------------------------------------------------------


def activity_data(**overrides) -> dict:
    data = {
        "activity-kind": "call",
        "activity-occurred_on": "2026-03-05",
        "activity-occurred_time": "14:30",
        "activity-outcome": "done",
        "activity-text": "Projet précisé : atelier de 30 m².",
        "activity-next_action_on": "",
        "activity-next_action": "",
    }
    return {**data, **overrides}


@time_machine.travel(datetime(2026, 3, 6, 9, 0, tzinfo=PARIS))
def test_an_advisor_logs_a_call(advisor_client, prospect, advisor):
    response = advisor_client.post(url(prospect, "action/"), activity_data())

    assert response.status_code == 302
    assert response["Location"] == url(prospect) + "#historique"
    call = Activity.objects.get(prospect=prospect, kind=ActivityKind.CALL)
    assert call.author == advisor
    assert call.occurred_at == datetime(2026, 3, 5, 14, 30, tzinfo=PARIS)
    assert (call.outcome, call.text) == ("done", "Projet précisé : atelier de 30 m².")
    page = advisor_client.get(response["Location"]).content.decode()
    assert "Action de suivi enregistrée." in page


@time_machine.travel(datetime(2026, 3, 6, 9, 0, tzinfo=PARIS))
def test_an_activity_can_set_the_next_action(advisor_client, prospect):
    advisor_client.post(
        url(prospect, "action/"),
        activity_data(**{"activity-next_action_on": "2026-03-12", "activity-next_action": "Rappeler"}),
    )

    prospect.refresh_from_db()
    assert (prospect.next_action_on, prospect.next_action) == (date(2026, 3, 12), "Rappeler")


def test_the_activity_form_defaults_to_now(advisor_client, prospect):
    with time_machine.travel(datetime(2026, 3, 6, 9, 41, tzinfo=PARIS)):
        body = advisor_client.get(url(prospect)).content.decode()

    assert 'name="activity-occurred_on" value="2026-03-06"' in body
    assert 'name="activity-occurred_time" value="09:41"' in body


@time_machine.travel(datetime(2026, 3, 6, 9, 0, tzinfo=PARIS))
def test_a_wrong_activity_is_refused_and_keeps_what_was_typed(advisor_client, prospect):
    response = advisor_client.post(
        url(prospect, "action/"),
        activity_data(
            **{
                "activity-kind": "note",
                "activity-text": "",
                "activity-occurred_on": "2026-04-01",
                "activity-next_action": "Envoyer le guide",
            }
        ),
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Écrivez le contenu de la note." in body
    assert "Cette date est dans le futur" in body
    assert "Indiquez la date de la prochaine action." in body
    assert 'value="Envoyer le guide"' in body
    assert 'href="#id_activity-text"' in body  # the summary links to the field
    assert not Activity.objects.filter(prospect=prospect, kind=ActivityKind.NOTE).exists()


def test_only_manual_kinds_may_be_logged(advisor_client, prospect):
    response = advisor_client.post(url(prospect, "action/"), activity_data(**{"activity-kind": "stage"}))

    assert response.status_code == 400
    assert not Activity.objects.filter(prospect=prospect).exists()


# --- Next action and assignment ------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 3, 6, 9, 0, tzinfo=PARIS))
def test_the_next_action_is_set_then_cleared(advisor_client, prospect):
    response = advisor_client.post(
        url(prospect, "prochaine-action/"),
        {"next-next_action_on": "2026-03-10", "next-next_action": "Envoyer le dossier"},
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.next_action_on, prospect.next_action) == (date(2026, 3, 10), "Envoyer le dossier")
    assert "10 mars 2026" in advisor_client.get(url(prospect)).content.decode()

    advisor_client.post(
        url(prospect, "prochaine-action/"), {"next-next_action_on": "", "next-next_action": ""}
    )
    prospect.refresh_from_db()
    assert (prospect.next_action_on, prospect.next_action) == (None, "")


def test_a_next_action_without_a_date_is_refused_and_kept(advisor_client, prospect):
    response = advisor_client.post(
        url(prospect, "prochaine-action/"), {"next-next_action_on": "", "next-next_action": "Rappeler"}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Indiquez la date de la prochaine action." in body
    assert 'name="next-next_action" value="Rappeler"' in body


def test_an_advisor_assigns_the_prospect_to_a_colleague(advisor_client, gers, prospect):
    colleague = member(gers, Role.TERRITORY_ADMIN, first_name="Marc", last_name="Lacoste")

    response = advisor_client.post(url(prospect, "attribuer/"), {"assign-advisor": colleague.pk})

    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.advisor == colleague
    assert Activity.objects.filter(prospect=prospect, kind=ActivityKind.ASSIGNMENT).count() == 1
    body = advisor_client.get(url(prospect)).content.decode()
    assert "Projet attribué à Marc Lacoste." in body
    assert "Attribué à Marc Lacoste" in body


def test_the_assignment_select_offers_the_staff_of_the_territory_only(
    advisor_client, gers, landes, prospect, lectoure
):
    member(landes, Role.ADVISOR, first_name="Hors", last_name="Territoire")
    committee_member(lectoure, first_name="Jeanne", last_name="Comité")

    body = advisor_client.get(url(prospect)).content.decode()
    select = body.split('name="assign-advisor"')[1].split("</select>")[0]

    assert "Claire Dupuy" in select
    assert "Hors Territoire" not in select and "Jeanne Comité" not in select


def test_assigning_to_someone_who_is_not_staff_is_refused(advisor_client, gers, prospect, lectoure):
    for person in [member(gers, Role.PROSPECT), committee_member(lectoure)]:
        response = advisor_client.post(url(prospect, "attribuer/"), {"assign-advisor": person.pk})

        assert response.status_code == 400
        assert "Choisissez un conseiller de ce territoire dans la liste." in response.content.decode()
        prospect.refresh_from_db()
        assert prospect.advisor is None


def test_the_assignment_can_be_removed(advisor_client, prospect, advisor):
    prospect.advisor = advisor
    prospect.save()

    advisor_client.post(url(prospect, "attribuer/"), {"assign-advisor": ""})

    prospect.refresh_from_db()
    assert prospect.advisor is None


# --- Editing the details -------------------------------------------------------------------------------


def edit_data(prospect, **overrides) -> dict:
    data = {
        "version": prospect.version,
        "first_name": prospect.first_name,
        "last_name": prospect.last_name,
        "email": prospect.email,
        "phone": prospect.phone,
        "current_location": prospect.current_location,
        "language": prospect.language,
        "activity": prospect.activity,
        "sector": prospect.sector,
        "work_status": prospect.work_status,
        "adults": prospect.adults,
        "children": prospect.children,
        "children_ages": prospect.children_ages,
        "timing": prospect.timing,
        "villages": [v.pk for v in prospect.villages.all()],
        "needs": prospect.needs,
        "message": prospect.message,
        "heard_from": prospect.heard_from,
        "heard_from_detail": prospect.heard_from_detail,
    }
    return {**data, **overrides}


def test_the_advisor_corrects_the_details(advisor_client, gers, prospect):
    fources = village_in(gers, commune__name="Fourcès")
    form = advisor_client.get(url(prospect, "modifier/"))
    assert form.status_code == 200
    assert len(accesses(prospect)) == 1  # the form shows personal data too

    response = advisor_client.post(
        url(prospect, "modifier/"),
        edit_data(prospect, phone="+33 6 99 88 77 66", last_name="Martin-Roux", villages=[fources.pk]),
    )

    assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.last_name, prospect.phone_normalised) == ("Martin-Roux", "0699887766")
    assert list(prospect.villages.all()) == [fources]
    assert prospect.version == 2
    change = LogEntry.objects.get_for_object(prospect).filter(action=LogEntry.Action.UPDATE).get()
    assert "last_name" in change.changes_dict


def test_a_stale_edit_is_refused_and_keeps_the_loser_s_text(advisor_client, gers, prospect):
    opened = edit_data(prospect)  # both forms carry version 1
    colleague = Client()
    colleague.force_login(member(gers, Role.ADVISOR))
    assert (
        colleague.post(url(prospect, "modifier/"), {**opened, "message": "Texte de Marc."}).status_code == 302
    )

    response = advisor_client.post(
        url(prospect, "modifier/"), {**opened, "message": "Texte de Claire, détaillé."}
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "Quelqu&#x27;un d&#x27;autre a modifié cette fiche" in body
    assert "Texte de Claire, détaillé." in body
    assert "Texte de Marc." in body  # the saved version, beside it
    assert 'name="version" value="2"' in body
    prospect.refresh_from_db()
    assert prospect.message == "Texte de Marc."
    again = advisor_client.post(
        url(prospect, "modifier/"), {**opened, "version": 2, "message": "Texte de Claire."}
    )
    assert again.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.message, prospect.version) == ("Texte de Claire.", 3)


def test_an_edit_with_errors_is_refused_and_kept(advisor_client, prospect):
    response = advisor_client.post(
        url(prospect, "modifier/"), edit_data(prospect, first_name="", email="pas-une-adresse")
    )

    assert response.status_code == 400
    assert 'value="pas-une-adresse"' in response.content.decode()


# --- Inviting to the next information meeting -----------------------------------------------------------


def test_the_advisor_proposes_the_next_information_meeting(advisor_client, prospect, advisor):
    prospect.language = "en"
    prospect.save()

    response = advisor_client.post(url(prospect, "proposer-reunion/"))

    assert response.status_code == 302
    message = OutboxMessage.objects.get(to="lea.martin@exemple.fr")
    assert message.language == "en"
    assert message.kind == "prospect_meeting_invitation"
    assert message.territory == prospect.territory
    assert "http://testserver/en/agenda/" in message.body_text
    assert 'href="http://testserver/en/agenda/"' in message.body_html
    assert '<html lang="en">' in message.body_html
    assert "Léa" in message.body_text and "claire@gers.fr" in message.body_text
    email = Activity.objects.get(prospect=prospect, kind=ActivityKind.EMAIL)
    assert email.author == advisor
    assert email.data["outbox"] == message.pk
    page = advisor_client.get(response["Location"]).content.decode()
    assert "Invitation à la prochaine réunion d&#x27;information envoyée à lea.martin@exemple.fr." in page


def test_a_french_prospect_gets_the_french_agenda(advisor_client, prospect):
    advisor_client.post(url(prospect, "proposer-reunion/"), HTTP_HOST="gers.localhost")

    message = OutboxMessage.objects.get()
    assert message.language == "fr"
    assert "http://gers.localhost/fr/agenda/" in message.body_text
    assert "réunion d'information" in message.subject


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"email": ""}, "n&#x27;a pas d&#x27;adresse e-mail"),
        ({"consent_contact": False}, "n&#x27;a pas accepté d&#x27;être contacté"),
    ],
)
def test_no_invitation_without_an_email_or_the_consent_to_be_contacted(
    advisor_client, prospect, fields, reason
):
    Prospect.objects.filter(pk=prospect.pk).update(**fields)

    response = advisor_client.post(url(prospect, "proposer-reunion/"), follow=True)

    assert reason in response.content.decode()
    assert not OutboxMessage.objects.exists()
    assert not Activity.objects.filter(prospect=prospect, kind=ActivityKind.EMAIL).exists()
