"""The popup of a point of the map: an HTML fragment with a heading, text and a link."""

import pytest
from django.urls import reverse

from sohosolo.services.models import Category
from sohosolo.villages.models import MeasuredTravelTime

from .factories import make_commune, make_service

pytestmark = pytest.mark.django_db


def popup(client, kind: str, pk: int, lang: str = "fr"):
    return client.get(f"/{lang}/carte/fiche/{kind}/{pk}/")


def test_a_village_popup_has_a_focusable_heading_its_facts_and_a_link(client, gers, scenario):
    MeasuredTravelTime.objects.create(village=scenario.match, city="Auch", minutes=40)

    response = popup(client, "village", scenario.match.pk)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert '<h3 class="map-popup-title" tabindex="-1">Lavardens</h3>' in body
    assert "Donnée d'exemple" in body
    assert "Fibre : 80 % des locaux" in body and "École primaire" in body and "Médecin" in body
    # One travel time, to keep the popup short: the first main city unless the visitor chose one.
    assert "≈ 44 min de Toulouse (estimation)" in body and "Auch" not in body
    chosen = client.get(f"/fr/carte/fiche/village/{scenario.match.pk}/", {"city": "Auch"}).content.decode()
    assert "40 min de Auch (mesuré)" in chosen and "Toulouse" not in chosen
    assert "2 offres de logement" in body
    url = reverse("villages:detail", args=[scenario.match.slug])
    assert f'<a href="{url}">Voir la page du village' in body


def test_a_housing_popup_shows_price_kind_and_an_approximate_place(client, gers, scenario):
    body = popup(client, "housing", scenario.house_rent.pk).content.decode()

    assert '<h3 class="map-popup-title" tabindex="-1">Maison de village avec jardin</h3>' in body
    assert "Maison · location" in body
    assert "750 € par mois" in body
    assert "à Lavardens (position approximative)" in body
    assert f'<a href="{reverse("housing:detail", args=[scenario.house_rent.pk])}">Voir l' in body


def test_a_service_popup_names_its_category_in_the_reader_language(client, gers, scenario):
    school = scenario.match.commune.services.get(category=Category.PRIMARY_SCHOOL)
    village_url = reverse("villages:detail", args=[scenario.match.slug])

    french = popup(client, "service", school.pk).content.decode()
    english = popup(client, "service", school.pk, lang="en").content.decode()

    assert "École de Lavardens" in french and "École primaire" in french
    assert "Vérifié le" in french
    assert f'<a href="{village_url}">Village d\'accueil de Lavardens</a>' in french
    assert 'lang="en"' not in english  # a fragment, not a page
    assert english.count("map-popup-title") == 1


def test_a_service_outside_welcome_villages_has_no_village_link(client, gers):
    commune = make_commune(gers, name="Hors réseau")
    service = make_service(commune, Category.HOSPITAL, name="Centre hospitalier")

    body = popup(client, "service", service.pk).content.decode()

    assert "Centre hospitalier" in body and "Village d'accueil de" not in body


@pytest.mark.parametrize(
    "which", ["draft_village", "other_territory", "hidden_offer", "unknown_kind", "missing"]
)
def test_what_the_public_may_not_see_has_no_popup(client, gers, scenario, which):
    kind, pk = {
        "draft_village": ("village", scenario.draft.pk),
        "other_territory": ("village", scenario.other_territory.pk),
        "hidden_offer": ("housing", scenario.hidden[0].pk),
        "unknown_kind": ("workspace", 1),
        "missing": ("service", 999999),
    }[which]

    assert popup(client, kind, pk).status_code == 404


def test_expired_and_withdrawn_offers_have_no_popup(client, gers, scenario):
    for offer in scenario.hidden:
        assert popup(client, "housing", offer.pk).status_code == 404


def test_a_popup_takes_a_handful_of_queries(client, gers, scenario, django_assert_max_num_queries):
    client.get("/fr/carte/")
    with django_assert_max_num_queries(4):
        popup(client, "village", scenario.match.pk)
    with django_assert_max_num_queries(2):
        popup(client, "housing", scenario.house_rent.pk)
