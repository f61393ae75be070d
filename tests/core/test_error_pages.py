import pytest
from django.test import RequestFactory, override_settings
from django_ratelimit.exceptions import Ratelimited

from sohosolo.core.middleware import RatelimitMiddleware

pytestmark = pytest.mark.django_db


def test_a_missing_page_in_french_says_page_introuvable_in_the_site_layout(client, sample_territories):
    response = client.get("/fr/cette-page-n-existe-pas/")

    body = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr">' in body
    assert "<h1>Page introuvable</h1>" in body
    assert "<title>Page introuvable · Soho Solo Gers</title>" in body
    assert 'class="site-footer"' in body
    assert 'href="/fr/"' in body


def test_a_missing_page_in_english_is_served_in_the_english_site_layout(client, sample_territories):
    response = client.get("/en/this-page-does-not-exist/")

    body = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in body
    assert 'class="site-footer"' in body
    assert 'href="/en/"' in body
    assert "Content-Security-Policy" in response.headers


def test_the_error_page_still_renders_when_no_territory_is_configured(client):
    response = client.get("/fr/absent/")

    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.core.ratelimit_urls")
def test_a_visitor_over_a_view_rate_limit_gets_a_429_page(client, sample_territories):
    assert client.get("/limited/").status_code == 200
    assert client.get("/limited/").status_code == 200

    response = client.get("/limited/")

    body = response.content.decode()
    assert response.status_code == 429
    assert "<h1>Trop de requêtes</h1>" in body
    assert '<html lang="fr">' in body


def test_the_ratelimit_middleware_turns_a_refusal_into_a_429(sample_territories):
    request = RequestFactory().get("/fr/")
    request.territory = sample_territories["gers"]
    middleware = RatelimitMiddleware(lambda r: None)

    response = middleware.process_exception(request, Ratelimited())

    assert response.status_code == 429


def test_the_ratelimit_middleware_leaves_other_exceptions_alone():
    request = RequestFactory().get("/fr/")
    middleware = RatelimitMiddleware(lambda r: None)

    assert middleware.process_exception(request, ValueError("boom")) is None
