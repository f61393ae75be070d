"""axe-core finds no WCAG 2.1 A/AA violation on the public pages, in French and English.

Each page must also load without console errors (Chromium reports CSP violations there as
« Refused to … ») and without requests leaving the live server other than map tiles.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
MAP_PAGES = {"/fr/communes/32013/", "/en/communes/32013/"}
NOT_FOUND = "/fr/cette-page-n-existe-pas/"

PAGES = [
    "/fr/",
    "/en/",
    "/fr/communes/",
    "/en/communes/",
    "/fr/communes/32013/",
    "/en/communes/32013/",
    "/fr/mentions-legales/",
    "/fr/confidentialite/",
    "/fr/accessibilite/",
    "/fr/compte/connexion/",
    NOT_FOUND,
]


def violations_report(violations: list[dict]) -> str:
    """One block per rule, one line per element: enough to find and fix it without rerunning."""
    lines = [f"{len(violations)} axe violation(s):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = node.get("failureSummary", "").replace("\n", " ").strip()
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("path", PAGES)
def test_page_is_accessible_and_clean(path: str, site: str, page: Page, console, network, axe: Axe):
    response = page.goto(site + path)
    assert response is not None
    expected_status = 404 if path == NOT_FOUND else 200
    assert response.status == expected_status, f"{path} answered {response.status}"
    if path in MAP_PAGES:
        page.wait_for_function("() => window.mapReady === true")
    page.wait_for_load_state("load")

    results = axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert violations == [], f"{path}\n{violations_report(violations)}"

    errors = console.errors
    if path == NOT_FOUND:
        # Chromium logs the 404 status of the document itself: expected here, and only for it.
        errors = [e for e in errors if not ("status of 404" in e and NOT_FOUND in e)]
    assert errors == [], f"{path}: console errors or CSP violations:\n" + "\n".join(errors)
    assert network.blocked == [], f"{path}: requests outside the live server:\n" + "\n".join(network.blocked)


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const name = (el.getAttribute("aria-label") || el.getAttribute("alt") || el.textContent || "").trim();
  return {
    element: `${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).split(" ")[0] : ""} « ${name.slice(0, 40)} »`,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none",
  };
}"""


@pytest.mark.parametrize("path", ["/fr/", "/fr/communes/32013/"])
def test_keyboard_focus_is_always_visible(path: str, site: str, page: Page):
    """Tab through the whole page: the first stop is the skip link, every stop shows a focus ring."""
    page.goto(site + path)
    if path in MAP_PAGES:
        page.wait_for_function("() => window.mapReady === true")
    stops = []
    for _ in range(100):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STYLE)
        if stop is None or (stops and stop == stops[0]):
            break
        stops.append(stop)
    assert stops and stops[0]["element"].startswith("a.skip-link"), stops[:1]
    hidden = [s["element"] for s in stops if not (s["outline"] or s["shadow"])]
    assert hidden == [], f"{path}: no visible focus indicator on {hidden}"
    if path in MAP_PAGES:
        # The map, its marker and its zoom buttons are reachable from the keyboard.
        reached = " ".join(s["element"] for s in stops)
        for part in ["div.map", "img.leaflet-marker-icon", "a.leaflet-control-zoom-in"]:
            assert part in reached, f"{part} not reached with Tab: {reached}"
