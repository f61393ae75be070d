"""My space: what I see, downloading my data, deleting my account (GDPR)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from sohosolo.accounts.models import Membership, Role

from .staff_factories import member, verified_user

User = get_user_model()
pytestmark = pytest.mark.django_db

SPACE = "/fr/mon-espace/"
EXPORT = "/fr/mon-espace/mes-donnees.json"
DELETE = "/fr/mon-espace/supprimer/"


def test_a_logged_in_person_sees_their_space_with_their_roles(client, gers):
    user = member(gers, Role.PROSPECT, email="camille@exemple.fr")
    client.force_login(user)

    response = client.get(SPACE)

    body = response.content.decode()
    assert response.status_code == 200
    assert "camille@exemple.fr" in body
    assert "Porteur de projet — Gers" in body
    assert EXPORT in body


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, gers):
    for path in (SPACE, EXPORT, DELETE):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/fr/compte/connexion/?next=")


def test_a_person_downloads_their_data_as_a_json_file(client, gers, landes):
    user = member(gers, Role.ADVISOR, email="camille@exemple.fr", first_name="Camille")
    Membership.objects.create(user=user, territory=landes, role=Role.PROSPECT)
    client.force_login(user)

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "camille@exemple.fr"
    assert data["account"]["first_name"] == "Camille"
    assert sorted((r["territory"], r["role"]) for r in data["roles"]) == [
        ("gers", "advisor"),
        ("landes", "prospect"),
    ]
    assert data["email_addresses"] == [{"email": "camille@exemple.fr", "verified": True, "primary": True}]
    assert "password" not in response.content.decode()


def test_the_export_holds_only_my_own_data(client, gers):
    me = member(gers, Role.PROSPECT, email="moi@exemple.fr")
    member(gers, Role.TERRITORY_ADMIN, email="autre@exemple.fr")
    client.force_login(me)

    body = client.get(EXPORT).content.decode()

    assert "autre@exemple.fr" not in body


def test_deleting_with_the_wrong_confirmation_email_keeps_the_account(client, gers):
    user = verified_user(email="camille@exemple.fr")
    client.force_login(user)

    response = client.post(DELETE, {"confirm_email": "quelquun@exemple.fr"})

    assert response.status_code == 400
    assert "Cette adresse ne correspond pas à celle de votre compte." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_deleting_with_the_right_email_deletes_the_account_and_logs_out(client, gers):
    user = member(gers, Role.PROSPECT, email="camille@exemple.fr")
    client.force_login(user)

    response = client.post(DELETE, {"confirm_email": "Camille@Exemple.fr"})

    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Membership.objects.filter(user_id=user.pk).exists()
    assert "_auth_user_id" not in client.session
    assert "Votre compte a été supprimé." in [str(m) for m in get_messages(response.wsgi_request)]
    assert client.get(SPACE).status_code == 302


def test_the_last_admin_of_a_territory_cannot_delete_their_account(client, gers):
    admin = member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr")
    client.force_login(admin)

    response = client.post(DELETE, {"confirm_email": "admin@gers.fr"})

    assert response.status_code == 400
    assert "Vous êtes le dernier administrateur du territoire Gers" in response.content.decode()
    assert User.objects.filter(pk=admin.pk).exists()
    assert client.session.get("_auth_user_id") == str(admin.pk)


def test_an_admin_may_delete_their_account_when_another_admin_remains(client, gers):
    admin = member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr")
    member(gers, Role.TERRITORY_ADMIN, email="autre-admin@gers.fr")
    client.force_login(admin)

    response = client.post(DELETE, {"confirm_email": "admin@gers.fr"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=admin.pk).exists()


def test_the_delete_page_asks_for_confirmation_first(client, gers):
    user = verified_user(email="camille@exemple.fr")
    client.force_login(user)

    response = client.get(DELETE)

    assert response.status_code == 200
    assert 'name="confirm_email"' in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_with_roles_commits(client, sample_territories):
    # The deletion of the account's roles is written to the audit log with the account as actor:
    # the account row must go after those entries exist, or the commit breaks their foreign key.
    user = member(sample_territories["gers"], Role.ADVISOR, email="camille@exemple.fr")
    client.force_login(user)

    response = client.post(DELETE, {"confirm_email": "camille@exemple.fr"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Membership.objects.filter(user_id=user.pk).exists()
