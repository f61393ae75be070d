"""The JSON export of a prospect's file (GDPR access): built from the model's relations, so a table
added later with a foreign key to Prospect is exported, or deliberately excluded, never forgotten."""

import json

import pytest
from auditlog.models import LogEntry
from django.apps import apps

from sohosolo.accounts.models import Role
from sohosolo.prospects.models import ActivityKind, ConsentPurpose, ConsentSource, Prospect, Stage
from sohosolo.prospects.privacy import EXCLUDED_RELATIONS, exported_relation_keys, prospect_export
from sohosolo.prospects.services import activity_record, consent_record, prospect_transition
from tests.accounts.staff_factories import MembershipFactory, member, verified_user
from tests.prospects.factories import ProspectFactory
from tests.villages.factories import committee_member, village_in

pytestmark = pytest.mark.django_db

EXPORT = "/fr/mon-espace/mes-donnees.json"
LANDES = {"HTTP_HOST": "landes.localhost"}


def staff_export_url(prospect) -> str:
    return f"/fr/suivi/porteurs/{prospect.pk}/donnees.json"


def relations_to_prospect() -> set[str]:
    """Every field of every installed model (through tables included) pointing at Prospect."""
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Prospect
    }


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr", first_name="Camille", last_name="Conseil")


@pytest.fixture
def prospect(gers, advisor):
    """A prospect with something in each of its relations."""
    village = village_in(gers, commune__name="Lavardens", slug="lavardens")
    prospect = ProspectFactory(territory=gers, first_name="Léa", last_name="Martin", email="lea@exemple.fr")
    prospect.villages.add(village)
    consent_record(
        prospect=prospect, purpose=ConsentPurpose.CONTACT, granted=True, source=ConsentSource.PROJECT_FORM
    )
    activity_record(prospect=prospect, kind=ActivityKind.CALL, by=advisor, text="Premier appel")
    return prospect_transition(prospect=prospect, to=Stage.QUALIFIED, by=advisor, note="Projet solide")


def test_every_relation_to_prospect_is_exported_or_deliberately_excluded(prospect):
    data = prospect_export(prospect)
    keys = exported_relation_keys()

    forgotten = sorted(
        label
        for label in relations_to_prospect()
        if label not in EXCLUDED_RELATIONS and keys.get(label) not in data
    )

    assert forgotten == [], f"Add these relations to the export or to privacy.EXCLUDED_RELATIONS: {forgotten}"
    assert not set(EXCLUDED_RELATIONS) - relations_to_prospect(), (
        "EXCLUDED_RELATIONS names a relation that is gone"
    )
    for reason in EXCLUDED_RELATIONS.values():
        assert reason.strip(), "each excluded relation says why"


def test_the_export_holds_the_file_its_timeline_consents_stages_and_villages(prospect):
    data = json.loads(json.dumps(prospect_export(prospect)))  # JSON all the way down

    assert (data["first_name"], data["last_name"], data["email"]) == ("Léa", "Martin", "lea@exemple.fr")
    assert data["territory"] == "Gers"
    assert data["stage"] == "qualified" and data["stage_label"] == "qualifié"
    assert data["villages"] == ["Lavardens"]
    assert {a["kind"] for a in data["activities"]} >= {"call", "stage", "consent"}
    call = next(a for a in data["activities"] if a["kind"] == "call")
    assert call["text"] == "Premier appel"
    assert call["author"] == "Camille Conseil"  # staff are named, their addresses are not given
    assert [(c["purpose"], c["granted"]) for c in data["consents"]] == [("contact", True)]
    assert [(s["from_stage"], s["to_stage"], s["note"]) for s in data["stage_changes"]] == [
        ("contact", "qualified", "Projet solide")
    ]
    assert "conseiller@gers.fr" not in json.dumps(data)


def test_my_space_download_includes_my_projects(client, gers, prospect):
    person = verified_user(email="lea@exemple.fr")
    MembershipFactory(user=person, territory=gers, role=Role.PROSPECT)
    Prospect.objects.filter(pk=prospect.pk).update(user=person)
    ProspectFactory(territory=gers, email="autre@exemple.fr")  # someone else's project
    client.force_login(person)

    data = json.loads(client.get(EXPORT).content)

    assert [p["id"] for p in data["prospects"]] == [prospect.pk]
    assert data["prospects"][0]["email"] == "lea@exemple.fr"
    assert any(a["text"] == "Premier appel" for a in data["prospects"][0]["activities"])
    assert "autre@exemple.fr" not in json.dumps(data)


def test_an_advisor_downloads_a_file_and_the_export_is_logged(client, gers, advisor, prospect):
    client.force_login(advisor)

    response = client.get(staff_export_url(prospect))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content)["prospect"]["email"] == "lea@exemple.fr"
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__export="json").get()
    assert entry.actor == advisor
    assert entry.additional_data["prospect"] == prospect.pk
    assert entry.additional_data["territory"] == gers.pk
    assert "Martin" not in entry.object_repr


def test_the_file_download_is_for_the_territory_staff_only(client, gers, landes, prospect):
    client.force_login(member(landes, Role.ADVISOR))
    assert client.get(staff_export_url(prospect), **LANDES).status_code == 404

    client.force_login(committee_member(prospect.villages.get()))
    assert client.get(staff_export_url(prospect)).status_code == 403
    assert not LogEntry.objects.filter(additional_data__has_key="export").exists()


def test_a_candidates_export_holds_the_passport_of_another_app(prospect, advisor):
    candidate = prospect_transition(prospect=prospect, to=Stage.CANDIDATE, by=advisor)

    data = json.loads(json.dumps(prospect_export(candidate)))

    assert data["passport"]["number"]
    assert data["passport"]["revoked_at"] is None
