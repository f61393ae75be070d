"""The display partial `connectivity/_commune_connectivity.html` (context: commune), included by the
village page: official figures with source and date, mobile coverage as a table, ground checks beside."""

import datetime
import html

import pytest
from django.template.loader import render_to_string

from sohosolo.connectivity.models import Connectivity, ConnectivityCorrection
from sohosolo.territories.models import Commune

pytestmark = pytest.mark.django_db


def render(commune) -> str:
    return html.unescape(render_to_string("connectivity/_commune_connectivity.html", {"commune": commune}))


def test_a_commune_without_data_says_so(auch):
    page = render(auch)

    assert "Données non disponibles." in page
    assert "Aucune vérification de terrain pour l'instant." in page
    assert "INVALID_TEMPLATE_VARIABLE" not in page


def test_official_figures_show_their_source_date_and_mobile_coverage_table(auch):
    Connectivity.objects.create(
        commune=auch, fibre_share_pct=0, best_dsl_mbps=15, fixed_4g=True, fixed_5g=False, satellite=True,
        mobile_orange="very_good", mobile_sfr="good", mobile_bouygues="basic", mobile_free="none",
        source="Donnée d'exemple (générée)", date=datetime.date(2025, 3, 31), is_sample=True,
    )  # fmt: skip

    page = render(auch)

    assert "pas encore disponible" in page
    assert "15 Mbit/s" in page
    assert "<caption>Couverture mobile par opérateur</caption>" in page
    assert '<th scope="row">Orange</th><td>Très bonne couverture</td>' in page
    assert '<th scope="row">Free Mobile</th><td>Aucune couverture</td>' in page
    assert "Source : Donnée d'exemple (générée), données du 31 mars 2025." in page
    assert '<span class="sample-badge">Donnée d\'exemple</span>' in page


def test_real_figures_carry_no_sample_badge(auch):
    Connectivity.objects.create(
        commune=auch, fibre_share_pct=97.2, source="ARCEP", date=datetime.date(2025, 1, 1)
    )

    page = render(auch)

    assert "97,2 % des locaux raccordables" in page
    assert "sample-badge" not in page


def test_ground_checks_are_listed_newest_first_beside_the_official_figures(auch):
    Connectivity.objects.create(
        commune=auch, fibre_share_pct=50, source="ARCEP", date=datetime.date(2025, 1, 1)
    )
    ConnectivityCorrection.objects.create(
        commune=auch, topic="ADSL", note="Ancien", checked_on=datetime.date(2024, 5, 1)
    )
    ConnectivityCorrection.objects.create(
        commune=auch, topic="Fibre", note="Récent", checked_on=datetime.date(2025, 2, 1)
    )

    page = render(auch)

    assert page.index("Chiffres officiels") < page.index("Vérifié sur le terrain") < page.index("Récent")
    assert page.index("Récent") < page.index("Ancien")
    assert "50 % des locaux raccordables" in page  # still shown, not replaced


def test_the_partial_runs_no_query_when_the_caller_prefetched(auch, django_assert_num_queries):
    Connectivity.objects.create(commune=auch, source="ARCEP", date=datetime.date(2025, 1, 1))
    ConnectivityCorrection.objects.create(
        commune=auch, topic="4G", note="Bon", checked_on=datetime.date(2025, 1, 1)
    )
    commune = (
        Commune.objects.select_related("connectivity")
        .prefetch_related("connectivity_corrections")
        .get(pk=auch.pk)
    )

    with django_assert_num_queries(0):
        render(commune)
