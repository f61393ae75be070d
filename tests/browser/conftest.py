"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live_server.

Every request leaving the browser is checked: the live server (loopback) is reached, map tiles get a
blank PNG, anything else is aborted and recorded so a test can fail on it. Run only these tests with
`pytest -m browser`, skip them with `-m "not browser"`.
"""

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, Route

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in containers
    "--disable-gpu",
    # Without these Chromium floods a closed network with background requests (recipes.md).
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
# Every map tile: a 256x256 PNG (103 bytes) the colour of OpenStreetMap's land, #f2efe9. A 1x1 image
# would do for the tests, but Chromium blurs its edges when it stretches it and the screenshots band.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAQAAAAEAAQMAAABmvDolAAAAA1BMVEXy7+kRCi+bAAAAH0lEQVR42u3BAQ0AAADCoPdPbQ43oAAAAAAAAAAAvg0hAAABYOSdlwAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="session")
def base_url() -> None:
    """Replace pytest-playwright's fallback fixture: defined as a plugin instance method, it raises
    PytestRemovedIn10Warning under pytest 9, an error with `filterwarnings = error`. Tests build
    absolute URLs from the `site` fixture instead."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium (`playwright install` cannot download browsers here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `apt-get install chromium` or set PLAYWRIGHT_CHROMIUM_PATH"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Every context: a French browser. The viewport stays Playwright's 1280x720 desktop default; a
    context that needs another passes its own (a key set here could not be overridden)."""
    return {**browser_context_args, "locale": "fr-FR"}


@dataclass
class Network:
    """What the browser asked for outside the live server."""

    tiles: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def guard(self, context: BrowserContext) -> BrowserContext:
        tile_host = urlsplit(settings.MAP_TILE_URL).hostname

        def handle(route: Route) -> None:
            url = route.request.url
            host = urlsplit(url).hostname
            if host in LOOPBACK_HOSTS:
                route.continue_()
            elif host == tile_host:
                self.tiles.append(url)
                route.fulfill(status=200, content_type="image/png", body=TILE_PNG)
            else:
                self.blocked.append(url)
                route.abort("blockedbyclient")

        context.route("**/*", handle)
        return context


@pytest.fixture
def network() -> Network:
    return Network()


@pytest.fixture
def guarded_context(new_context, network: Network):
    """Make more contexts (another viewport, reduced motion…) under the same network rules."""

    def make(**kwargs) -> BrowserContext:
        return network.guard(new_context(**kwargs))

    return make


@pytest.fixture
def context(guarded_context) -> BrowserContext:
    """pytest-playwright's context, with every non-loopback request stubbed (tiles) or blocked."""
    return guarded_context()


@dataclass
class ConsoleLog:
    """Console errors (CSP reports « Refused to … » among them) and uncaught exceptions of a page."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> "ConsoleLog":
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        return self

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.errors.append(f"{message.text} [{where}]" if where else message.text)

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught {error.name}: {error.message}")


@pytest.fixture
def console(page: Page) -> ConsoleLog:
    """The console of the `page` fixture, listened to before the test navigates anywhere."""
    return ConsoleLog().watch(page)


@pytest.fixture
def gers_live(transactional_db):
    """The sample territories and the 458 Gers communes with boundaries (about 1 s).

    live_server serves another thread, so the data must be committed: pytest-django gives tests that
    use live_server a transactional database, flushed after each test.
    """
    from django.core.cache import cache

    from sohosolo.territories.models import Territory
    from sohosolo.territories.services import communes_import_geojson, territories_load_sample

    territories_load_sample()
    territory = Territory.objects.get(slug="gers")
    report = communes_import_geojson(
        path=Path(settings.BASE_DIR) / "data" / "gers-communes.geojson", territory=territory
    )
    assert report.created == 458 and not report.errors, report.summary()
    cache.clear()  # territory table and figures computed before the import
    return territory


@pytest.fixture
def site(live_server, gers_live) -> str:
    """Base URL of the live server on host `localhost`, which the default territory (gers) serves."""
    url = urlsplit(live_server.url)
    return f"http://localhost:{url.port}"
