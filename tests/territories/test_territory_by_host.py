import pytest
from django.conf import settings

from sohosolo.territories.middleware import territory_for_host
from sohosolo.territories.services import territories_load_sample

from .factories import TerritoryFactory

pytestmark = pytest.mark.django_db


def brand(response) -> str:
    body = response.content.decode()
    start = body.index('<span class="brand-territory">') + len('<span class="brand-territory">')
    return body[start : body.index("</span>", start)]


def test_localhost_subdomains_are_allowed_hosts():
    assert ".localhost" in settings.ALLOWED_HOSTS


def test_a_visitor_on_the_landes_host_sees_the_landes_territory(client, sample_territories):
    response = client.get("/fr/", HTTP_HOST="landes.localhost")

    assert response.status_code == 200
    assert brand(response) == "Landes"
    assert "Vivre et travailler en indépendant : Landes" in response.content.decode()
    assert response.wsgi_request.territory.slug == "landes"


def test_a_visitor_on_the_gers_host_sees_the_gers_territory(client, sample_territories):
    response = client.get("/fr/", HTTP_HOST="gers.localhost")

    assert brand(response) == "Gers"


def test_a_visitor_on_an_unknown_host_sees_the_default_territory(client, sample_territories):
    response = client.get("/fr/", HTTP_HOST="unknown.localhost")

    assert response.status_code == 200
    assert settings.DEFAULT_TERRITORY == "gers"
    assert brand(response) == "Gers"


def test_host_matching_ignores_case_port_and_trailing_dot(sample_territories):
    assert territory_for_host("LANDES.localhost:8000").slug == "landes"
    assert territory_for_host("landes.localhost.").slug == "landes"


def test_the_territory_name_follows_the_language_of_the_page(client, sample_territories):
    response = client.get("/es/", HTTP_HOST="landes.localhost")

    assert brand(response) == "Landas"


def test_a_new_host_name_is_served_as_soon_as_the_territory_is_saved(client, sample_territories):
    assert brand(client.get("/fr/", HTTP_HOST="pays-basque.localhost")) == "Gers"

    TerritoryFactory(slug="pays-basque", name="Pays basque", hostnames=[" Pays-Basque.localhost "])

    assert brand(client.get("/fr/", HTTP_HOST="pays-basque.localhost")) == "Pays basque"


def test_loading_the_sample_twice_keeps_two_territories_with_their_host_names():
    territories_load_sample()
    loaded = territories_load_sample()

    assert [(t.slug, t.hostnames, d) for t, d in loaded] == [
        ("gers", ["gers.localhost"], "32"),
        ("landes", ["landes.localhost"], "40"),
    ]
    assert all(t.is_sample for t, _ in loaded)


def test_without_any_territory_the_home_page_is_not_found(client):
    assert client.get("/fr/", HTTP_HOST="unknown.localhost").status_code == 404


def test_a_territory_changed_by_another_process_is_read_again(sample_territories):
    """Each process keeps the table in memory; the shared version tells it the table changed elsewhere."""
    from django.core.cache import cache

    from sohosolo.territories.middleware import VERSION_KEY
    from sohosolo.territories.models import Territory

    assert territory_for_host("landes.localhost").name == "Landes"
    Territory.objects.filter(slug="landes").update(name="Landes (renommé)")  # no signal: as another process
    assert territory_for_host("landes.localhost").name == "Landes"  # this process's copy

    cache.set(VERSION_KEY, "moved-by-another-process", None)

    assert territory_for_host("landes.localhost").name == "Landes (renommé)"


def test_each_request_gets_its_own_copy_of_the_territory(sample_territories):
    first = territory_for_host("landes.localhost")
    first.name = "changed by one request"

    assert territory_for_host("landes.localhost").name == "Landes"
