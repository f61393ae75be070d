"""Referrals: an advisor refers a candidate to a partner only with their consent (in the ledger); the
partner's staff are emailed, see their own referrals only, and mark them contacted / appointment /
done, each step on the prospect's timeline. Anonymisation empties the messages."""

import pytest
from auditlog.models import LogEntry

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.partners.models import Referral, ReferralStatus
from sohosolo.partners.referrals import ReferralError, referral_create, referral_set_status
from sohosolo.prospects.models import Activity, ActivityKind, ConsentPurpose, ConsentRecord, ConsentSource
from sohosolo.prospects.privacy import prospect_anonymise
from sohosolo.prospects.services import consent_record
from tests.accounts.staff_factories import member
from tests.prospects.factories import ProspectFactory
from tests.villages.factories import committee_member, village_in

from .factories import partner_in, partner_staff

pytestmark = pytest.mark.django_db

LIST = "/fr/suivi/orientations/"
LANDES = {"HTTP_HOST": "landes.localhost"}
MESSAGE = "Alice crée une SARL de design : elle a besoin d'un conseil sur les statuts."


def create_url(prospect) -> str:
    return f"{LIST}nouvelle/{prospect.pk}/"


def detail_url(referral) -> str:
    return f"{LIST}{referral.pk}/"


def status_url(referral) -> str:
    return f"{LIST}{referral.pk}/statut/"


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseil@cci-gers.fr", first_name="Claire")


@pytest.fixture
def notary(gers):
    return partner_in(gers, name="Étude de Maître Lafitte", slug="etude-lafitte")


@pytest.fixture
def notary_staff(notary):
    return partner_staff(
        notary, email="accueil@notaire-lafitte.fr", first_name="Paul", preferred_language="fr"
    )


@pytest.fixture
def bank(gers):
    return partner_in(gers, name="Banque du Gers", slug="banque-du-gers", kind="bank")


@pytest.fixture
def bank_staff(bank):
    return partner_staff(bank, email="agence@banque-gers.fr")


@pytest.fixture
def alice(gers):
    return ProspectFactory(
        territory=gers,
        stage="candidate",
        first_name="Alice",
        last_name="Martin",
        email="alice.martin@exemple.fr",
        phone="06 11 22 33 44",
        activity="Designer graphique",
        message="Nous cherchons une maison avec un atelier.",
    )


def refer(prospect, partner, by, **kwargs) -> Referral:
    values = {"message": MESSAGE, "consent": True, "basis": "par téléphone le 12 mars"} | kwargs
    return referral_create(prospect=prospect, partner=partner, by=by, **values)


