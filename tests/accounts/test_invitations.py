"""Invitations: a territory admin invites a person by email to a role; the person accepts by the link."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation

from sohosolo.accounts.models import Invitation, Membership, Role
from sohosolo.core.models import OutboxMessage

from .staff_factories import InvitationFactory, member, verified_user

pytestmark = pytest.mark.django_db

INVITE = "/fr/suivi/equipe/inviter/"
INVITED = "nouvelle.conseillere@exemple.fr"


@pytest.fixture
def admin(gers):
    return member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def invite(client, capture, email=INVITED, role=Role.ADVISOR, language="fr", **extra):
    with capture(execute=True):
        return client.post(INVITE, {"email": email, "role": role, "language": language}, **extra)


def link_in(message) -> str:
    """The invitation link's path, read from the email actually sent."""
    match = re.search(r"https?://[^/\s]+(/\w\w/invitation/[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def invited_link(admin_client, django_capture_on_commit_callbacks) -> str:
    response = invite(admin_client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    admin_client.logout()
    return link_in(mail.outbox[-1])


def test_an_admin_invites_a_person_who_receives_a_link_by_email(
    admin_client, admin, gers, django_capture_on_commit_callbacks
):
    response = invite(admin_client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/fr/suivi/equipe/"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.territory) == (INVITED, Role.ADVISOR, gers)
    assert invitation.state == "pending"
    assert invitation.invited_by == admin
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [INVITED]
    assert "Gers" in message.subject
    assert re.search(r"http://testserver/fr/invitation/[\w-]{20,}/", message.body)
    html = message.alternatives[0][0]
    assert link_in(message) in html
    # Only a hash of the token is stored.
    assert link_in(message).split("/")[-2] not in invitation.token_hash
    # The pending invitation is listed on the team page.
    assert INVITED in admin_client.get("/fr/suivi/equipe/").content.decode()


def test_an_invitation_in_english_is_written_in_english(
    admin_client, gers, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks, language="en")

    stored = OutboxMessage.objects.get(to=INVITED)
    message = mail.outbox[0]
    assert stored.language == "en"
    assert message.extra_headers["Content-Language"] == "en"
    assert link_in(message).startswith("/en/invitation/")
    with translation.override("en"):
        expected = translation.gettext("Invitation à rejoindre Soho Solo %(territory_name)s") % {
            "territory_name": "Gers"
        }
    assert message.subject == expected


def test_an_anonymous_visitor_opening_the_link_is_offered_to_sign_up_or_log_in(client, invited_link):
    response = client.get(invited_link)

    body = response.content.decode()
    assert response.status_code == 200
    assert "/fr/compte/inscription/?" in body
    assert "/fr/compte/connexion/?" in body
    assert "nouvelle.conseillere%40exemple.fr" in body  # the sign-up form is pre-filled
    assert not Membership.objects.filter(user__email=INVITED).exists()


def test_the_invited_person_logged_in_accepts_and_lands_in_the_staff_area(client, gers, invited_link):
    person = verified_user(email=INVITED)
    client.force_login(person)
    assert client.get(invited_link).status_code == 200

    response = client.post(invited_link)

    assert response.status_code == 302
    assert response["Location"] == "/fr/suivi/"
    assert Membership.objects.filter(user=person, territory=gers, role=Role.ADVISOR).count() == 1
    invitation = Invitation.objects.get()
    assert invitation.state == "accepted"
    assert invitation.accepted_by == person
    assert client.get("/fr/suivi/").status_code == 200
    # The link is spent: opening it again says so.
    again = client.post(invited_link)
    assert again.status_code == 410
    assert Membership.objects.filter(user=person).count() == 1


def test_an_expired_invitation_is_refused_with_a_clear_message(client, invited_link):
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        person = verified_user(email=INVITED)
        client.force_login(person)

        shown = client.get(invited_link)
        posted = client.post(invited_link)

    assert shown.status_code == 410
    assert "Cette invitation a expiré" in shown.content.decode()
    assert posted.status_code == 410
    assert not Membership.objects.filter(user=person).exists()


def test_an_invitation_is_still_valid_after_thirteen_days(client, invited_link):
    with time_machine.travel(timezone.now() + timedelta(days=13), tick=False):
        assert client.get(invited_link).status_code == 200


def test_a_cancelled_invitation_is_refused(client, admin, invited_link):
    invitation = Invitation.objects.get()
    client.force_login(admin)
    assert client.post(f"/fr/suivi/equipe/invitations/{invitation.pk}/annuler/").status_code == 302
    client.logout()
    person = verified_user(email=INVITED)
    client.force_login(person)

    response = client.post(invited_link)

    assert response.status_code == 410
    assert "annulée" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_a_resent_invitation_invalidates_the_old_link(
    client, admin, invited_link, django_capture_on_commit_callbacks
):
    invitation = Invitation.objects.get()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/fr/suivi/equipe/invitations/{invitation.pk}/renvoyer/")
    assert response.status_code == 302
    client.logout()
    assert len(mail.outbox) == 2
    new_link = link_in(mail.outbox[-1])
    assert new_link != invited_link

    old = client.get(invited_link)

    assert old.status_code == 404
    assert "remplacé" in old.content.decode()
    assert client.get(new_link).status_code == 200


def test_the_link_opened_on_another_territory_s_site_gives_nothing(client, landes, invited_link):
    person = verified_user(email=INVITED)
    client.force_login(person)

    shown = client.get(invited_link, HTTP_HOST="landes.localhost")
    posted = client.post(invited_link, HTTP_HOST="landes.localhost")

    assert shown.status_code == 404
    assert posted.status_code == 404
    assert not Membership.objects.filter(user=person).exists()
    assert Invitation.objects.get().state == "pending"


def test_a_person_logged_in_with_another_email_cannot_accept(client, invited_link):
    someone_else = verified_user(email="quelquun@exemple.fr")
    client.force_login(someone_else)

    response = client.post(invited_link, follow=True)

    body = response.content.decode()
    assert "Cette invitation est destinée à nouvelle.conseillere@exemple.fr" in body
    assert not Membership.objects.filter(user=someone_else).exists()
    assert Invitation.objects.get().state == "pending"


def test_a_second_pending_invitation_for_the_same_person_and_role_is_refused(
    client, admin, invited_link, django_capture_on_commit_callbacks
):
    client.force_login(admin)

    response = invite(client, django_capture_on_commit_callbacks, email=INVITED.upper())

    assert response.status_code == 400
    assert "Une invitation est déjà en attente pour cette personne et ce rôle." in response.content.decode()
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_invitation_to_a_role_already_held_is_refused(
    admin_client, gers, django_capture_on_commit_callbacks
):
    member(gers, Role.ADVISOR, email=INVITED)

    response = invite(admin_client, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "Cette personne a déjà ce rôle." in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_role_that_is_not_invitable_is_refused_by_the_form(
    admin_client, django_capture_on_commit_callbacks
):
    response = invite(admin_client, django_capture_on_commit_callbacks, role=Role.PROSPECT)

    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_a_made_up_link_is_not_found(client, gers):
    response = client.get("/fr/invitation/nimporte-quoi/")

    assert response.status_code == 404
    assert "Ce lien d&#x27;invitation n&#x27;est pas valide." in response.content.decode()


def test_an_invitation_past_its_expiry_date_is_gone(client, gers):
    invitation = InvitationFactory(territory=gers, expires_at=timezone.now() - timedelta(minutes=1))
    pending = InvitationFactory(territory=gers)

    assert client.get(f"/fr/invitation/{invitation.token}/").status_code == 410
    assert client.get(f"/fr/invitation/{pending.token}/").status_code == 200
