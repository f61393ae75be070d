"""Journey 6 of the design, in Chromium: a committee member of a published village logs in, goes to
"Mes villages", adds a house with a photo and publishes it; an anonymous visitor then finds it on
/fr/carte/, in the results list and on the map, and its page shows the photo with its description.

(tests/housing/test_browser.py covers the offer's edit form and its error state; this test follows
the whole journey, from the committee's pages to the public map.)
"""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from shapely.geometry import shape

from sohosolo.housing.models import HousingOffer, HousingStatus
from sohosolo.territories.models import Commune
from sohosolo.territories.services import commune_at_point
from sohosolo.villages.models import Village
from tests.browser.conftest import ConsoleLog
from tests.villages.factories import committee_member

from .test_village_pages import COMMITTEE_EMAIL, assert_clean, assert_no_axe_violations, log_in, serve_media

pytestmark = pytest.mark.browser

TITLE = "Maison gasconne avec jardin et atelier"
PHOTO_ALT = "La façade en pierre et le jardin clos"


@pytest.fixture
def lavardens(gers_live) -> Village:
    commune = Commune.objects.get(code="32204")
    village = Village.objects.create(
        territory=gers_live,
        commune=commune,
        slug="lavardens",
        status="published",
        presentation_fr="Lavardens, son château et ses coteaux.",
    )
    committee_member(village, email=COMMITTEE_EMAIL, first_name="Jeanne")
    return village


def point_inside(commune: Commune) -> tuple[float, float]:
    """A point of the commune away from its centre, as a committee member would type it (lat, lon)."""
    outline = shape(commune.boundary)
    centre = outline.centroid
    inner = outline.representative_point()
    # Halfway between the centre and another inner point: inside, yet not the village's own marker.
    lat, lon = round((centre.y + inner.y) / 2, 5), round((centre.x + inner.x) / 2, 5)
    assert commune_at_point(lat=lat, lon=lon, territory=commune.territory) == commune
    return lat, lon


def small_jpeg(path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (178, 120, 74)).save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())


def test_journey_six_a_committee_adds_a_house_with_a_photo_and_it_appears_on_the_map(
    site: str, page: Page, console: ConsoleLog, network, guarded_context, lavardens, tmp_path
):
    lat, lon = point_inside(lavardens.commune)
    photo = tmp_path / "maison.jpg"
    small_jpeg(photo)

    serve_media(page)

    # The committee member logs in and opens "Mes villages" from the main navigation.
    log_in(page, site, COMMITTEE_EMAIL)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mes villages"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes villages")
    page.get_by_role("link", name="Ajouter un logement – Lavardens").click()

    # The new offer's form, already set on their village.
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle offre de logement")
    village_choice = page.get_by_role("combobox", name="Village", exact=True)
    expect(village_choice).to_have_value(str(lavardens.pk))
    expect(village_choice).to_have_accessible_name("Village")
    assert_no_axe_violations(page, "new housing offer form")
    page.get_by_label("Type de bien").select_option("house")
    page.get_by_role("radio", name="Location", exact=True).check()
    page.get_by_role("textbox", name="Titre", exact=True).fill(TITLE)
    page.get_by_label("Description", exact=True).fill("Quatre pièces, un atelier lumineux, la fibre.")
    page.get_by_label("Prix (€)").fill("750")
    page.get_by_label("Surface (m²)").fill("120")
    page.get_by_label("Nombre de pièces").fill("4")
    page.get_by_label("Latitude (facultatif)").fill(str(lat))
    page.get_by_label("Longitude (facultatif)").fill(str(lon))
    page.get_by_label("Ajouter une photo").set_input_files(photo)
    page.get_by_label("Description de la photo (texte alternatif)").fill(PHOTO_ALT)
    page.get_by_role("button", name="Enregistrer et publier").click()

    expect(page.get_by_role("status")).to_contain_text("Offre publiée : elle est en ligne pour 60 jours.")
    expect(page).to_have_url(re.compile(r"/fr/suivi/logements/\d+/$"))
    offer = HousingOffer.objects.get(title_fr=TITLE)
    assert offer.status == HousingStatus.PUBLISHED and offer.village == lavardens
    assert offer.kind == "house" and offer.transaction == "rent" and offer.price == 750
    assert offer.surface_m2 == 120
    assert commune_at_point(lat=offer.lat, lon=offer.lon, territory=lavardens.territory) == lavardens.commune
    assert [p.alt_text for p in offer.photos.all()] == [PHOTO_ALT]

    # An anonymous visitor, in another browser, opens the map.
    visitor = guarded_context().new_page()
    serve_media(visitor)
    visitor_console = ConsoleLog().watch(visitor)
    with visitor.expect_response(lambda r: "/api/v1/map" in r.url) as answer:
        visitor.goto(site + "/fr/carte/")
    assert answer.value.status == 200
    items = answer.value.json()["items"]
    ours = [item for item in items if item[0] == offer.pk and item[3] == "housing"]
    assert len(ours) == 1, items
    label = ours[0][4]  # the title, shortened to keep each feature compact
    assert TITLE.startswith(label.rstrip("…")), label
    visitor.wait_for_function("() => window.mapReady === true")

    # In the results list, by its title, with a link to its page.
    results = visitor.locator("#map-results")
    expect(results.get_by_role("link", name=TITLE, exact=True)).to_be_visible()

    # On the map: its marker, or the cluster holding it, is drawn in Leaflet's marker pane.
    key = f"housing:{offer.pk}"
    visitor.wait_for_function(
        """(key) => {
          const marker = window.carte.markers.get(key);
          const shown = marker && window.carte.cluster.getVisibleParent(marker);
          const icon = shown && shown.getElement && shown.getElement();
          return Boolean(icon && icon.closest(".leaflet-marker-pane"));
        }""",
        arg=key,
    )
    # Zoomed in to it, the marker stands alone, named by the offer's title, and opens its popup.
    visitor.evaluate("(key) => window.carte.cluster.zoomToShowLayer(window.carte.markers.get(key))", arg=key)
    pin = visitor.locator(".leaflet-marker-pane .map-pin-housing")
    expect(pin).to_have_count(1)
    expect(pin).to_have_attribute("title", f"{label} (Logements)")
    expect(pin).to_be_visible()
    pin.focus()
    visitor.keyboard.press("Enter")
    popup = visitor.locator(".leaflet-popup")
    expect(popup.get_by_role("heading", level=3)).to_have_text(TITLE)
    expect(popup).to_contain_text("750 € par mois")

    # The offer's page shows the photo, described by its alternative text.
    visitor.goto(site + f"/fr/logements/{offer.pk}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    image = visitor.get_by_role("img", name=PHOTO_ALT)
    expect(image).to_be_visible()
    assert image.evaluate("(img) => img.complete && img.naturalWidth > 0"), "the photo did not load"

    assert_clean(console, network)
    assert_clean(visitor_console, network)
