"""Public village pages: the list of published villages and a village's page, for visitors."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sohosolo.territories.models import Commune
from sohosolo.villages.models import MeasuredTravelTime, Village
from tests.open_data import AUCH
from tests.territories.factories import CommuneFactory

from .factories import VillagePhotoFactory, committee_member, village_in, village_of_commune

pytestmark = pytest.mark.django_db

LIST = "/fr/villages/"
LANDES = {"HTTP_HOST": "landes.localhost"}


def detail(village: Village, lang: str = "fr") -> str:
    return f"/{lang}/villages/{village.slug}/"


def names_listed(response) -> list[str]:
    return re.findall(r'<a href="/fr/villages/[\w-]+/">([^<]+)</a>', response.content.decode())


# --- The list ---------------------------------------------------------------------------------------


def test_a_visitor_sees_only_the_published_villages_of_this_territory(client, gers, landes):
    published = village_in(gers, commune__name="Lectoure")
    village_in(gers, draft=True, commune__name="Brouillonville")
    village_in(landes, commune__name="Mimizan")

    response = client.get(LIST)

    assert response.status_code == 200
    assert names_listed(response) == [published.name]
    assert "1 village" in response.content.decode()


def test_each_village_of_the_list_shows_its_population_intercommunality_product_and_thumbnail(client, gers):
    village = village_in(
        gers,
        commune__name="Lectoure",
        commune__population=3700,
        commune__epci_name="CC de la Lomagne gersoise",
    )
    village.product_title_fr = "Le melon de Lectoure"
    village.save()
    photo = VillagePhotoFactory(village=village, alt_text="Les remparts")

    body = client.get(LIST).content.decode()

    assert re.search(r"3\s700 habitants", body)
    assert "CC de la Lomagne gersoise" in body
    assert "Le melon de Lectoure" in body
    assert f'src="{photo.image.url}"' in body


def test_the_list_is_paginated_by_twelve(client, gers):
    for index in range(13):
        village_in(gers, commune__name=f"Village {index:02d}")

    first = names_listed(client.get(LIST))
    second = names_listed(client.get(LIST, {"page": 2}))

    assert len(first) == 12
    assert len(second) == 1
    assert not set(first) & set(second)


def test_the_list_filters_by_intercommunality(client, gers):
    lomagne = village_in(gers, commune__epci_code="200000001", commune__epci_name="CC Lomagne")
    village_in(gers, commune__epci_code="200000002", commune__epci_name="CC Astarac")

    response = client.get(LIST, {"epci": "200000001"})

    assert names_listed(response) == [lomagne.name]
    assert '<option value="200000001" selected>CC Lomagne</option>' in response.content.decode()


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_needs_the_same_few_queries_for_one_or_twelve_villages(
    client, gers, django_assert_max_num_queries
):
    village = village_in(gers)
    VillagePhotoFactory(village=village)
    client.get(LIST)  # warm the territory table cache
    one = count_list_queries(client)
    for _index in range(11):
        VillagePhotoFactory(village=village_in(gers))

    with django_assert_max_num_queries(6):
        client.get(LIST)
    assert count_list_queries(client) == one


# --- A village's page -------------------------------------------------------------------------------


def test_a_village_page_shows_its_presentation_photos_product_facts_and_committee_first_names(client, gers):
    commune = CommuneFactory(
        territory=gers,
        name="Fourcès",
        population=298,
        epci_name="CC de la Ténarèze",
        townhall_address="Place de la Mairie, 32250 Fourcès",
        townhall_phone="05 62 29 40 13",
        townhall_lat=43.99,
        townhall_lon=0.23,
        with_boundary=True,
    )
    village = village_of_commune(
        commune,
        presentation_fr="Une bastide ronde au bord de l'Auzoue.",
        product_title_fr="Le marché aux fleurs",
        product_text_fr="Chaque dernier week-end d'avril.",
    )
    VillagePhotoFactory(village=village, alt_text="La place ronde de la bastide")
    committee_member(village, first_name="Jeanne", email="jeanne.secret@exemple.fr")
    committee_member(village, first_name="Paul", email="paul.secret@exemple.fr")

    response = client.get(detail(village))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Fourcès</h1>" in body
    assert "Une bastide ronde au bord de l&#x27;Auzoue." in body
    assert 'alt="La place ronde de la bastide"' in body
    assert "Un village, un produit" in body and "Le marché aux fleurs" in body
    assert "298" in body and "CC de la Ténarèze" in body
    assert "05 62 29 40 13" in body and "Place de la Mairie, 32250 Fourcès" in body
    assert "Jeanne et Paul vous accueillent" in body
    # The committee is reached through the form, never by its addresses.
    assert "secret@exemple.fr" not in body
    assert 'action="/fr/villages/' + village.slug + '/contact/"' in body


def test_a_village_page_has_a_map_with_the_boundary_the_town_hall_and_a_text_alternative(client, gers):
    commune = CommuneFactory(
        territory=gers, name="Fourcès", townhall_lat=43.99, townhall_lon=0.23, with_boundary=True
    )
    village = village_of_commune(commune)

    body = client.get(detail(village)).content.decode()

    data = json.loads(
        re.search(r'<script id="map-data" type="application/json">(.*?)</script>', body).group(1)
    )
    assert data["boundary"]["type"] == "Polygon"
    assert data["markers"] == [{"lat": 43.99, "lon": 0.23, "label": "Mairie de Fourcès"}]
    assert 'aria-describedby="map-text"' in body
    assert "Alternative textuelle : la carte montre le contour de la commune de Fourcès" in body
    assert "js/map.js" in body
    # No inline script: only the JSON block and nonce'd module files.
    assert not re.search(r"<script(?![^>]*(src=|application/json))[^>]*>", body)


def test_the_village_page_includes_the_services_connectivity_and_housing_sections(client, gers):
    village = village_in(gers)

    body = client.get(detail(village)).content.decode()

    assert 'id="village-services-title"' in body
    assert 'id="connectivity-title"' in body
    assert 'id="village-housing-title"' in body


def test_a_draft_village_is_not_found(client, gers):
    village = village_in(gers, draft=True)

    assert client.get(detail(village)).status_code == 404


def test_a_village_of_another_territory_is_not_found(client, gers, landes):
    village = village_in(landes)

    assert client.get(detail(village)).status_code == 404
    assert client.get(detail(village), **LANDES).status_code == 200


def test_a_sample_village_says_so(client, gers):
    village = village_in(gers, is_sample=True)

    assert "Donnée d'exemple" in client.get(detail(village)).content.decode()
    assert "Donnée d'exemple" in client.get(LIST).content.decode()


def test_the_english_page_shows_the_english_presentation_or_falls_back_to_french(client, gers):
    translated = village_in(gers, presentation_fr="Texte en français.", presentation_en="Text in English.")
    untranslated = village_in(gers, presentation_fr="Seulement en français.", presentation_en="")

    assert "Text in English." in client.get(detail(translated, "en")).content.decode()
    assert "Seulement en français." in client.get(detail(untranslated, "en")).content.decode()


# --- Travel times -----------------------------------------------------------------------------------


@pytest.fixture
def auch(gers_communes) -> Village:
    return village_of_commune(Commune.objects.get(code=AUCH))


def toulouse_row(village: Village) -> dict:
    return next(row for row in village.travel_times() if row["city"] == "Toulouse")


def test_auch_to_toulouse_is_estimated_from_the_straight_line_distance_times_the_detour_factor(auch):
    # 67.6 km as the crow flies from the commune's centre × 1.3 at 70 km/h: 75 min.
    row = toulouse_row(auch)

    assert row == {"city": "Toulouse", "minutes": 75, "measured": False, "estimate": 75}
    # A village is not listed as some minutes away from itself.
    assert "Auch" not in [r["city"] for r in auch.travel_times()]


def test_with_the_gers_expressway_speed_auch_to_toulouse_is_about_an_hour(auch):
    # Both parameters are set per territory: at 80 km/h (the N124 is a dual carriageway) the estimate
    # falls within the 50-70 minutes the trip takes in practice.
    auch.territory.travel_speed_kmh = 80
    auch.territory.save()

    assert 50 <= toulouse_row(Village.objects.get(pk=auch.pk))["minutes"] <= 70


def test_the_page_shows_an_estimate_as_such_and_a_measured_time_as_such(client, auch):
    MeasuredTravelTime.objects.create(village=auch, city="Agen", minutes=62)

    body = client.get(detail(auch)).content.decode()

    assert "≈ 1 h 15 (estimation)" in body  # Toulouse
    assert "1 h 02 (mesuré)" in body  # Agen, measured by the committee
    assert "≈ 1 h 02" not in body


def test_a_measured_time_under_an_hour_reads_in_minutes(client, gers):
    village = village_in(gers)
    MeasuredTravelTime.objects.create(village=village, city="Auch", minutes=42)

    assert "42 min (mesuré)" in client.get(detail(village)).content.decode()
