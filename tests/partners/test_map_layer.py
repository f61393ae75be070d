"""The "partners" layer of the map: published partners of the territory with a position, through the
map API (GET /api/v1/map) and its popup (/<lang>/carte/fiche/partner/<id>/)."""

import pytest
from django.test import override_settings

from sohosolo.maps.layers import LAYERS, SOURCES
from tests.territories.factories import CommuneFactory

from .factories import partner_in

pytestmark = pytest.mark.django_db

GERS_BBOX = "-0.5,43.0,1.6,44.3"


def get_map(client, layers: str = "partner", **params):
    return client.get("/api/v1/map", {"bbox": GERS_BBOX, "zoom": "9", "layers": layers, **params})


def popup(client, pk: int, lang: str = "fr"):
    return client.get(f"/{lang}/carte/fiche/partner/{pk}/")


@pytest.fixture
def partners(gers, landes):
    condom = CommuneFactory(territory=gers, name="Condom", code="32107")
    return {
        "notary": partner_in(
            gers, name="Étude notariale de Condom", commune=condom, lat=43.96472, lon=0.36225
        ),
        "hidden": partner_in(gers, name="Banque cachée", is_published=False, lat=43.9, lon=0.6),
        "nowhere": partner_in(gers, name="Sans position", lat=None, lon=None),
        "landes": partner_in(landes, name="Notaire de Dax", lat=43.70181, lon=-1.06455),
    }


def test_the_layer_is_registered_through_the_maps_hook():
    assert SOURCES["partner"].popup_template == "partners/_map_popup.html"
    assert str(LAYERS["partner"].label) == "Partenaires du passeport"
    assert LAYERS["partner"].default is False


def test_the_map_api_returns_published_partners_with_a_position(client, partners):
    response = get_map(client)

    assert response.status_code == 200
    body = response.json()
    notary = partners["notary"]
    assert body["items"] == [[notary.pk, 43.96472, 0.36225, "partner", "Étude notariale de Condom"]]
    assert body["counts"] == {"partner": 1}


def test_the_alias_and_other_layers_mix(client, partners):
    body = get_map(client, layers="partners,villages").json()

    assert {item[3] for item in body["items"]} == {"partner"}
    assert body["counts"] == {"partner": 1}


def test_village_criteria_do_not_hide_partners(client, partners):
    body = get_map(client, fibre="true", school="true").json()

    assert [item[0] for item in body["items"]] == [partners["notary"].pk]


def test_the_other_territory_sees_its_own_partners(client, partners):
    body = get_map(client, territory="landes", bbox="-2,43,0,44.5").json()

    assert [item[4] for item in body["items"]] == ["Notaire de Dax"]


def test_the_popup_names_the_partner_its_kind_and_links_its_page(client, partners):
    notary = partners["notary"]

    response = popup(client, notary.pk)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert '<h3 class="map-popup-title" tabindex="-1">Étude notariale de Condom</h3>' in body
    assert "Notaire" in body and "Condom" in body
    assert f'<a href="/fr/partenaires/{notary.slug}/">Voir la page du partenaire' in body
    english = popup(client, notary.pk, "en").content.decode()
    assert f'href="/en/partenaires/{notary.slug}/"' in english


def test_a_hidden_or_unplaced_or_foreign_partner_has_no_popup(client, partners):
    for key in ("hidden", "nowhere", "landes"):
        assert popup(client, partners[key].pk).status_code == 404, key


def test_the_map_page_offers_the_layer(client, gers):
    body = client.get("/fr/carte/").content.decode()

    assert 'id="layer-partner"' in body
    assert "Partenaires du passeport" in body


@override_settings(PAGE_CACHE_ENABLED=True)
def test_a_partner_published_shows_on_the_cached_map_at_once(
    client, gers, django_capture_on_commit_callbacks
):
    partner = partner_in(gers, name="Coworking de Marciac", is_published=False)
    assert get_map(client).json()["items"] == []
    assert get_map(client)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        partner.is_published = True
        partner.save()

    assert [item[0] for item in get_map(client).json()["items"]] == [partner.pk]
