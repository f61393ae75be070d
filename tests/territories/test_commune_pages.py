import re

import pytest

from sohosolo.territories.models import Commune
from tests.open_data import AUCH, SUBSET_SIZE

from .factories import CommuneFactory

pytestmark = pytest.mark.django_db


def names_listed(response) -> list[str]:
    return re.findall(r'<a href="/fr/communes/\d+/">([^<]+)</a>', response.content.decode())


def test_a_visitor_sees_the_first_30_communes_of_the_territory_and_a_link_to_the_next_page(
    client, gers_communes
):
    response = client.get("/fr/communes/")

    assert response.status_code == 200
    assert len(names_listed(response)) == 30
    assert f"{SUBSET_SIZE} communes" in response.content.decode()
    assert "Page 1 sur 2" in response.content.decode()
    assert 'href="?page=2" rel="next"' in response.content.decode()


def test_the_second_page_lists_the_remaining_communes(client, gers_communes):
    first = names_listed(client.get("/fr/communes/"))

    second = names_listed(client.get("/fr/communes/", {"page": 2}))

    assert len(second) == SUBSET_SIZE - 30
    assert not set(first) & set(second)


def test_a_page_number_out_of_range_shows_the_last_page(client, gers_communes):
    response = client.get("/fr/communes/", {"page": 99})

    assert response.status_code == 200
    assert "Page 2 sur 2" in response.content.decode()


def test_searching_castera_without_accent_finds_castera_verduzan(client, gers_communes):
    response = client.get("/fr/communes/", {"q": "castera"})

    assert names_listed(response) == ["Castéra-Lectourois", "Castéra-Verduzan"]


def test_searching_a_postcode_finds_the_communes_it_serves(client, gers_communes):
    served = [c.name for c in Commune.objects.order_by("search_name") if "32410" in c.postcodes]
    assert "Castéra-Verduzan" in served

    assert names_listed(client.get("/fr/communes/", {"q": "32410"})) == served


def test_a_search_that_matches_nothing_says_so(client, gers_communes):
    response = client.get("/fr/communes/", {"q": "zzzz"})

    assert names_listed(response) == []
    assert "Aucune commune ne correspond à votre recherche." in response.content.decode()


def test_filtering_by_intercommunality_lists_only_its_communes(client, gers_communes):
    auch = Commune.objects.get(code=AUCH)
    expected = set(Commune.objects.filter(epci_code=auch.epci_code).values_list("name", flat=True))
    assert 1 < len(expected) < SUBSET_SIZE

    response = client.get("/fr/communes/", {"epci": auch.epci_code})

    assert set(names_listed(response)) == expected
    assert f'<option value="{auch.epci_code}" selected>' in response.content.decode()


def test_search_and_intercommunality_filter_combine(client, gers_communes):
    response = client.get("/fr/communes/", {"q": "castera", "epci": Commune.objects.get(code=AUCH).epci_code})

    assert names_listed(response) == ["Castéra-Verduzan"]


def test_the_pagination_links_keep_the_current_filters(client, gers):
    for i in range(35):
        CommuneFactory(territory=gers, code=f"32{i + 500:03d}", name=f"Saint-Test {i:02d}", epci_code="E1")

    response = client.get("/fr/communes/", {"q": "saint", "epci": "E1"})

    assert 'href="?q=saint&amp;epci=E1&amp;page=2"' in response.content.decode()


def test_an_unknown_intercommunality_is_ignored_rather_than_failing(client, gers_communes):
    response = client.get("/fr/communes/", {"epci": "000000000"})

    assert response.status_code == 200
    assert len(names_listed(response)) == 30


def test_an_htmx_search_returns_only_the_results_fragment(client, gers_communes):
    response = client.get("/fr/communes/", {"q": "castera"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "<form" not in body
    # The count goes out of band into the live region that stays on the page (announced by screen readers).
    assert '<p id="result-count" hx-swap-oob="innerHTML">2 communes\n</p>' in body
    assert "Castéra-Verduzan" in body
    assert response.templates[0].name == "territories/_commune_results_htmx.html"


def test_the_full_page_includes_the_search_form_and_the_results(client, gers_communes):
    response = client.get("/fr/communes/")

    assert "territories/commune_list.html" in [t.name for t in response.templates]
    assert 'hx-get="/fr/communes/"' in response.content.decode()


def test_the_list_does_not_show_communes_of_another_territory(client, gers_communes, landes):
    CommuneFactory(territory=landes, code="40192", name="Mont-de-Marsan")

    response = client.get("/fr/communes/", {"q": "mont de marsan"})

    assert names_listed(response) == []


def test_the_commune_page_shows_key_figures_town_hall_and_map_data(client, gers_communes):
    response = client.get(f"/fr/communes/{AUCH}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Auch</h1>" in body
    assert "<dd>32000</dd>" in body
    assert "CA Grand Auch Coeur de Gascogne" in body
    assert "Mairie" in body
    assert 'id="map-data"' in body
    assert response.context["map_data"]["boundary"]["type"] == "Polygon"
    assert response.context["map_data"]["markers"][0]["label"] == "Mairie — Auch"


def test_the_commune_page_of_a_commune_in_another_territory_is_not_found(client, gers_communes, landes):
    CommuneFactory(territory=landes, code="40192", name="Mont-de-Marsan")

    assert client.get("/fr/communes/40192/").status_code == 404
    assert client.get("/fr/communes/40192/", HTTP_HOST="landes.localhost").status_code == 200


def test_an_unknown_commune_code_is_not_found(client, gers_communes):
    assert client.get("/fr/communes/99999/").status_code == 404


def test_the_commune_pages_refuse_to_be_posted_to(client, gers_communes):
    assert client.post("/fr/communes/").status_code == 405


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_commune_pages_answer_in_both_languages(client, gers_communes, lang):
    for url in (f"/{lang}/communes/", f"/{lang}/communes/{AUCH}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.content.decode()


def test_the_commune_pages_answer_404_when_no_territory_exists(client, db):
    assert client.get("/fr/communes/").status_code == 404


def test_the_commune_list_makes_the_same_number_of_queries_whatever_the_number_of_communes(client, gers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    CommuneFactory.create_batch(3, territory=gers)
    client.get("/fr/communes/")  # warms the host-to-territory table, cached across requests
    with CaptureQueriesContext(connection) as few:
        client.get("/fr/communes/")
    CommuneFactory.create_batch(40, territory=gers, epci_code="E2", epci_name="CC Deux")
    with CaptureQueriesContext(connection) as many:
        client.get("/fr/communes/")

    assert len(many) == len(few)
