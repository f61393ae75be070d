import re

import pytest
from django.test import override_settings

from tests.territories.factories import CommuneFactory

pytestmark = pytest.mark.django_db

NONCE = re.compile(r"'nonce-([^']+)'")


@pytest.fixture(autouse=True)
def page_cache_on():
    with override_settings(PAGE_CACHE_ENABLED=True):
        yield


def test_an_anonymous_visitor_gets_the_cached_home_page_with_a_fresh_nonce(
    client, gers, django_assert_num_queries
):
    first = client.get("/fr/")
    assert first.status_code == 200 and "X-Page-Cache" not in first

    with django_assert_num_queries(0):
        second = client.get("/fr/")

    assert second["X-Page-Cache"] == "hit"
    first_nonce = NONCE.search(first["Content-Security-Policy"]).group(1)
    second_nonce = NONCE.search(second["Content-Security-Policy"]).group(1)
    assert first_nonce != second_nonce
    body = second.content.decode()
    assert f'nonce="{second_nonce}"' in body and first_nonce not in body
    assert body.replace(second_nonce, "N") == first.content.decode().replace(first_nonce, "N")


def test_a_signed_in_user_never_gets_a_cached_page(client, gers, django_user_model):
    client.get("/fr/")
    client.force_login(django_user_model.objects.create_user(email="claire@example.fr", password="x" * 12))

    response = client.get("/fr/")

    assert "X-Page-Cache" not in response
    assert "claire@example.fr" in response.content.decode() or "Mon espace" in response.content.decode()


def test_changing_a_commune_invalidates_the_cached_pages(client, gers):
    commune = CommuneFactory(territory=gers, name="Lavardens", population=400)
    assert "Lavardens" in client.get("/fr/communes/").content.decode()
    assert client.get("/fr/communes/")["X-Page-Cache"] == "hit"

    commune.name = "Lavardens-le-Neuf"
    commune.save()
    response = client.get("/fr/communes/")

    assert "X-Page-Cache" not in response
    assert "Lavardens-le-Neuf" in response.content.decode()


def test_pages_are_cached_per_host_and_per_language(client, sample_territories):
    gers_fr = client.get("/fr/", HTTP_HOST="gers.localhost")
    landes_fr = client.get("/fr/", HTTP_HOST="landes.localhost")
    gers_en = client.get("/en/", HTTP_HOST="gers.localhost")

    assert "Landes" in landes_fr.content.decode()
    assert "X-Page-Cache" not in landes_fr and "X-Page-Cache" not in gers_en
    assert client.get("/fr/", HTTP_HOST="gers.localhost")["X-Page-Cache"] == "hit"
    assert gers_fr.content != landes_fr.content


def test_the_public_api_list_is_cached_for_anonymous_clients(client, gers, django_assert_num_queries):
    CommuneFactory.create_batch(3, territory=gers)
    first = client.get("/api/v1/communes", {"territory": "gers"})
    with django_assert_num_queries(0):
        second = client.get("/api/v1/communes", {"territory": "gers"})

    assert second["X-Page-Cache"] == "hit"
    assert second.json() == first.json()


def test_error_pages_and_forms_are_not_cached(client, gers):
    client.get("/fr/communes/99999/")
    assert "X-Page-Cache" not in client.get("/fr/communes/99999/")
    client.get("/fr/compte/connexion/")
    assert "X-Page-Cache" not in client.get("/fr/compte/connexion/")
