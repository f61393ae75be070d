import pytest

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_to_the_staff_area_is_sent_to_the_login_page(client, sample_territories):
    response = client.get("/fr/suivi/")

    assert response.status_code == 302
    assert response["Location"] == "/fr/compte/connexion/?next=/fr/suivi/"


def test_the_login_page_is_public(client, sample_territories):
    response = client.get("/fr/compte/connexion/?next=/fr/suivi/")

    assert response.status_code == 200
    assert 'name="next" value="/fr/suivi/"' in response.content.decode()


def test_a_logged_in_administrator_reaches_the_staff_area(client, sample_territories):
    client.force_login(UserFactory(admin=True))

    assert client.get("/fr/suivi/").status_code == 200


def test_the_admin_requires_staff_login(client, sample_territories):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_public_api_answers_anonymous_visitors(client, sample_territories):
    response = client.get("/api/v1/communes")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_the_health_probe_answers_anonymous_visitors(client, db):
    assert client.get("/healthz").status_code == 200
