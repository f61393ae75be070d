"""Journey 1, its search part, in Chromium: filter villages on /fr/carte/ by fibre, a primary school and
an hour from Toulouse; the list updates; open a village from the list, then a housing offer from it.
axe-core finds nothing on the map page with a popup open, nor on the filtered results list."""

import re
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from sohosolo.connectivity.models import Connectivity
from sohosolo.housing.models import HousingOffer
from sohosolo.services.models import Category, Service
from sohosolo.territories.models import Commune
from sohosolo.villages.models import Village

from .test_accessibility import AXE_OPTIONS, violations_report

pytestmark = pytest.mark.browser

MAX_FIRST_LOAD_BYTES = 600 * 1024
MANY_SERVICES = 300


def _village(commune: Commune, *, fibre: bool) -> Village:
    village = Village.objects.create(
        territory=commune.territory,
        commune=commune,
        slug=re.sub(r"[^a-z0-9]+", "-", commune.search_name).strip("-"),
        status="published",
        presentation_fr=f"{commune.name} accueille les indépendants.",
        product_title_fr="Le marché fermier",
        is_sample=True,
    )
    Connectivity.objects.create(
        commune=commune,
        fibre_share_pct=92 if fibre else 0,
        best_dsl_mbps=20,
        source="Donnée d'exemple",
        date=date(2025, 1, 1),
        is_sample=True,
    )
    Service.objects.create(
        commune=commune,
        category=Category.PRIMARY_SCHOOL,
        name=f"École de {commune.name}",
        lat=commune.lat,
        lon=commune.lon,
    )
    return village


@pytest.fixture
def journey(gers_live):
    """Three villages among the real Gers communes, an offer in each, and hundreds of services."""
    east = list(Commune.objects.of_territory(gers_live).order_by("-lon")[:2])  # nearest Toulouse
    west = Commune.objects.of_territory(gers_live).order_by("lon").first()  # farthest
    match = _village(east[0], fibre=True)
    no_fibre = _village(east[1], fibre=False)
    far = _village(west, fibre=True)
    now = timezone.now()
    offers = {}
    for village, title in [
        (match, "Maison avec atelier"),
        (no_fibre, "Longère à rénover"),
        (far, "Ferme gasconne"),
    ]:
        offers[village.pk] = HousingOffer.objects.create(
            village=village,
            kind="house",
            transaction="rent",
            title_fr=title,
            description_fr="Une maison lumineuse, jardin clos.",
            price=780,
            surface_m2=110,
            rooms=5,
            lat=village.commune.lat + 0.003,
            lon=village.commune.lon + 0.002,
            status="published",
            published_at=now - timedelta(days=2),
            expires_at=now + timedelta(days=58),
            is_sample=True,
        )
    communes = list(Commune.objects.of_territory(gers_live).order_by("code")[:100])
    Service.objects.bulk_create(
        Service(
            commune=communes[i % len(communes)],
            category=[Category.BAKERY, Category.DOCTOR, Category.PHARMACY][i % 3],
            name=f"Commerce n° {i}",
            lat=communes[i % len(communes)].lat + (i % 7) * 0.002,
            lon=communes[i % len(communes)].lon + (i % 5) * 0.002,
        )
        for i in range(MANY_SERVICES)
    )
    for village in (match, no_fibre, far):
        toulouse = next(r for r in village.travel_times() if r["city"] == "Toulouse")
        village.toulouse_minutes = toulouse["minutes"]
    assert match.toulouse_minutes <= 60 and no_fibre.toulouse_minutes <= 60 < far.toulouse_minutes
    return {"match": match, "no_fibre": no_fibre, "far": far, "offers": offers}


def map_loads(page: Page) -> int:
    return int(page.locator("#carte").get_attribute("data-loads") or 0)


def wait_for_map_load(page: Page, after: int) -> None:
    page.wait_for_function(
        "(after) => Number(document.getElementById('carte').dataset.loads) > after", arg=after
    )


def assert_no_axe_violations(page: Page, where: str) -> None:
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert violations == [], f"{where}\n{violations_report(violations)}"


def open_first_popup(page: Page, kind: str) -> None:
    """As a keyboard user: open clusters with Enter until a marker of `kind` stands alone, then open it."""
    pin = f".leaflet-marker-pane .map-pin-{kind}"
    for _ in range(8):
        if page.locator(pin).count():
            break
        loads = map_loads(page)
        page.locator(".leaflet-marker-pane .marker-cluster").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_function(
            """([after, pin]) => Number(document.getElementById('carte').dataset.loads) > after
                || document.querySelector(pin) !== null""",
            arg=[loads, pin],
        )
    marker = page.locator(pin).first
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup .map-popup-title")).to_be_focused()


