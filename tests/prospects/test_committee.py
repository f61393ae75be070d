"""« Contacts des villages »: a committee sees only the prospects who chose its village and consented."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.prospects.committee import (
    CommitteeNoteError,
    committee_note_record,
    committees_notify_new_prospect,
)
from sohosolo.prospects.models import Activity, ActivityKind, Prospect
from tests.accounts.staff_factories import member
from tests.villages.factories import committee_member, village_in

from .factories import ActivityFactory, ProspectFactory

pytestmark = pytest.mark.django_db

LIST = "/fr/suivi/contacts-villages/"


def detail_url(prospect) -> str:
    return f"{LIST}{prospect.pk}/"


def contacted_url(prospect) -> str:
    return f"{LIST}{prospect.pk}/contacte/"


def shared_prospect(territory, villages, *, consent=True, **fields) -> Prospect:
    prospect = ProspectFactory(territory=territory, consent_share_villages=consent, **fields)
    prospect.villages.set(villages)
    return prospect


@pytest.fixture
def lectoure(gers):
    return village_in(gers, commune__name="Lectoure")


@pytest.fixture
def fources(gers):
    return village_in(gers, commune__name="Fourcès")


@pytest.fixture
def jeanne(lectoure):
    return committee_member(lectoure, first_name="Jeanne", email="jeanne@exemple.fr")


@pytest.fixture
def jeanne_client(client, jeanne):
    client.force_login(jeanne)
    return client


@pytest.fixture
def alice(gers, lectoure):
    """Chose Lectoure and agreed to share her project with its committee."""
    return shared_prospect(
        gers,
        [lectoure],
        first_name="Alice",
        last_name="Martin",
        email="alice.martin@exemple.fr",
        phone="06 11 22 33 44",
        activity="Illustratrice jeunesse",
        message="Nous cherchons une maison avec un atelier.",
        children_ages="4 et 7 ans",
        children=2,
        utm_source="newsletter-secrete",
        next_action="Rappeler après les vacances",
    )


@pytest.fixture
def bruno(gers, lectoure):
    """Chose Lectoure but did not agree to share."""
    return shared_prospect(gers, [lectoure], consent=False, first_name="Bruno", last_name="Petit")


@pytest.fixture
def chloe(gers, fources):
    """Chose another village (Fourcès) and agreed to share."""
    return shared_prospect(gers, [fources], first_name="Chloé", last_name="Durand")


# --- Who sees whom ----------------------------------------------------------------------------------


def test_the_list_shows_only_the_prospects_who_chose_the_village_and_consented(
    jeanne_client, alice, bruno, chloe, lectoure
):
    response = jeanne_client.get(LIST)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice Martin" in body and detail_url(alice) in body
    assert "Bruno" not in body and detail_url(bruno) not in body
    assert "Chloé" not in body and detail_url(chloe) not in body
    assert "<h2" in body and "Lectoure" in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_a_committee_member_without_shared_prospect_sees_an_empty_state(jeanne_client, bruno, chloe):
    body = jeanne_client.get(LIST).content.decode()

    assert "Personne n'a encore partagé son projet avec vos villages" in body


def test_a_committee_member_hears_which_of_their_villages_has_no_shared_prospect(
    client, gers, alice, lectoure, fources
):
    from tests.accounts.staff_factories import MembershipFactory

    both = committee_member(lectoure)
    MembershipFactory(
        user=both,
        territory=gers,
        role=Role.COMMITTEE,
        scope_type=ContentType.objects.get_for_model(fources),
        scope_id=fources.pk,
    )
    client.force_login(both)

    body = client.get(LIST).content.decode()

    assert "Alice Martin" in body
    assert "Aucun contact partagé pour le moment avec Fourcès." in body


def test_the_list_is_paged_and_grouped_by_village(jeanne_client, gers, lectoure):
    from sohosolo.prospects.views.committee import PER_PAGE

    for n in range(PER_PAGE + 2):
        shared_prospect(gers, [lectoure], first_name=f"Personne{n:02d}", last_name="Test")

    first = jeanne_client.get(LIST).content.decode()
    second = jeanne_client.get(LIST + "?page=2").content.decode()

    assert first.count('class="card"') == PER_PAGE and second.count('class="card"') == 2
    assert "Page 1 sur 2" in first and "Lectoure" in second


def test_a_committee_member_of_no_village_sees_that_they_belong_to_no_committee(client, gers, alice):
    client.force_login(member(gers, Role.COMMITTEE))  # the role, without a village

    body = client.get(LIST).content.decode()

    assert "Vous ne faites partie d'aucun comité d'accueil" in body
    assert "Alice" not in body


def test_the_detail_shows_the_shared_project_and_nothing_else(jeanne_client, alice, fources):
    alice.villages.add(fources)  # another village she chose: not this committee's business
    ActivityFactory(prospect=alice, kind=ActivityKind.NOTE, text="Note interne du conseiller")
    ActivityFactory(prospect=alice, kind=ActivityKind.COMMITTEE, village=fources, text="Note de Fourcès")

    response = jeanne_client.get(detail_url(alice))

    assert response.status_code == 200
    body = response.content.decode()
    for shown in [
        "Alice Martin",
        "alice.martin@exemple.fr",
        "06 11 22 33 44",
        "Illustratrice jeunesse",
        "Nous cherchons une maison avec un atelier.",
        "4 et 7 ans",
        "2 enfants",
        "Dans 6 à 12 mois",
        "A choisi votre village, Lectoure, et accepte que son comité d'accueil le contacte.",
    ]:
        assert shown in body, shown
    for hidden in [
        "newsletter-secrete",
        "Rappeler après les vacances",
        "Note interne du conseiller",
        "Note de Fourcès",
        "Fourcès",
        "formulaire du site",
    ]:
        assert hidden not in body, hidden


@pytest.mark.parametrize("who", ["bruno", "chloe"])
def test_the_detail_of_a_prospect_not_shared_with_the_village_is_404(jeanne_client, who, request):
    prospect = request.getfixturevalue(who)

    assert jeanne_client.get(detail_url(prospect)).status_code == 404
    assert jeanne_client.post(contacted_url(prospect), {"note": "x"}).status_code == 404
    assert not Activity.objects.filter(prospect=prospect, kind=ActivityKind.COMMITTEE).exists()


def test_a_prospect_who_withdraws_consent_disappears_from_the_committee(jeanne_client, alice):
    alice.consent_share_villages = False
    alice.save()

    assert jeanne_client.get(detail_url(alice)).status_code == 404
    assert "Alice" not in jeanne_client.get(LIST).content.decode()


def test_an_anonymised_prospect_is_404(jeanne_client, alice):
    from django.utils import timezone

    Prospect.objects.filter(pk=alice.pk).update(anonymised_at=timezone.now())

    assert jeanne_client.get(detail_url(alice)).status_code == 404


def test_a_prospect_of_another_territory_is_404_even_for_a_committee_of_the_same_name(client, landes, alice):
    other = village_in(landes)
    client.force_login(committee_member(other))
    shared_prospect(landes, [other])

    assert client.get(detail_url(alice)).status_code == 404


def test_a_member_is_refused_and_an_anonymous_visitor_is_sent_to_log_in(client, gers, alice):
    assert client.get(LIST).status_code == 302
    assert "/compte/connexion/" in client.get(detail_url(alice))["Location"]

    client.force_login(member(gers, Role.MEMBER))
    assert client.get(LIST).status_code == 403
    assert client.get(detail_url(alice)).status_code == 403


def test_staff_see_the_shared_prospects_of_every_village(client, gers, alice, bruno, chloe):
    client.force_login(member(gers, Role.ADVISOR))

    body = client.get(LIST).content.decode()

    assert "Alice Martin" in body and "Chloé Durand" in body
    assert "Bruno" not in body  # not shared: advisors follow him in the pipeline, not here
    assert client.get(detail_url(chloe)).status_code == 200
    assert client.get(detail_url(bruno)).status_code == 404


def test_there_is_no_export_for_committees():
    from sohosolo.prospects import committee_urls

    assert {p.name for p in committee_urls.urlpatterns} == {"list", "detail", "contacted"}


# --- Audit ------------------------------------------------------------------------------------------


def test_every_read_of_the_detail_is_in_the_audit_log(jeanne_client, jeanne, alice):
    jeanne_client.get(detail_url(alice))
    jeanne_client.get(detail_url(alice))

    reads = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(Prospect),
        object_id=alice.pk,
    )
    assert reads.count() == 2
    assert {entry.actor for entry in reads} == {jeanne}


def test_the_list_is_not_a_read_of_each_prospect(jeanne_client, alice):
    jeanne_client.get(LIST)

    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


# --- « Comité contacté » ----------------------------------------------------------------------------


def test_the_committee_notes_its_contact_and_the_advisor_sees_it_with_the_village(
    jeanne_client, jeanne, alice, lectoure
):
    response = jeanne_client.post(contacted_url(alice), {"note": "Appelée : visite le 12 mai."})

    assert response.status_code == 302 and response["Location"] == detail_url(alice)
    note = Activity.objects.get(prospect=alice, kind=ActivityKind.COMMITTEE)
    assert (note.village, note.author, note.text) == (lectoure, jeanne, "Appelée : visite le 12 mai.")
    # The committee sees its note on the page.
    body = jeanne_client.get(detail_url(alice)).content.decode()
    assert "Appelée : visite le 12 mai." in body and "comité de Lectoure" in body


def test_the_advisor_reads_the_committee_note_on_the_prospect_timeline(client, gers, jeanne, alice, lectoure):
    committee_note_record(prospect=alice, village=lectoure, text="Visite prévue le 12 mai.", by=jeanne)
    client.force_login(member(gers, Role.ADVISOR))

    body = client.get(f"/fr/suivi/porteurs/{alice.pk}/").content.decode()

    assert "Contact par le comité d&#x27;accueil de Lectoure" in body or (
        "Contact par le comité d'accueil de Lectoure" in body
    )
    assert "Visite prévue le 12 mai." in body


def test_the_note_may_be_empty(jeanne_client, alice, lectoure):
    assert jeanne_client.post(contacted_url(alice), {}).status_code == 302

    note = Activity.objects.get(prospect=alice, kind=ActivityKind.COMMITTEE)
    assert (note.village, note.text) == (lectoure, "")


def test_a_note_over_1000_characters_is_refused_and_kept(jeanne_client, alice):
    response = jeanne_client.post(contacted_url(alice), {"note": "a" * 1001})

    assert response.status_code == 400
    assert "a" * 1001 in response.content.decode()
    assert "Le formulaire contient des erreurs" in response.content.decode()
    assert not Activity.objects.filter(prospect=alice, kind=ActivityKind.COMMITTEE).exists()


def test_a_committee_cannot_write_a_note_for_a_village_that_is_not_theirs(jeanne_client, alice, fources):
    alice.villages.add(fources)

    response = jeanne_client.post(contacted_url(alice), {"village": fources.pk, "note": "Pas à moi"})

    assert response.status_code == 400
    assert not Activity.objects.filter(prospect=alice, kind=ActivityKind.COMMITTEE).exists()


def test_a_member_of_two_committees_chooses_the_village(client, gers, alice, lectoure, fources):
    both = committee_member(lectoure)
    from django.contrib.contenttypes.models import ContentType as CT

    from tests.accounts.staff_factories import MembershipFactory

    MembershipFactory(
        user=both,
        territory=gers,
        role=Role.COMMITTEE,
        scope_type=CT.objects.get_for_model(fources),
        scope_id=fources.pk,
    )
    alice.villages.add(fources)
    client.force_login(both)

    body = client.get(detail_url(alice)).content.decode()
    assert 'type="radio"' in body and "Fourcès" in body

    assert client.post(contacted_url(alice), {"note": "Vu"}).status_code == 400  # no village chosen
    assert client.post(contacted_url(alice), {"village": fources.pk, "note": "Vu"}).status_code == 302
    assert Activity.objects.get(prospect=alice, kind=ActivityKind.COMMITTEE).village == fources


def test_the_note_service_refuses_a_village_the_prospect_did_not_share_with(alice, jeanne, fources):
    with pytest.raises(CommitteeNoteError):
        committee_note_record(prospect=alice, village=fources, text="", by=jeanne)


def test_the_note_service_refuses_a_prospect_who_did_not_consent(bruno, jeanne, lectoure):
    with pytest.raises(CommitteeNoteError):
        committee_note_record(prospect=bruno, village=lectoure, text="", by=jeanne)

    assert not Activity.objects.filter(prospect=bruno, kind=ActivityKind.COMMITTEE).exists()


def test_the_contacted_url_only_accepts_post(jeanne_client, alice):
    assert jeanne_client.get(contacted_url(alice)).status_code == 405


# --- Emails to the committees -----------------------------------------------------------------------


def test_with_consent_each_committee_member_gets_one_email_without_contact_details(
    gers, lectoure, fources, jeanne
):
    committee_member(lectoure, first_name="Paul", email="paul@exemple.fr", preferred_language="en")
    committee_member(fources, email="fources@exemple.fr")
    prospect = shared_prospect(
        gers, [lectoure], first_name="Alice", last_name="Martin", email="alice@exemple.fr", phone="0611223344"
    )

    committees_notify_new_prospect(prospect=prospect, villages=[lectoure, fources])

    messages = {m.to: m for m in OutboxMessage.objects.all()}
    assert set(messages) == {"jeanne@exemple.fr", "paul@exemple.fr"}  # Fourcès was not chosen
    for message in messages.values():
        for secret in ["alice@exemple.fr", "0611223344", "06 11 22 33 44", "Martin"]:
            assert secret not in message.body_text and secret not in message.body_html
            assert secret not in message.subject
        assert "Alice" in message.body_text
        assert f"http://{gers.hostnames[0]}/" in message.body_text
        assert message.territory == gers
    assert messages["jeanne@exemple.fr"].language == "fr"
    assert f"/fr/suivi/contacts-villages/{prospect.pk}/" in messages["jeanne@exemple.fr"].body_text
    assert messages["paul@exemple.fr"].language == "en"
    assert f"/en/suivi/contacts-villages/{prospect.pk}/" in messages["paul@exemple.fr"].body_text


def test_a_member_of_two_chosen_villages_gets_a_single_email(gers, lectoure, fources, jeanne):
    from tests.accounts.staff_factories import MembershipFactory

    MembershipFactory(
        user=jeanne,
        territory=gers,
        role=Role.COMMITTEE,
        scope_type=ContentType.objects.get_for_model(fources),
        scope_id=fources.pk,
    )
    prospect = shared_prospect(gers, [lectoure, fources])

    committees_notify_new_prospect(prospect=prospect, villages=[lectoure, fources])

    message = OutboxMessage.objects.get()
    assert "Lectoure" in message.body_text and "Fourcès" in message.body_text


def test_without_consent_no_email(gers, lectoure, jeanne):
    prospect = shared_prospect(gers, [lectoure], consent=False)

    committees_notify_new_prospect(prospect=prospect, villages=[lectoure])

    assert not OutboxMessage.objects.exists()


def test_inactive_members_and_villages_of_another_territory_get_nothing(gers, landes, lectoure, jeanne):
    jeanne.is_active = False
    jeanne.save()
    elsewhere = village_in(landes)
    committee_member(elsewhere, email="landes@exemple.fr")
    prospect = shared_prospect(gers, [lectoure])
    prospect.villages.add(elsewhere)  # inconsistent data must not leak across territories

    committees_notify_new_prospect(prospect=prospect, villages=[lectoure, elsewhere])

    assert not OutboxMessage.objects.exists()
