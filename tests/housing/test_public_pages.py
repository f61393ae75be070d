"""The public offer page: what a family in Lyon sees, never the exact address, and the contact form."""

import json
import re

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from sohosolo.housing.models import HousingContactMessage, HousingOffer
from sohosolo.housing.services import approximate_position, housing_create, housing_publish

from .factories import PRECISE_LAT, PRECISE_LON, HousingOfferFactory, photo_of

pytestmark = pytest.mark.django_db


def detail(offer, lang: str = "fr") -> str:
    return f"/{lang}/logements/{offer.pk}/"


def map_data(response) -> dict:
    match = re.search(
        r'<script id="housing-map-data" type="application/json">(.*?)</script>', response.content.decode()
    )
    return json.loads(match.group(1))


@pytest.fixture
def offer(village_a, committee_a):
    offer = HousingOfferFactory(
        village=village_a,
        author=committee_a,
        published=True,
        kind="house",
        transaction="rent",
        title_fr="Maison de village avec jardin",
        title_en="Village house with a garden",
        price=1250,
        surface_m2=96,
        rooms=4,
    )
    photo_of(offer, alt_text="La façade en pierre au soleil")
    photo_of(offer, alt_text="Le jardin et le tilleul")
    return offer


def contact(**overrides) -> dict:
    return {
        "name": "Camille Martin",
        "email": "camille@exemple.fr",
        "message": "Bonjour, la maison est-elle disponible en septembre ?",
        "website": "",
        **overrides,
    }


# --- What the page shows --------------------------------------------------------------------------


def test_a_public_offer_shows_its_facts_photos_village_and_map(client, offer, village_a):
    response = client.get(detail(offer))

    assert response.status_code == 200
    body = response.content.decode()
    assert '<h1 id="offer-title">Maison de village avec jardin</h1>' in body
    assert "Maison à louer" in body
    assert "1\u00a0250\u00a0€ par mois" in body
    assert "96 m²" in body
    assert f'href="/fr/villages/{village_a.slug}/"' in body
    for photo in offer.photos.all():
        assert f'<a href="{photo.image.url}"><img src="{photo.thumbnail.url}" alt="{photo.alt_text}"' in body
    assert map_data(response)["radius"] == 400
    assert "Alternative textuelle" in body and 'aria-describedby="map-text"' in body
    assert "Donnée d&#x27;exemple" not in body and "Donnée d'exemple" not in body


def test_the_price_follows_the_reader_locale(client, offer):
    body = client.get(detail(offer, "en")).content.decode()

    assert "€1,250" in body
    assert "Village house with a garden" in body


def test_a_sample_offer_shows_the_sample_badge(client, offer):
    HousingOffer.objects.filter(pk=offer.pk).update(is_sample=True)

    assert "Donnée d'exemple" in client.get(detail(offer)).content.decode()


def test_the_public_page_never_shows_the_exact_position(client, village_a, committee_a):
    commune = village_a.commune
    precise = (round(commune.lat + 0.00123, 6), round(commune.lon + 0.00234, 6))
    offer = housing_create(
        village=village_a,
        by=committee_a,
        data={"kind": "flat", "transaction": "sale", "title_fr": "Appartement", "price": 150000},
        lat=precise[0],
        lon=precise[1],
    )
    housing_publish(offer=offer, by=committee_a)

    response = client.get(detail(offer))

    body = response.content.decode()
    assert str(precise[0]) not in body and str(precise[1]) not in body
    data = map_data(response)
    assert (data["lat"], data["lon"]) == approximate_position(lat=precise[0], lon=precise[1])
    assert not any("address" in field.name or "adresse" in field.name for field in HousingOffer._meta.fields)


def test_nearby_positions_share_the_same_approximate_point():
    assert approximate_position(lat=PRECISE_LAT, lon=PRECISE_LON) == approximate_position(
        lat=PRECISE_LAT + 0.0004, lon=PRECISE_LON - 0.0005
    )
    lat, lon = approximate_position(lat=PRECISE_LAT, lon=PRECISE_LON)
    assert abs(lat - PRECISE_LAT) < 0.0015 and abs(lon - PRECISE_LON) < 0.0021  # within one ~300 m cell


