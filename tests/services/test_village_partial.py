"""The display partial `services/_village_services.html` (context: village), included by the village page."""

import datetime
import html

import pytest
from django.template.loader import render_to_string

from sohosolo.villages.models import Village

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db


def render(village) -> str:
    return html.unescape(render_to_string("services/_village_services.html", {"village": village}))


def test_services_are_grouped_by_category_in_the_fixed_order_with_their_details(village_a, auch):
    ServiceFactory(commune=auch, category="bakery", name="Boulangerie Martin", phone="05 62 05 00 00")
    ServiceFactory(
        commune=auch, category="primary_school", name="École Jules Ferry", website="https://ecole.fr"
    )
    ServiceFactory(commune=auch, category="market", name="Marché", market_day=5, opening_hours="8 h – 13 h")
    ServiceFactory(
        commune=auch, category="bakery", name="Au Bon Pain", last_verified=datetime.date(2025, 2, 3)
    )

    page = render(village_a)

    headings = [page.index(h) for h in ("<h3>École primaire</h3>", "<h3>Boulangerie</h3>", "<h3>Marché</h3>")]
    assert headings == sorted(headings)  # the list's order, not the alphabet of the codes
    assert page.index("Au Bon Pain") < page.index("Boulangerie Martin")
    assert "Jour de marché : le samedi" in page and "Horaires : 8 h – 13 h" in page
    assert '<a href="tel:0562050000">05 62 05 00 00</a>' in page
    assert 'href="https://ecole.fr"' in page
    assert 'Vérifié le <time datetime="2025-02-03">3 février 2025</time>' in page
    assert "sample-badge" not in page
    assert "INVALID_TEMPLATE_VARIABLE" not in page


def test_sample_services_carry_the_badge(village_a, auch):
    ServiceFactory(commune=auch, sample=True)

    assert '<span class="sample-badge">Donnée d\'exemple</span>' in render(village_a)


def test_a_village_without_services_says_so(village_a):
    assert "Aucun service de proximité n'est encore renseigné pour ce village." in render(village_a)


def test_the_partial_runs_no_query_when_the_caller_prefetched(village_a, auch, django_assert_num_queries):
    ServiceFactory.create_batch(5, commune=auch)
    village = (
        Village.objects.select_related("commune").prefetch_related("commune__services").get(pk=village_a.pk)
    )

    with django_assert_num_queries(0):
        render(village)
