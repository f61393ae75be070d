"""Roles in a territory and the staff area: who sees what (404 out of scope, 403 in scope but not
allowed), role changes and revocations by territory admins, recorded in the audit log."""

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages

from sohosolo.accounts.models import Membership, Role

from .factories import UserFactory
from .staff_factories import MembershipFactory, member

pytestmark = pytest.mark.django_db

STAFF_HOME = "/fr/suivi/"
TEAM = "/fr/suivi/equipe/"
INVITE = "/fr/suivi/equipe/inviter/"
JOURNAL = "/fr/suivi/journal/"
OUTBOX = "/fr/suivi/courriels/"
LANDES = {"HTTP_HOST": "landes.localhost"}


def change_url(membership) -> str:
    return f"/fr/suivi/equipe/roles/{membership.pk}/modifier/"


def revoke_url(membership) -> str:
    return f"/fr/suivi/equipe/roles/{membership.pk}/retirer/"


def journal_rows_by(client, actor_email: str, target_email: str) -> list[str]:
    """The audit log page's rows naming both the actor and the person acted upon."""
    response = client.get(JOURNAL)
    assert response.status_code == 200
    rows = response.content.decode().split("<tr>")[1:]
    return [row for row in rows if actor_email in row and target_email in row]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def admin(gers):
    return member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr")


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr")


def membership(user, territory) -> Membership:
    return Membership.objects.get(user=user, territory=territory)


# --- Who sees the staff area ----------------------------------------------------------------------


@pytest.mark.parametrize("path", [STAFF_HOME, TEAM, INVITE, JOURNAL, OUTBOX])
def test_a_territory_admin_sees_every_page_of_the_staff_area(client, admin, advisor, path):
    client.force_login(admin)

    response = client.get(path)

    assert response.status_code == 200


def test_the_team_page_lists_the_staff_with_their_roles(client, admin, advisor):
    client.force_login(admin)

    body = client.get(TEAM).content.decode()

    assert "admin@gers.fr" in body
    assert "conseiller@gers.fr" in body
    assert 'action="/fr/suivi/equipe/inviter/"' in body or 'href="/fr/suivi/equipe/inviter/"' in body


@pytest.mark.parametrize("path", [STAFF_HOME, TEAM, INVITE, JOURNAL, OUTBOX])
def test_an_admin_of_the_gers_gets_404_on_the_landes_staff_area(client, admin, landes, path):
    client.force_login(admin)

    response = client.get(path, **LANDES)

    assert response.status_code == 404


def test_a_prospect_gets_403_on_the_staff_area(client, gers):
    prospect = member(gers, Role.PROSPECT)
    client.force_login(prospect)

    assert client.get(STAFF_HOME).status_code == 403
    assert client.get(TEAM).status_code == 403


def test_a_user_with_no_role_gets_404(client, gers):
    client.force_login(UserFactory())

    assert client.get(STAFF_HOME).status_code == 404
    assert client.get(TEAM).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, gers):
    for path in (STAFF_HOME, TEAM, INVITE, JOURNAL):
        response = client.get(path)

        assert response.status_code == 302
        assert response["Location"].startswith("/fr/compte/connexion/?next=")


def test_a_platform_admin_sees_the_staff_area_of_any_territory(client, gers, landes):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(TEAM).status_code == 200
    assert client.get(TEAM, **LANDES).status_code == 200


def test_an_advisor_sees_the_team_but_cannot_manage_it(client, admin, advisor, gers):
    client.force_login(advisor)
    admin_membership = membership(admin, gers)

    team = client.get(TEAM)
    assert team.status_code == 200
    assert "admin@gers.fr" in team.content.decode()
    assert revoke_url(admin_membership) not in team.content.decode()

    assert client.get(INVITE).status_code == 403
    assert (
        client.post(INVITE, {"email": "x@exemple.fr", "role": Role.ADVISOR, "language": "fr"}).status_code
        == 403
    )
    assert client.post(revoke_url(admin_membership)).status_code == 403
    assert client.post(change_url(admin_membership), {"role": Role.ADVISOR}).status_code == 403
    assert client.get(JOURNAL).status_code == 403
    assert client.get(OUTBOX).status_code == 403
    assert membership(admin, gers).role == Role.TERRITORY_ADMIN


# --- Changing and revoking roles ------------------------------------------------------------------


