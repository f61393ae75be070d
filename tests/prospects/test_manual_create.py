"""Manual creation of a contact met outside the website (/suivi/porteurs/nouveau/): the consents go to
the ledger with how and when they were given, and a possible duplicate is shown before creating."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sohosolo.accounts.models import Role
from sohosolo.prospects.models import (
    Activity,
    ActivityKind,
    Channel,
    ConsentPurpose,
    ConsentRecord,
    ConsentSource,
    Prospect,
)
from sohosolo.prospects.services import CONSENT_WORDING_VERSION
from tests.accounts.staff_factories import member
from tests.villages.factories import village_in

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
CREATE = "/fr/suivi/porteurs/nouveau/"
NOW = datetime(2026, 3, 6, 9, 0, tzinfo=PARIS)


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, first_name="Claire", last_name="Dupuy")


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor)
    return client


def create_data(**overrides) -> dict:
    data = {
        "channel": "fair",
        "first_name": "Paul",
        "last_name": "Ferrand",
        "email": "Paul.Ferrand@exemple.fr",
        "phone": "06 70 80 90 10",
        "current_location": "Bordeaux",
        "language": "fr",
        "activity": "Menuisier",
        "sector": "craft",
        "work_status": "business_creator",
        "adults": "2",
        "children": "0",
        "children_ages": "",
        "timing": "lt6",
        "needs": ["office"],
        "message": "",
        "heard_from": "event",
        "heard_from_detail": "Salon de l'habitat de Toulouse",
        "first_contact": "Rencontré sur le stand, cherche un atelier.",
        "advisor": "",
        "consent_contact": "yes",
        "consent_share_villages": "no",
        "consent_newsletter": "unknown",
        "consent_basis": "Bulletin papier signé sur le stand du salon",
        "consent_on": "2026-03-01",
        "duplicates_seen": "",
    }
    return {**data, **overrides}


def test_the_form_offers_the_manual_channels(advisor_client):
    body = advisor_client.get(CREATE).content.decode()

    for label in ["Appel téléphonique", "Salon", "Formulaire papier", "Visite à l&#x27;accueil"]:
        assert label in body, label
    assert 'value="form"' not in body and 'value="import"' not in body


@time_machine.travel(NOW, tick=False)
def test_an_advisor_creates_a_contact_met_at_a_fair(advisor_client, gers, advisor):
    lectoure = village_in(gers, commune__name="Lectoure")

    response = advisor_client.post(CREATE, create_data(villages=[lectoure.pk], advisor=advisor.pk))

    prospect = Prospect.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/fr/suivi/porteurs/{prospect.pk}/"
    assert prospect.territory == gers
    assert prospect.channel == Channel.FAIR
    assert (prospect.first_name, prospect.email, prospect.phone_normalised) == (
        "Paul",
        "paul.ferrand@exemple.fr",
        "0670809010",
    )
    assert list(prospect.villages.all()) == [lectoure]
    assert prospect.needs == ["office"]
    assert prospect.advisor == advisor
    # The consents answered, with how and when they were given, and who typed them.
    assert (prospect.consent_contact, prospect.consent_share_villages, prospect.consent_newsletter) == (
        True,
        False,
        False,
    )
    ledger = {record.purpose: record for record in ConsentRecord.objects.filter(prospect=prospect)}
    assert set(ledger) == {ConsentPurpose.CONTACT, ConsentPurpose.SHARE_VILLAGES}
    for record in ledger.values():
        assert record.source == ConsentSource.STAFF
        assert record.basis == "Bulletin papier signé sur le stand du salon"
        assert record.recorded_by == advisor
        assert record.wording_version == CONSENT_WORDING_VERSION
        assert record.at == datetime(2026, 3, 1, 12, 0, tzinfo=PARIS)
    assert ledger[ConsentPurpose.CONTACT].granted is True
    assert ledger[ConsentPurpose.SHARE_VILLAGES].granted is False
    # The first exchange opens the timeline.
    first = Activity.objects.get(prospect=prospect, kind=ActivityKind.EVENT)
    assert first.text == "Rencontré sur le stand, cherche un atelier."
    assert first.author == advisor
    page = advisor_client.get(response["Location"]).content.decode()
    assert "Contact Paul Ferrand créé." in page
    assert "Salon" in page


@time_machine.travel(NOW, tick=False)
def test_a_phone_call_opens_the_timeline_with_a_call_and_consent_given_today_is_dated_now(advisor_client):
    advisor_client.post(CREATE, create_data(channel="phone", consent_on="2026-03-06"))

    prospect = Prospect.objects.get()
    assert Activity.objects.filter(prospect=prospect, kind=ActivityKind.CALL).exists()
    assert ConsentRecord.objects.filter(prospect=prospect).first().at == NOW


def test_the_advisor_is_preselected(advisor_client, advisor):
    body = advisor_client.get(CREATE).content.decode()

    assert f'<option value="{advisor.pk}" selected>Claire Dupuy</option>' in body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consent_basis": ""}, "consent_basis", "Ce champ est obligatoire."),
        ({"consent_on": ""}, "consent_on", "Ce champ est obligatoire."),
        ({"consent_on": "2099-01-01"}, "consent_on", "Cette date est dans le futur."),
        ({"email": "", "phone": ""}, "email", "Indiquez au moins une adresse e-mail ou un téléphone."),
        ({"channel": "form"}, "channel", "Sélectionnez un choix valide."),
        ({"first_name": ""}, "first_name", "Ce champ est obligatoire."),
    ],
)
def test_a_contact_with_missing_answers_is_refused_and_kept(advisor_client, overrides, field, message):
    response = advisor_client.post(CREATE, create_data(**overrides))

    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert "Rencontré sur le stand, cherche un atelier." in body
    assert not Prospect.objects.exists()


def test_a_possible_duplicate_is_shown_before_creating(advisor_client, gers):
    known = ProspectFactory(
        territory=gers, first_name="Paul", last_name="Ferrand", email="paul.ferrand@exemple.fr"
    )

    response = advisor_client.post(CREATE, create_data(phone=""))

    body = response.content.decode()
    assert response.status_code == 200
    assert Prospect.objects.count() == 1
    assert "Un contact existe déjà avec cette adresse e-mail ou ce téléphone" in body
    assert f'href="/fr/suivi/porteurs/{known.pk}/"' in body
    assert f'name="duplicates_seen" value="{known.pk}"' in body
    assert 'name="create_anyway"' in body
    assert 'value="Bulletin papier signé sur le stand du salon"' not in body  # a textarea:
    assert "Bulletin papier signé sur le stand du salon</textarea>" in body  # kept as typed


def test_a_duplicate_by_phone_is_shown_too(advisor_client, gers):
    ProspectFactory(territory=gers, email="autre@exemple.fr", phone="+33 6 70 80 90 10")

    response = advisor_client.post(CREATE, create_data())

    assert "Un contact existe déjà" in response.content.decode()
    assert Prospect.objects.count() == 1


def test_a_prospect_of_another_territory_is_not_a_duplicate(advisor_client, landes):
    ProspectFactory(territory=landes, email="paul.ferrand@exemple.fr")

    response = advisor_client.post(CREATE, create_data())

    assert response.status_code == 302
    assert Prospect.objects.count() == 2


def test_creating_anyway_after_seeing_the_duplicate(advisor_client, gers):
    known = ProspectFactory(territory=gers, email="paul.ferrand@exemple.fr")

    response = advisor_client.post(CREATE, create_data(create_anyway="1", duplicates_seen=str(known.pk)))

    assert response.status_code == 302
    assert Prospect.objects.count() == 2
    assert ConsentRecord.objects.exclude(prospect=known).count() == 2


def test_creating_anyway_without_having_seen_a_new_duplicate_warns_again(advisor_client, gers):
    seen = ProspectFactory(territory=gers, email="paul.ferrand@exemple.fr")
    unseen = ProspectFactory(territory=gers, email="autre@exemple.fr", phone="06 70 80 90 10")

    response = advisor_client.post(CREATE, create_data(create_anyway="1", duplicates_seen=str(seen.pk)))

    body = response.content.decode()
    assert response.status_code == 200
    assert Prospect.objects.count() == 2
    assert f'href="/fr/suivi/porteurs/{unseen.pk}/"' in body
    assert f'name="duplicates_seen" value="{seen.pk},{unseen.pk}"' in body or (
        f'name="duplicates_seen" value="{unseen.pk},{seen.pk}"' in body
    )


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PROSPECT, Role.MEMBER])
def test_only_staff_may_create_contacts(client, gers, role):
    client.force_login(member(gers, role))

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, create_data()).status_code == 403
    assert not Prospect.objects.exists()


def test_the_staff_of_another_territory_gets_not_found(client, landes):
    client.force_login(member(landes, Role.ADVISOR))

    assert client.post(CREATE, create_data()).status_code == 404
    assert not Prospect.objects.exists()


def test_a_landes_advisor_creates_in_landes_on_the_landes_site(client, landes):
    client.force_login(member(landes, Role.ADVISOR))

    client.post(CREATE, create_data(), HTTP_HOST="landes.localhost")

    assert Prospect.objects.get().territory == landes