@pytest.mark.parametrize(
    "state",
    [{"status": "draft"}, {"status": "published", "village__status": "draft"}],
    ids=["draft", "village-not-published"],
)
def test_offers_that_were_never_public_answer_404(client, state, village_a):
    if "village__status" in state:
        village_a.status = "draft"
        village_a.save()
        offer = HousingOfferFactory(village=village_a, published=True)
    else:
        offer = HousingOfferFactory(village=village_a)

    assert client.get(detail(offer)).status_code == 404


def test_a_withdrawn_offer_answers_410_without_its_details(client, offer):
    HousingOffer.objects.filter(pk=offer.pk).update(status="withdrawn")

    response = client.get(detail(offer))

    assert response.status_code == 410
    assert offer.title_fr not in response.content.decode()


def test_an_offer_of_another_territory_answers_404(client, offer, landes):
    assert client.get(detail(offer), HTTP_HOST="landes.localhost").status_code == 404


# --- Contact form ---------------------------------------------------------------------------------


def test_the_contact_form_stores_the_message_and_emails_the_author(
    client, offer, committee_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail(offer), contact())

    assert response.status_code == 302 and response.url == f"{detail(offer)}#contact"
    stored = HousingContactMessage.objects.get()
    assert stored.offer == offer and stored.email == "camille@exemple.fr"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [committee_a.email]
    assert "Camille Martin" in email.subject
    assert "camille@exemple.fr" in email.body and "disponible en septembre" in email.body
    assert "transmis" in client.get(detail(offer)).content.decode()


def test_a_contact_form_error_keeps_everything_typed(client, offer):
    response = client.post(detail(offer), contact(email="pas-une-adresse"))

    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Camille Martin"' in body and "disponible en septembre" in body
    assert 'value="pas-une-adresse"' in body
    assert 'id="id_email_error"' in body
    assert not HousingContactMessage.objects.exists()


def test_a_robot_filling_the_honeypot_is_thanked_but_nothing_is_stored_or_sent(
    client, offer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail(offer), contact(website="http://spam.example"))

    assert response.status_code == 302
    assert not HousingContactMessage.objects.exists()
    assert mail.outbox == []


def test_more_than_5_messages_a_minute_from_one_address_get_429(client, offer):
    for _ in range(5):
        assert client.post(detail(offer), contact()).status_code == 302

    response = client.post(detail(offer), contact())

    assert response.status_code == 429
    assert HousingContactMessage.objects.count() == 5
    assert client.get(detail(offer)).status_code == 200  # reading stays open


# --- The village page's partial, and the map's selector ---------------------------------------------


def render_partial(village) -> str:
    request = RequestFactory().get("/fr/villages/x/")
    with translation.override("fr"):
        return render_to_string("housing/_village_housing.html", {"village": village}, request=request)


def test_the_village_partial_lists_only_public_offers_with_a_thumbnail(offer, village_a, village_b):
    HousingOfferFactory(village=village_a, title_fr="Brouillon caché")
    HousingOfferFactory(village=village_a, expired=True, title_fr="Offre expirée cachée")
    HousingOfferFactory(village=village_b, published=True, title_fr="Ailleurs")

    html = render_partial(village_a)

    assert "Maison de village avec jardin" in html and f'href="/fr/logements/{offer.pk}/"' in html
    assert offer.cover.thumbnail.url in html
    assert "1\u00a0250\u00a0€ par mois" in html
    assert "Brouillon caché" not in html and "expirée cachée" not in html and "Ailleurs" not in html


def test_the_village_partial_says_when_there_is_no_offer(village_b):
    assert "Aucune offre de logement" in render_partial(village_b)


def test_the_village_partial_takes_two_queries_whatever_the_number_of_offers(
    village_a, django_assert_num_queries
):
    for index in range(8):
        photo_of(HousingOfferFactory(village=village_a, published=True, is_sample=index % 2 == 0))

    with django_assert_num_queries(2):
        html = render_partial(village_a)

    assert html.count('class="housing-card"') == 8
    assert "Donnée d'exemple" in html


def test_in_bbox_selects_offers_by_position(village_a):
    inside = HousingOfferFactory(village=village_a, lat=43.6, lon=0.5)
    HousingOfferFactory(village=village_a, lat=43.6, lon=1.5)
    HousingOfferFactory(village=village_a, lat=44.6, lon=0.5)

    assert list(HousingOffer.objects.in_bbox(0.4, 43.5, 0.6, 43.7)) == [inside]
    assert list(HousingOffer.objects.in_bbox(179.0, 43.5, 0.6, 43.7)) == [inside]  # across 180°
