"""The commune map: Leaflet draws the boundary and the town-hall marker, beside a text alternative."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_commune_map_renders(site: str, page: Page, console, network):
    page.goto(site + "/fr/communes/32013/")
    page.wait_for_function("() => window.mapReady === true")

    region = page.get_by_role("region", name="Carte de la commune Auch")
    expect(region).to_be_visible()
    expect(region).to_have_class(re.compile(r"\bleaflet-container\b"))
    # The boundary: one SVG path in the overlay pane, with a real size.
    boundary = region.locator(".leaflet-overlay-pane path")
    expect(boundary).to_have_count(1)
    box = boundary.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 50, box
    # The town-hall marker: an image button named after the town hall, its icon served by us.
    marker = region.locator(".leaflet-marker-pane img.leaflet-marker-icon")
    expect(marker).to_have_count(1)
    expect(marker).to_be_visible()
    expect(marker).to_have_attribute("alt", re.compile("Auch"))
    expect(marker).to_have_attribute("src", re.compile(r"/static/vendor/leaflet/images/marker-icon"))
    assert marker.evaluate("(img) => img.complete && img.naturalWidth > 0"), "marker icon did not load"
    # Tiles came from the stub, never from the network.
    expect(region.locator("img.leaflet-tile-loaded").first).to_be_attached()
    assert network.tiles, "no tile was requested"
    assert network.blocked == []

    alternative = page.locator("#map-text")
    expect(alternative).to_be_visible()
    expect(alternative).to_contain_text("Alternative textuelle")
    expect(alternative).to_contain_text("Auch")
    expect(alternative).to_contain_text("Un marqueur indique la mairie.")
    expect(region).to_have_attribute("aria-describedby", "map-text")
    assert console.errors == []


def test_town_hall_popup_opens_from_the_keyboard(site: str, page: Page, console):
    page.goto(site + "/fr/communes/32013/")
    page.wait_for_function("() => window.mapReady === true")
    marker = page.locator(".leaflet-marker-icon")
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Auch")
    assert console.errors == []
