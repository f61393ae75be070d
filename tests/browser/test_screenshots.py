"""Full-page screenshots on a phone and a desktop, for people to look at (not compared).

Saved to $SCREENSHOT_DIR (default /tmp/shots). The only assertion: no page scrolls sideways.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import ConsoleLog

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shots"))
PAGES = {"home": "/fr/", "commune": "/fr/communes/32013/"}
DEVICES = {
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


@pytest.mark.parametrize("form_factor", DEVICES)
@pytest.mark.parametrize("name", PAGES)
def test_screenshot(form_factor: str, name: str, site: str, guarded_context):
    # Reduced motion: the map draws its tiles without fading in, so the picture is complete.
    context = guarded_context(**DEVICES[form_factor], device_scale_factor=2, reduced_motion="reduce")
    page = context.new_page()
    console = ConsoleLog().watch(page)
    page.goto(site + PAGES[name])
    if page.locator("[data-map]").count():
        page.wait_for_function("() => window.mapReady === true")
        expect(page.locator(".leaflet-tile-container img").first).to_be_attached()
        expect(page.locator(".leaflet-tile-container img:not(.leaflet-tile-loaded)")).to_have_count(0)
    page.wait_for_load_state("load")

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{form_factor}-{name}.png", full_page=True)

    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{form_factor} {name}: the page scrolls sideways by {overflow}px"
    assert console.errors == []