def form_data(partner, **overrides) -> dict:
    data = {"partner": partner.pk, "message": MESSAGE, "consent": "on", "basis": "par téléphone le 12 mars"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- The advisor refers, with the consent -------------------------------------------------------------


def test_the_form_says_what_the_consent_covers_and_offers_the_territorys_partners(
    client, advisor, alice, notary, landes
):
    other = partner_in(landes, name="Notaire des Landes")
    client.force_login(advisor)
    response = client.get(create_url(alice))
    assert response.status_code == 200
    body = response.content.decode()
    assert "son nom, son adresse e-mail, son téléphone et le résumé de son projet" in body
    assert "Étude de Maître Lafitte" in body and other.name not in body


def test_a_referral_needs_the_consent(client, advisor, alice, notary, notary_staff):
    client.force_login(advisor)
    response = client.post(create_url(alice), form_data(notary, consent=None))
    assert response.status_code == 400
    assert "Une orientation demande l&#x27;accord de la personne" in response.content.decode()
    response = client.post(create_url(alice), form_data(notary, basis=""))
    assert response.status_code == 400
    assert not Referral.objects.exists()
    assert not ConsentRecord.objects.filter(purpose=ConsentPurpose.PARTNER_REFERRAL).exists()
    assert not OutboxMessage.objects.exists()
    with pytest.raises(ReferralError) as exc:
        refer(alice, notary, advisor, consent=False)
    assert exc.value.field == "consent"
    assert not Referral.objects.exists()


def test_a_referral_writes_the_ledger_the_timeline_and_emails_the_partners_staff(
    client, advisor, alice, notary, notary_staff, bank_staff
):
    # A name of its own: a random one ("Martine") could hold the secret surname the e-mails must not show.
    colleague = partner_staff(notary, email="etude@notaire-lafitte.fr", first_name="Jeanne")
    client.force_login(advisor)
    response = client.post(create_url(alice), form_data(notary))
    assert response.status_code == 302 and response["Location"] == f"/fr/suivi/porteurs/{alice.pk}/"
    referral = Referral.objects.get()
    assert (referral.prospect, referral.partner, referral.created_by) == (alice, notary, advisor)
    assert referral.status == ReferralStatus.SENT and referral.message == MESSAGE

    consent = ConsentRecord.objects.get(prospect=alice, purpose=ConsentPurpose.PARTNER_REFERRAL)
    assert consent.granted and consent.source == ConsentSource.STAFF and consent.recorded_by == advisor
    assert consent.basis == "Étude de Maître Lafitte : par téléphone le 12 mars"
    assert consent.at <= referral.created_at

    sent = Activity.objects.get(prospect=alice, kind=ActivityKind.REFERRAL)
    assert sent.data == {"event": "sent", "referral": referral.pk, "partner": notary.pk, "status": "sent"}
    assert sent.author == advisor and "Étude de Maître Lafitte" in sent.text

    emails = OutboxMessage.objects.order_by("to")
    assert [e.to for e in emails] == sorted(["accueil@notaire-lafitte.fr", colleague.email])
    for email in emails:
        assert "Alice" in email.subject
        for body in (email.subject, email.body_text, email.body_html):
            for secret in ("Martin", "alice.martin@exemple.fr", "06 11 22 33 44", "SARL", "atelier"):
                assert secret not in body
        assert f"/fr/suivi/orientations/{referral.pk}/" in email.body_text
    page = client.get(response["Location"])
    assert "son équipe a été prévenue par courriel" in page.content.decode()


def test_a_partner_without_accounts_is_referred_with_a_warning(client, advisor, alice, notary):
    client.force_login(advisor)
    response = client.post(create_url(alice), form_data(notary), follow=True)
    assert "n&#x27;a encore aucun compte" in response.content.decode()
    assert Referral.objects.count() == 1 and not OutboxMessage.objects.exists()


def test_no_second_open_referral_to_the_same_partner(client, advisor, alice, notary):
    refer(alice, notary, advisor)
    client.force_login(advisor)
    response = client.post(create_url(alice), form_data(notary))
    assert response.status_code == 400
    assert "déjà orientée vers Étude de Maître Lafitte" in response.content.decode()
    assert Referral.objects.count() == 1


def test_a_partner_of_another_territory_cannot_be_chosen(client, advisor, alice, landes):
    other = partner_in(landes)
    client.force_login(advisor)
    assert client.post(create_url(alice), form_data(other)).status_code == 400
    with pytest.raises(ReferralError):
        refer(alice, other, advisor)
    assert not Referral.objects.exists()


def test_only_the_territorys_staff_refer_its_prospects(client, gers, landes, alice, notary, notary_staff):
    landes_advisor = member(landes, Role.ADVISOR)
    client.force_login(landes_advisor)
    assert client.get(create_url(alice), **LANDES).status_code == 404  # another territory's prospect
    assert client.get(create_url(alice)).status_code == 404  # no role in the Gers
    client.force_login(notary_staff)
    assert client.post(create_url(alice), form_data(notary)).status_code == 403  # in scope, not allowed
    client.force_login(committee_member(village_in(gers)))
    assert client.get(create_url(alice)).status_code == 403
    assert not Referral.objects.exists()


# --- The partner's pages --------------------------------------------------------------------------------


def test_the_partner_sees_its_referrals_with_what_the_person_agreed_to_share(
    client, advisor, alice, notary, notary_staff, bank, bank_staff
):
    mine = refer(alice, notary, advisor)
    other = refer(
        ProspectFactory(territory=alice.territory, first_name="Bruno", last_name="Petit"), bank, advisor
    )
    client.force_login(notary_staff)
    listing = client.get(LIST)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Alice Martin" in body and "Bruno Petit" not in body

    page = client.get(detail_url(mine))
    assert page.status_code == 200
    body = page.content.decode()
    for shown in ("Alice Martin", "alice.martin@exemple.fr", "06 11 22 33 44", "Designer graphique"):
        assert shown in body
    assert "Alice crée une SARL de design" in body
    assert "Nous cherchons une maison avec un atelier." not in body  # the prospect's own message: not shared
    assert "a accepté que vous soient transmis" in body
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.object_pk == str(alice.pk) and entry.actor == notary_staff

    # Another partner's referral: 404, to read it or to change it.
    assert client.get(detail_url(other)).status_code == 404
    assert client.post(status_url(other), {"status": "contacted"}).status_code == 404
    other.refresh_from_db()
    assert other.status == ReferralStatus.SENT


def test_territory_staff_see_every_referral_of_the_territory(client, advisor, alice, notary, bank, landes):
    refer(alice, notary, advisor)
    refer(ProspectFactory(territory=alice.territory, first_name="Bruno", last_name="Petit"), bank, advisor)
    landes_referral = refer(
        ProspectFactory(territory=landes, first_name="Zoé", last_name="Landaise"),
        partner_in(landes),
        member(landes, Role.ADVISOR),
    )
    client.force_login(advisor)
    body = client.get(LIST).content.decode()
    assert "Alice Martin" in body and "Bruno Petit" in body and "Zoé" not in body
    assert "Banque du Gers" in body
    assert client.get(detail_url(landes_referral)).status_code == 404


@pytest.mark.parametrize("who", ["committee", "prospect", "landes_partner"])
def test_others_get_404_on_the_referral_pages(client, gers, landes, advisor, alice, notary, who):
    referral = refer(alice, notary, advisor)
    user = {
        "committee": lambda: committee_member(village_in(gers)),
        "prospect": lambda: member(gers, Role.PROSPECT),
        "landes_partner": lambda: partner_staff(partner_in(landes)),
    }[who]()
    client.force_login(user)
    assert client.get(LIST).status_code == 404
    assert client.get(detail_url(referral)).status_code == 404
    assert client.post(status_url(referral), {"status": "contacted"}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, advisor, alice, notary):
    referral = refer(alice, notary, advisor)
    response = client.get(detail_url(referral))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/fr/compte/connexion/?next={detail_url(referral)}")


def test_each_step_of_the_partner_lands_on_the_timeline(client, advisor, alice, notary, notary_staff):
    referral = refer(alice, notary, advisor)
    client.force_login(notary_staff)
    for status, note in [("contacted", ""), ("appointment", "Rendez-vous le 3 avril à 10 h."), ("done", "")]:
        response = client.post(status_url(referral), {"status": status, "note": note})
        assert response.status_code == 302 and response["Location"] == detail_url(referral)
        referral.refresh_from_db()
        assert referral.status == status
    steps = Activity.objects.filter(
        prospect=alice, kind=ActivityKind.REFERRAL, data__event="status"
    ).order_by("pk")
    assert [a.data["status"] for a in steps] == ["contacted", "appointment", "done"]
    assert all(a.author == notary_staff for a in steps)
    assert "rendez-vous pris" in steps[1].text and "Rendez-vous le 3 avril à 10 h." in steps[1].text
    # The advisor sees them on the prospect's page.
    client.force_login(advisor)
    page = client.get(f"/fr/suivi/porteurs/{alice.pk}/").content.decode()
    assert "Étude de Maître Lafitte : rendez-vous pris." in page
    assert "Rendez-vous le 3 avril à 10 h." in page
    # And the partner sees the history on the referral's page.
    client.force_login(notary_staff)
    assert "Rendez-vous le 3 avril à 10 h." in client.get(detail_url(referral)).content.decode()


def test_a_wrong_status_is_refused(client, advisor, alice, notary, notary_staff):
    referral = refer(alice, notary, advisor)
    client.force_login(notary_staff)
    for data in ({"status": "sent"}, {"status": "nimporte"}, {}, {"status": "done", "note": "x" * 501}):
        assert client.post(status_url(referral), data).status_code == 400
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert not Activity.objects.filter(kind=ActivityKind.REFERRAL, data__event="status").exists()
    with pytest.raises(ReferralError):
        referral_set_status(referral=referral, status=ReferralStatus.SENT, by=notary_staff)


# --- Erasure and withdrawal -----------------------------------------------------------------------------


def test_anonymisation_empties_the_message_and_hides_the_referral(
    client, advisor, alice, notary, notary_staff
):
    referral = refer(alice, notary, advisor)
    prospect_anonymise(prospect=alice, by=advisor, reason="demande de la personne")
    referral.refresh_from_db()
    assert referral.message == ""
    assert referral.status == ReferralStatus.SENT and referral.partner == notary  # the figures stay
    client.force_login(notary_staff)
    assert client.get(detail_url(referral)).status_code == 404
    assert "Alice" not in client.get(LIST).content.decode()
    with pytest.raises(ReferralError):
        referral_set_status(referral=referral, status=ReferralStatus.CONTACTED, by=notary_staff)


def test_a_withdrawn_consent_hides_the_referral_from_the_partner(
    client, advisor, alice, notary, notary_staff
):
    referral = refer(alice, notary, advisor)
    consent_record(
        prospect=alice, purpose=ConsentPurpose.PARTNER_REFERRAL, granted=False, source=ConsentSource.SPACE
    )
    client.force_login(notary_staff)
    assert client.get(detail_url(referral)).status_code == 404
    assert client.post(status_url(referral), {"status": "contacted"}).status_code == 404
    assert "Alice" not in client.get(LIST).content.decode()
    # She agrees again: a new referral is made and shown; the old one stays hidden.
    again = refer(alice, notary, advisor)
    assert client.get(detail_url(again)).status_code == 200
    assert client.get(detail_url(referral)).status_code == 404
