"""Second factor for staff (TOTP required when STAFF_MFA_REQUIRED) and login by a code sent by email."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage, OutboxStatus

from .factories import DEFAULT_PASSWORD
from .staff_factories import member, verified_user

pytestmark = pytest.mark.django_db

STAFF_HOME = "/fr/suivi/"


@override_settings(STAFF_MFA_REQUIRED=True)
def test_an_advisor_without_a_second_factor_is_sent_to_set_up_totp_first(client, gers):
    advisor = member(gers, Role.ADVISOR)
    client.force_login(advisor)

    response = client.get(STAFF_HOME)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before adding a second factor; the middleware lets the
    # advisor through that page and then onto the set-up page (no redirect loop).
    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 302
    assert activate["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(activate["Location"]).status_code == 200
    reauthenticated = client.post(activate["Location"], {"password": DEFAULT_PASSWORD})
    assert reauthenticated.status_code == 302
    assert reauthenticated["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()

    # Entering the current code from the authenticator app finishes the set-up: the area opens.
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302
    assert Authenticator.objects.filter(user=advisor, type=Authenticator.Type.TOTP).exists()
    assert client.get(STAFF_HOME).status_code == 200


@override_settings(STAFF_MFA_REQUIRED=True)
def test_a_territory_admin_without_a_second_factor_is_sent_to_set_up_totp_everywhere(client, gers):
    admin = member(gers, Role.TERRITORY_ADMIN)
    client.force_login(admin)

    response = client.get("/fr/mon-espace/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@override_settings(STAFF_MFA_REQUIRED=True)
def test_a_prospect_is_not_asked_for_a_second_factor(client, gers):
    prospect = member(gers, Role.PROSPECT)
    client.force_login(prospect)

    assert client.get("/fr/mon-espace/").status_code == 200
    assert client.get(STAFF_HOME).status_code == 403  # in scope but not staff: no MFA detour


@override_settings(STAFF_MFA_REQUIRED=True)
def test_an_advisor_with_totp_set_up_reaches_the_staff_area(client, gers):
    advisor = member(gers, Role.ADVISOR)
    TOTP.activate(advisor, generate_totp_secret())
    client.force_login(advisor)

    response = client.get(STAFF_HOME)

    assert response.status_code == 200
    assert Authenticator.objects.filter(user=advisor, type=Authenticator.Type.TOTP).count() == 1


def test_without_the_setting_staff_are_not_forced_to_set_up_totp(client, gers):
    advisor = member(gers, Role.ADVISOR)
    client.force_login(advisor)

    assert client.get(STAFF_HOME).status_code == 200


# --- Login by a code sent by email ----------------------------------------------------------------


def request_code(client, email: str, django_capture_on_commit_callbacks) -> str:
    """Ask for a login code; return the code read from the email actually sent."""
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": email})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    assert len(mail.outbox) == before + 1
    message = mail.outbox[-1]
    assert message.to == [email]
    match = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def is_logged_in_as(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def test_a_person_logs_in_with_the_code_received_by_email(client, gers, django_capture_on_commit_callbacks):
    user = verified_user(email="camille@exemple.fr")

    code = request_code(client, user.email, django_capture_on_commit_callbacks)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert is_logged_in_as(client, user)
    # The email went through the outbox, in the recipient's language.
    stored = OutboxMessage.objects.get(to=user.email)
    assert stored.status == OutboxStatus.SENT
    assert stored.kind == "login_code"
    assert mail.outbox[-1].extra_headers["Message-ID"] == stored.message_id


def test_a_login_code_cannot_be_used_twice(client, gers, django_capture_on_commit_callbacks):
    user = verified_user(email="camille@exemple.fr")
    code = request_code(client, user.email, django_capture_on_commit_callbacks)
    assert client.post(reverse("account_confirm_login_code"), {"code": code}).status_code == 302
    assert is_logged_in_as(client, user)
    client.post(reverse("account_logout"))
    assert not is_logged_in_as(client, user)

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert not is_logged_in_as(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_request_login_code")


def test_a_wrong_code_does_not_log_in(client, gers, django_capture_on_commit_callbacks):
    user = verified_user(email="camille@exemple.fr")
    code = request_code(client, user.email, django_capture_on_commit_callbacks)
    wrong = "".join("B" if c == "A" else "A" if c.isalnum() else c for c in code)

    response = client.post(reverse("account_confirm_login_code"), {"code": wrong})

    assert response.status_code == 200
    assert not is_logged_in_as(client, user)