def test_journey_one_search_from_the_map_to_a_housing_offer(site: str, page: Page, console, network, journey):
    match, far = journey["match"], journey["far"]
    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")
    expect(page.locator("#result-count")).to_have_text("3 villages d'accueil, 3 offres de logement.")
    # The map shows the villages and offers of the whole Gers.
    assert page.locator("#carte").get_attribute("data-count") == "6"

    # Filter: fibre, a primary school, at most an hour from Toulouse.
    loads = map_loads(page)
    page.get_by_label("Fibre disponible").check()
    page.get_by_label("Une école primaire dans la commune").check()
    page.get_by_label("Temps de trajet maximal").select_option("60")
    expect(page.get_by_label("Vers la ville")).to_have_value("Toulouse")

    status = page.get_by_role("status").filter(has_text="village")
    expect(status).to_have_text("1 village d'accueil, 1 offre de logement.")
    results = page.locator("#map-results")
    expect(results.get_by_role("link", name=match.commune.name, exact=True)).to_be_visible()
    expect(results.get_by_role("link", name=far.commune.name, exact=True)).to_have_count(0)
    expect(results).to_contain_text(f"≈ {match.toulouse_minutes} min de Toulouse (estimation)")
    # The address can be shared: the filters are in it.
    expect(page).to_have_url(re.compile(r"fibre=1.*school=1.*max_minutes=60.*city=Toulouse"))
    # The map follows the same filters: the village and its offer.
    wait_for_map_load(page, loads)
    page.wait_for_function("() => document.getElementById('carte').dataset.count === '2'")

    # The results list, filtered, has no accessibility violation.
    assert_no_axe_violations(page, "/fr/carte/ filtered list")

    # A village from the list, then a housing offer from the village page.
    results.get_by_role("link", name=match.commune.name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/fr/villages/{match.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(match.commune.name)
    page.get_by_role("link", name="Maison avec atelier").click()
    expect(page).to_have_url(re.compile(rf"/fr/logements/{journey['offers'][match.pk].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Maison avec atelier")

    assert console.errors == [], "\n".join(console.errors)
    assert network.blocked == [], "\n".join(network.blocked)


def test_the_map_page_with_a_popup_open_has_no_accessibility_violation(
    site: str, page: Page, console, network, journey
):
    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")

    open_first_popup(page, "village")

    popup = page.locator(".leaflet-popup")
    expect(popup.get_by_role("heading", level=3)).to_be_visible()
    expect(popup.get_by_role("link", name=re.compile("Voir la page du village"))).to_be_visible()
    expect(popup.get_by_role("button", name="Fermer la bulle")).to_be_attached()
    assert_no_axe_violations(page, "/fr/carte/ with a popup open")
    assert console.errors == [], "\n".join(console.errors)
    assert network.blocked == [], "\n".join(network.blocked)


def test_escape_closes_the_popup_and_focus_returns_to_its_marker(site: str, page: Page, console, journey):
    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")
    open_first_popup(page, "housing")
    expect(page.locator(".leaflet-popup")).to_contain_text("780 € par mois")

    page.keyboard.press("Escape")

    expect(page.locator(".leaflet-popup")).to_have_count(0)
    focused = page.evaluate("() => document.activeElement.className")
    assert "map-pin-housing" in focused, focused
    assert console.errors == []


def test_service_layers_show_hundreds_of_markers_clustered(site: str, page: Page, console, journey):
    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")
    loads = map_loads(page)

    page.get_by_text("Services de proximité").click()
    page.get_by_label("Boulangerie", exact=True).check()
    page.get_by_label("Médecin", exact=True).check()
    wait_for_map_load(page, loads)

    count = int(page.locator("#carte").get_attribute("data-count"))
    assert count == 6 + 2 * MANY_SERVICES // 3
    # Markercluster groups them: far fewer icons in the page than points.
    icons = page.locator(".leaflet-marker-pane .leaflet-marker-icon").count()
    assert 0 < icons < count
    expect(page.locator("#map-status")).to_contain_text(f"{count} éléments affichés sur la carte.")
    assert console.errors == []


def test_the_first_load_weighs_less_than_600_kb_without_tiles(site: str, page: Page, journey, capsys):
    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")
    page.wait_for_load_state("networkidle")

    sizes = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType("navigation")[0];
          const rows = performance.getEntriesByType("resource")
            .filter((r) => !r.name.includes("tile.test.invalid"))
            .map((r) => [r.name, r.decodedBodySize]);
          return [["document", nav.decodedBodySize], ...rows];
        }"""
    )
    total = sum(size for _name, size in sizes)
    with capsys.disabled():
        print(f"\n/fr/carte/ first load without tiles: {total / 1024:.0f} KB in {len(sizes)} responses")
    assert total <= MAX_FIRST_LOAD_BYTES, "\n".join(f"{size:>8} {name}" for name, size in sizes)


def test_the_map_page_fits_a_375_pixel_phone(site: str, guarded_context, journey):
    page = guarded_context(viewport={"width": 375, "height": 740}).new_page()
    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")

    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    open_first_popup(page, "village")
    box = page.locator(".leaflet-popup").bounding_box()
    carte = page.locator("#carte").bounding_box()
    assert box["x"] >= carte["x"] and box["x"] + box["width"] <= carte["x"] + carte["width"] + 1


def test_back_after_filtering_reloads_a_working_map(site: str, page: Page, console, journey):
    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")
    page.get_by_label("Fibre disponible").check()
    expect(page.locator("#result-count")).to_have_text("2 villages d'accueil, 2 offres de logement.")
    expect(page).to_have_url(re.compile(r"fibre=1"))

    page.go_back()

    expect(page).not_to_have_url(re.compile(r"fibre=1"))
    page.wait_for_function("() => window.mapReady === true")
    expect(page.get_by_label("Fibre disponible")).not_to_be_checked()
    expect(page.locator("#result-count")).to_have_text("3 villages d'accueil, 3 offres de logement.")
    expect(page.locator("#carte .leaflet-marker-icon").first).to_be_visible()
    assert console.errors == []


def test_more_than_500_points_arrive_as_server_clusters_that_zoom_in(site: str, page: Page, console, journey):
    commune = journey["far"].commune
    Service.objects.bulk_create(
        Service(
            commune=commune,
            category=Category.GROCERY,
            name=f"Épicerie {i}",
            lat=commune.lat + (i % 25) * 0.004,
            lon=commune.lon + (i // 25) * 0.004,
        )
        for i in range(520)
    )
    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")
    loads = map_loads(page)
    page.get_by_text("Services de proximité").click()
    page.get_by_label("Épicerie", exact=True).check()
    wait_for_map_load(page, loads)

    expect(page.locator("#map-status")).to_contain_text("regroupés par secteur")
    cluster = page.get_by_role("button", name=re.compile(r"Groupe de \d+ éléments : zoomer")).first
    expect(cluster).to_be_visible()
    zoom = page.evaluate("() => window.carte.map.getZoom()")
    loads = map_loads(page)
    cluster.focus()
    page.keyboard.press("Enter")
    wait_for_map_load(page, loads)
    assert page.evaluate("() => window.carte.map.getZoom()") > zoom
    assert console.errors == []


def test_paging_the_list_keeps_focus_on_the_results(site: str, page: Page, console, journey):
    communes = Commune.objects.of_territory(journey["match"].territory).exclude(village__isnull=False)
    for commune in communes.order_by("code")[:25]:
        Village.objects.create(
            territory=commune.territory, commune=commune, slug=commune.code, status="published"
        )
    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")

    page.get_by_role("navigation", name="Pages des villages").get_by_role(
        "link", name="Page suivante"
    ).click()

    expect(page.get_by_role("navigation", name="Pages des villages")).to_contain_text("Page 2 sur 2")
    expect(page.locator("#villages-title")).to_be_focused()
    expect(page).to_have_url(re.compile(r"page=2"))
    assert console.errors == []


def test_every_keyboard_stop_of_the_map_page_shows_focus(site: str, page: Page, journey):
    from .test_accessibility import FOCUS_STYLE

    page.goto(site + "/fr/carte/")
    page.wait_for_function("() => window.mapReady === true")
    stops = []
    for _ in range(150):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STYLE)
        if stop is None or (stops and stop == stops[0]):
            break
        stops.append(stop)
    hidden = [s["element"] for s in stops if not (s["outline"] or s["shadow"])]
    assert hidden == [], f"no visible focus indicator on {hidden}"
    reached = " ".join(s["element"] for s in stops)
    for part in [
        "input",
        "select",
        "summary",
        "div.map",
        "div.leaflet-marker-icon",
        "a.leaflet-control-zoom-in",
    ]:
        assert part in reached, f"{part} not reached with Tab: {reached}"