def test_an_admin_makes_an_advisor_admin_and_the_audit_log_says_who_did_it(client, admin, advisor, gers):
    client.force_login(admin)
    target = membership(advisor, gers)

    response = client.post(change_url(target), {"role": Role.TERRITORY_ADMIN})

    assert response.status_code == 302
    assert response["Location"] == TEAM
    target.refresh_from_db()
    assert target.role == Role.TERRITORY_ADMIN
    entry = LogEntry.objects.get_for_object(target).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin
    assert entry.changes_dict["role"] == ["advisor", "territory_admin"]
    rows = journal_rows_by(client, "admin@gers.fr", "conseiller@gers.fr")
    assert len(rows) == 1
    assert str(Role.TERRITORY_ADMIN.label) in rows[0]


def test_an_admin_revokes_a_role_and_the_audit_log_records_it(client, admin, advisor, gers):
    client.force_login(admin)
    target = membership(advisor, gers)

    response = client.post(revoke_url(target))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert "Rôle de conseiller@gers.fr retiré." in messages_of(response)
    entry = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, content_type__model="membership", object_pk=str(target.pk)
    ).get()
    assert entry.actor == admin
    assert entry.additional_data == {"territory": gers.pk, "email": "conseiller@gers.fr", "role": "advisor"}
    rows = journal_rows_by(client, "admin@gers.fr", "conseiller@gers.fr")
    assert len(rows) == 1
    assert entry.get_action_display() in rows[0]


def test_the_audit_log_of_one_territory_is_not_shown_to_another(client, admin, advisor, gers, landes):
    client.force_login(admin)
    client.post(revoke_url(membership(advisor, gers)))
    landes_admin = member(landes, Role.TERRITORY_ADMIN, email="admin@landes.fr")
    client.force_login(landes_admin)

    journal = client.get(JOURNAL, **LANDES)

    assert journal.status_code == 200
    rows = journal.content.decode().split("<tr>")[1:]
    assert rows  # the Landes admin's own role is logged there
    assert not [row for row in rows if "gers.fr" in row and "admin@landes.fr" not in row]


def test_the_last_territory_admin_cannot_be_demoted(client, admin, advisor, gers):
    client.force_login(admin)
    own = membership(admin, gers)

    response = client.post(change_url(own), {"role": Role.ADVISOR}, follow=True)

    assert "Le territoire doit garder au moins un administrateur." in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.TERRITORY_ADMIN


def test_the_last_territory_admin_cannot_be_revoked(client, admin, gers):
    client.force_login(admin)
    own = membership(admin, gers)

    response = client.post(revoke_url(own), follow=True)

    assert "Le territoire doit garder au moins un administrateur." in response.content.decode()
    assert Membership.objects.filter(pk=own.pk, role=Role.TERRITORY_ADMIN).exists()


def test_an_admin_can_step_down_when_another_admin_remains(client, admin, gers):
    other = member(gers, Role.TERRITORY_ADMIN)
    client.force_login(admin)

    client.post(change_url(membership(admin, gers)), {"role": Role.ADVISOR})

    assert membership(admin, gers).role == Role.ADVISOR
    assert membership(other, gers).role == Role.TERRITORY_ADMIN


def test_an_admin_in_the_landes_does_not_count_as_an_admin_of_the_gers(client, admin, gers, landes):
    MembershipFactory(user=UserFactory(), territory=landes, role=Role.TERRITORY_ADMIN)
    client.force_login(admin)

    client.post(revoke_url(membership(admin, gers)))

    assert membership(admin, gers).role == Role.TERRITORY_ADMIN


def test_a_membership_of_another_territory_cannot_be_changed_or_revoked(client, admin, landes):
    landes_advisor = member(landes, Role.ADVISOR)
    landes_membership = membership(landes_advisor, landes)
    client.force_login(admin)

    assert client.post(revoke_url(landes_membership)).status_code == 404
    assert client.post(change_url(landes_membership), {"role": Role.TERRITORY_ADMIN}).status_code == 404

    landes_membership.refresh_from_db()
    assert landes_membership.role == Role.ADVISOR


def test_a_role_outside_the_team_roles_is_refused(client, admin, advisor, gers):
    client.force_login(admin)
    target = membership(advisor, gers)

    response = client.post(change_url(target), {"role": Role.PROSPECT})

    assert response.status_code == 302
    assert "Choisissez un rôle valide." in messages_of(response)
    assert membership(advisor, gers).role == Role.ADVISOR


def test_the_change_and_revoke_actions_only_accept_post(client, admin, advisor, gers):
    client.force_login(admin)
    target = membership(advisor, gers)

    assert client.get(revoke_url(target)).status_code == 405
    assert client.get(change_url(target)).status_code == 405
    assert Membership.objects.filter(pk=target.pk).exists()
