"""/<lang>/carte/: the filter form, the map's configuration and the accessible results list."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sohosolo.services.models import Category

from .factories import make_offer, make_service, make_village

pytestmark = pytest.mark.django_db

JOURNEY = {"fibre": "1", "school": "1", "max_minutes": "60", "city": "Toulouse"}


def page_text(response) -> str:
    return response.content.decode()


def results_ids(response) -> tuple[set[str], set[str]]:
    """Names of the villages and titles of the offers in the list."""
    villages = response.context["villages"].paginator.object_list
    offers = response.context["offers"].paginator.object_list
    return {v.pk for v in villages}, {o.pk for o in offers}


def test_the_map_page_is_public_and_named_maps_map(client, gers):
    response = client.get(reverse("maps:map"))

    assert reverse("maps:map") == "/fr/carte/"
    assert response.status_code == 200
    body = page_text(response)
    assert "<h1>Carte : villages d'accueil, logements et services</h1>" in body
    assert 'role="search"' in body
    assert 'id="result-count" class="result-count" role="status"' in body


def test_the_page_carries_the_map_configuration_and_no_inline_script_or_style(client, gers_communes):
    body = page_text(client.get("/fr/carte/"))

    config = json.loads(
        re.search(r'<script id="carte-config" type="application/json">(.*?)</script>', body).group(1)
    )
    assert config["api"] == "/api/v1/map"
    assert config["popupUrl"] == "/fr/carte/fiche/{kind}/{id}/"
    south_west, north_east = config["bounds"]
    assert 43 < south_west[0] < north_east[0] < 44.5 and -0.5 < south_west[1] < north_east[1] < 1.5
    keys = [layer["key"] for layer in config["layers"]]
    assert keys[:2] == ["village", "housing"] and "primary_school" in keys and "doctor" in keys
    assert 'data-tile-url="https://tile.test.invalid/{z}/{x}/{y}.png"' in body
    # Strict CSP: every script is an external file with the nonce, or the JSON block.
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or 'type="application/json"' in tag, tag
        assert "nonce=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in body and "<style" not in body
    assert "js/carte.js" in body and "leaflet.markercluster.js" in body


def test_the_layer_toggles_cover_villages_housing_and_each_service_category(client, gers):
    body = page_text(client.get("/fr/carte/"))

    assert 'id="layer-village" value="village" checked' in body
    assert 'id="layer-housing" value="housing" checked' in body
    for category in Category:
        assert f'id="layer-{category.value}" value="{category.value}">' in body


def test_the_list_shows_published_villages_and_public_offers_with_links(client, gers, scenario):
    response = client.get("/fr/carte/")

    villages, offers = results_ids(response)
    assert villages == scenario.village_ids(
        scenario.match, scenario.no_fibre, scenario.far, scenario.no_school
    )
    assert offers == {
        o.pk for o in (scenario.house_rent, scenario.flat_sale, scenario.house_no_fibre, scenario.house_far)
    }
    body = page_text(response)
    assert "Brouillon" not in body and "Landais" not in body and "Offre périmée" not in body
    assert "Lavardens" in body and "Maison de village avec jardin" in body
    assert "Donnée d'exemple" in body  # the sample village and offer say so
    assert "750 € par mois" in body and "150 000 € " not in body  # sale price has no "par mois"
    assert re.search(r"150\s000\s€", body)


def test_the_list_links_to_the_village_and_offer_pages(client, gers, scenario):
    body = page_text(client.get("/fr/carte/"))

    assert f'<a href="{reverse("villages:detail", args=[scenario.match.slug])}">Lavardens</a>' in body
    offer_url = reverse("housing:detail", args=[scenario.house_rent.pk])
    assert f'<a href="{offer_url}">Maison de village avec jardin</a>' in body


def test_journey_one_filters_keep_the_village_with_fibre_a_school_and_an_hour_from_toulouse(
    client, gers, scenario
):
    response = client.get("/fr/carte/", JOURNEY)

    villages, offers = results_ids(response)
    assert villages == {scenario.match.pk}
    assert offers == {scenario.house_rent.pk, scenario.flat_sale.pk}
    body = page_text(response)
    assert "1 village d'accueil, 2 offres de logement." in body
    assert "≈ 44 min de Toulouse (estimation)" in body
    assert "Fibre : 80 % des locaux" in body
    # The form keeps what was chosen (the URL is shareable).
    assert 'name="fibre" value="1"' not in body or "checked" in body
    assert re.search(r'<input type="checkbox" name="fibre"[^>]*checked', body)
    assert re.search(r'<option value="60" selected>', body)


def test_htmx_gets_the_list_and_the_count_out_of_band(client, gers, scenario):
    response = client.get("/fr/carte/", JOURNEY, headers={"HX-Request": "true"})

    body = page_text(response)
    assert response.status_code == 200
    assert "<html" not in body and 'id="carte"' not in body
    assert '<p id="result-count" hx-swap-oob="innerHTML">1 village d\'accueil, 2 offres de logement.' in body
    assert "Lavardens" in body and "Sansfibre" not in body


def test_a_history_restore_request_gets_the_whole_page(client, gers, scenario):
    response = client.get("/fr/carte/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert 'id="carte"' in page_text(response)


def test_housing_criteria_filter_the_offers(client, gers, scenario):
    response = client.get("/fr/carte/", {"kind": "flat", "transaction": "sale", "max_price": "200000"})

    assert results_ids(response)[1] == {scenario.flat_sale.pk}


def test_an_invalid_criterion_is_explained_next_to_its_field_and_kept(client, gers, scenario):
    response = client.get("/fr/carte/", {"max_price": "cher", "fibre": "1", "kind": "chateau"})

    body = page_text(response)
    assert response.status_code == 400
    assert 'role="alert"' in body
    assert 'id="id_max_price_error"' in body
    assert re.search(r'<input[^>]*name="max_price"[^>]*value="cher"', body)
    assert re.search(r'aria-describedby="id_max_price_helptext id_max_price_error"', body)
    assert re.search(r'<input type="checkbox" name="fibre"[^>]*checked', body)
    # The list is not filtered by an invalid form, but it is still there.
    assert results_ids(response)[0]


def test_an_invalid_criterion_under_htmx_shows_the_error_in_the_results(client, gers, scenario):
    response = client.get("/fr/carte/", {"max_price": "-5"}, headers={"HX-Request": "true"})

    body = page_text(response)
    assert response.status_code == 200  # htmx swaps only successful answers
    assert 'role="alert"' in body and 'href="#id_max_price"' in body


def test_the_lists_are_paginated_separately_and_keep_the_filters(client, gers):
    for i in range(23):
        make_village(gers, name=f"Village {i:02d}")
    response = client.get("/fr/carte/", {"fibre": "", "page": "2"})

    body = page_text(response)
    assert [v.name for v in response.context["villages"]] == ["Village 20", "Village 21", "Village 22"]
    assert "Page 2 sur 2" in body
    assert 'href="?fibre=&amp;page=1"' in body
    assert 'hx-get="?fibre=&amp;page=1" hx-target="#map-results" hx-push-url="true"' in body


def test_the_page_takes_the_same_number_of_queries_for_1_or_40_results(client, gers):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/fr/carte/").status_code == 200
        return len(captured)

    first = make_village(gers, name="Seul")
    make_offer(first)
    client.get("/fr/carte/")  # warms the host-to-territory table
    one = queries()
    for i in range(39):
        village = make_village(gers, name=f"Village {i}")
        make_service(village.commune, Category.PRIMARY_SCHOOL)
        make_offer(village)
    many = queries()

    assert one == many
    assert many <= 12


def test_the_page_answers_in_english_too(client, gers):
    assert client.get("/en/carte/").status_code == 200


def test_sample_connectivity_figures_say_so_in_a_real_village_row(client, gers, scenario):
    """Lointain is not sample data, but its fibre figure is: the badge sits beside the figure."""
    body = page_text(client.get("/fr/carte/"))

    row = body[body.index(">Lointain<") : body.index(">Sansecole<")]
    assert 'Fibre : 80 % des locaux <span class="sample-badge">Donnée d\'exemple</span>' in row
