"""Brute-force protection (django-axes): 5 failures for one (email, IP) lock that pair for 15 minutes,
on the site's login page and on the admin's, with a clear 429 page in the visitor's language."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from .factories import DEFAULT_PASSWORD
from .staff_factories import verified_user

pytestmark = pytest.mark.django_db

SITE_LOGIN = "/fr/compte/connexion/"
ADMIN_LOGIN = "/admin/login/"
START = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
EMAIL = "claire@exemple.fr"
WRONG = "pas le bon mot de passe"


def site_login(client, password: str, ip: str = "127.0.0.1", email: str = EMAIL, prefix: str = "/fr"):
    return client.post(f"{prefix}/compte/connexion/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def admin_login(client, password: str, ip: str = "127.0.0.1", email: str = EMAIL):
    return client.post(
        ADMIN_LOGIN, {"username": email, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_locked_out(response, lang: str = "fr") -> None:
    body = response.content.decode()
    assert response.status_code == 429
    assert f'<html lang="{lang}">' in body
    if lang == "fr":
        assert "Trop de requêtes" in body


@pytest.fixture
def claire(sample_territories):
    return verified_user(email=EMAIL)


# The lockout lasts 15 minutes from the fifth failure. An attempt made while locked out (here at
# minute 6) must not restart the 15 minutes: that needs AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT
# = False (axes' default, True, would keep the person locked until minute 21).
def test_five_failed_logins_lock_the_email_and_ip_for_fifteen_minutes_on_the_site(client, claire):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(4):
            response = site_login(client, WRONG)
            assert response.status_code == 200  # the form again, with an error
        # The fifth failure locks the pair at once: its answer is already the lockout page.
        assert_locked_out(site_login(client, WRONG))

        response = site_login(client, DEFAULT_PASSWORD)
        assert_locked_out(response)
        assert not is_logged_in(client)

        traveller.move_to(START + timedelta(minutes=6))
        assert_locked_out(site_login(client, DEFAULT_PASSWORD))
        assert not is_logged_in(client)

        traveller.move_to(START + timedelta(minutes=16))
        response = site_login(client, DEFAULT_PASSWORD)
        assert response.status_code == 302
        assert is_logged_in(client)


def test_four_failures_do_not_lock_the_account(client, claire):
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            site_login(client, WRONG)

        response = site_login(client, DEFAULT_PASSWORD)

        assert response.status_code == 302
        assert is_logged_in(client)


def test_the_same_email_from_another_ip_address_is_not_locked(client, claire):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            site_login(client, WRONG, ip="10.0.0.1")
        assert_locked_out(site_login(client, DEFAULT_PASSWORD, ip="10.0.0.1"))

        response = site_login(client, DEFAULT_PASSWORD, ip="10.0.0.2")

        assert response.status_code == 302
        assert is_logged_in(client)


def test_the_lockout_ignores_the_case_of_the_email(client, claire):
    with time_machine.travel(START, tick=False):
        for i in range(5):
            site_login(client, WRONG, email=EMAIL.upper() if i % 2 else EMAIL)

        assert_locked_out(site_login(client, DEFAULT_PASSWORD, email="Claire@Exemple.fr"))


def test_five_failed_logins_lock_the_admin_login_for_fifteen_minutes(client, sample_territories):
    verified_user(email=EMAIL, is_staff=True, is_superuser=True)
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(4):
            response = admin_login(client, WRONG)
            assert response.status_code == 200
        assert_locked_out(admin_login(client, WRONG))

        assert_locked_out(admin_login(client, DEFAULT_PASSWORD))
        assert not is_logged_in(client)

        traveller.move_to(START + timedelta(minutes=6))
        assert_locked_out(admin_login(client, DEFAULT_PASSWORD))

        traveller.move_to(START + timedelta(minutes=16))
        response = admin_login(client, DEFAULT_PASSWORD)
        assert response.status_code == 302
        assert is_logged_in(client)


def test_the_admin_login_from_another_ip_address_is_not_locked(client, sample_territories):
    verified_user(email=EMAIL, is_staff=True, is_superuser=True)
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            admin_login(client, WRONG, ip="10.0.0.1")

        response = admin_login(client, DEFAULT_PASSWORD, ip="10.0.0.2")

        assert response.status_code == 302
        assert is_logged_in(client)


def test_the_lockout_page_is_in_english_under_en(client, claire):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            site_login(client, WRONG, prefix="/en")

        response = site_login(client, DEFAULT_PASSWORD, prefix="/en")

    assert_locked_out(response, lang="en")
    body = response.content.decode()
    assert "Too many requests" in body
    assert "Trop de requêtes" not in body
