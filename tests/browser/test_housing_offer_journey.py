"""In Chromium: a committee member adds a house with a photo, it is online at once, and the pages
(committee form with an error, public offer with its map) have no axe-core WCAG 2.1 A/AA violation.

Run with `pytest -m browser`. Uploaded media are not served by the live server: their 404s, and the
400 of the page answering the form error, are the only console errors tolerated.
"""

import base64
import os
import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from sohosolo.housing.models import HousingOffer, HousingStatus
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.housing.factories import jpeg_with_gps

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_PATH", "/usr/bin/chromium")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAQAAAAEAAQMAAABmvDolAAAAA1BMVEXy7+kRCi+bAAAAH0lEQVR42u3BAQ0AAADCoPdPbQ43oAAAAAAAAAAAvg0hAAABYOSdlwAAAABJRU5ErkJggg=="
)


@pytest.fixture
def page(context) -> Page:
    """Only the live server is reached; tiles get a blank image, anything else is refused."""
    tile_host = urlsplit(settings.MAP_TILE_URL).hostname

    def handle(route):
        host = urlsplit(route.request.url).hostname
        if host in {"localhost", "127.0.0.1"}:
            route.continue_()
        elif host == tile_host:
            route.fulfill(status=200, content_type="image/png", body=TILE_PNG)
        else:
            route.abort("blockedbyclient")

    context.route("**/*", handle)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(f"uncaught {e}"))
    return page


@pytest.fixture
def village(transactional_db):
    from django.core.cache import cache

    from sohosolo.territories.services import territories_load_sample
    from tests.villages.factories import VillageFactory

    territories = {t.slug: t for t, _ in territories_load_sample()}
    cache.clear()
    return VillageFactory(commune__territory=territories["gers"], commune__name="Lavardens")


@pytest.fixture
def committee(village):
    from tests.villages.factories import committee_member

    return committee_member(village, email="comite@lavardens.fr")


@pytest.fixture
def site(live_server) -> str:
    return f"http://localhost:{urlsplit(live_server.url).port}"


def assert_accessible(page: Page, where: str) -> None:
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    report = [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert violations == [], f"{where}: {report}"


def test_a_committee_member_adds_a_house_with_a_photo_and_it_is_online_at_once(
    site: str, page: Page, committee, village, tmp_path
):
    photo = tmp_path / "IMG_0001.JPG"
    photo.write_bytes(jpeg_with_gps(size=(800, 600)))
    page.goto(site + "/fr/compte/connexion/")
    page.get_by_label("Courriel").fill(committee.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Connexion").click()

    page.goto(site + "/fr/suivi/logements/nouvelle/")
    page.get_by_label("Type de bien").select_option("house")
    page.get_by_role("radio", name="Location", exact=True).check()
    page.get_by_role("textbox", name="Titre", exact=True).fill("Maison de bourg avec jardin")
    page.get_by_label("Prix (€)").fill("780")
    page.get_by_label("Surface (m²)").fill("110")
    page.get_by_label("Ajouter une photo").set_input_files(photo)
    page.get_by_label("Description de la photo (texte alternatif)").fill("La façade et le jardin")
    page.get_by_role("button", name="Enregistrer et publier").click()

    expect(page.get_by_text("Offre publiée")).to_be_visible()
    offer = HousingOffer.objects.get()
    assert offer.status == HousingStatus.PUBLISHED and offer.photos.count() == 1
    assert_accessible(page, "edit page")

    # A mistake on the edit form: the error is announced, tied to the field, the rest kept.
    page.get_by_role("textbox", name="Titre", exact=True).fill("")
    page.get_by_label("Prix (€)").fill("820")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_role("alert")).to_contain_text("Titre")
    expect(page.get_by_role("textbox", name="Titre", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Prix (€)")).to_have_value("820")
    assert_accessible(page, "edit page with an error")

    page.get_by_role("link", name="Voir l'offre en ligne").click()
    page.wait_for_function("() => window.mapReady === true")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maison de bourg avec jardin")
    expect(page.get_by_role("img", name="La façade et le jardin")).to_be_attached()
    assert page.locator(".leaflet-overlay-pane path").count() == 1  # the approximate circle
    assert page.locator(".leaflet-marker-icon").count() == 0  # never a pin on the house
    assert_accessible(page, "public offer page")
    # Expected: the 400 of the page with the form error, the 404s of media the live server does not serve.
    unexpected = [e for e in page.errors if not re.search(r"status of 40[04]", e)]
    assert unexpected == []
