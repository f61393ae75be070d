#!/usr/bin/env python3
"""`make bench`: throughput of the home page, the public API and the map endpoint, as a ratio of a bare
Django view (R0), and the map page's longest main-thread task in Chromium.

Production-like settings (config.settings.bench) on a SQLite database of its own (.bench/), the same
gunicorn command for every server (4 sync workers on a free loopback port), `wrk -t2 -c32 -d10s`
per case after a warm-up; the cases alternate over three rounds (`--rounds`) and the medians are kept.
The map cases read 20,000 services spread over the communes of mainland France (a bench territory,
bench.localhost, generated once and kept in .bench/); "no page cache" cases are served by a second
gunicorn started with PAGE_CACHE_ENABLED=False, so every request reaches the view and the database.
The load generator shares the machine's cores: compare only figures taken in the same run.
It prints tables and the targets; it does not fail when a target is missed.
Stops only the gunicorn processes and the browser it started, by their PID.
"""

import argparse
import base64
import csv
import hashlib
import io
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BASE = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE / ".bench"
WORKERS = 4
HOST_HEADER = "gers.localhost"

# The map benchmark's data: a territory of its own, served on its own host name.
BENCH_TERRITORY = "bench"
BENCH_HOST = "bench.localhost"
BENCH_SERVICES = 20_000
BENCH_SEED = 20_000
JITTER_DEGREES = 0.01  # ≈ 1 km around the commune's centre
# Around Lyon at zoom 11, the box carte.js asks for with a map of about 1,100 × 700 px (it pads its view
# by 10 % on each side): a few hundred points, below the 500 above which the endpoint clusters.
POINTS_QUERY = {"bbox": "4.4,45.55,5.3,45.95", "zoom": "11", "layers": "services"}
# Mainland France at zoom 6: every service in view, answered as grid clusters.
CLUSTERS_QUERY = {"bbox": "-5.5,41.2,9.8,51.3", "zoom": "6", "layers": "services"}
MAP_POINTS = "/api/v1/map?" + urlencode(POINTS_QUERY)
MAP_CLUSTERS = "/api/v1/map?" + urlencode(CLUSTERS_QUERY)
BYTES_PER_FEATURE_TARGET = 120
LONG_TASK_TARGET_MS = 200


@dataclass(frozen=True)
class Server:
    settings: str
    env: dict = field(default_factory=dict)
    probe: str = "/robots.txt"  # a cheap page, no database: answers at once when the workers are idle


SERVERS = {
    "hello": Server("config.bench_hello", probe="/"),
    "app": Server("config.settings.bench"),
    "nocache": Server("config.settings.bench", {"PAGE_CACHE_ENABLED": "False"}),
}


@dataclass(frozen=True)
class Case:
    name: str
    server: str
    path: str
    host: str
    target: float | None  # a share of R0; None for R0 itself


CASES = [
    Case("R0 hello (no middleware, no db)", "hello", "/", HOST_HEADER, None),
    Case("home /fr/", "app", "/fr/", HOST_HEADER, 0.50),
    Case("API /api/v1/communes?territory=gers", "app", "/api/v1/communes?territory=gers", HOST_HEADER, 0.40),
    Case("map points, no page cache", "nocache", MAP_POINTS, BENCH_HOST, 0.30),
    Case("map clusters, no page cache", "nocache", MAP_CLUSTERS, BENCH_HOST, 0.30),
    Case("map points, page cache", "app", MAP_POINTS, BENCH_HOST, 0.70),
    Case("map clusters, page cache", "app", MAP_CLUSTERS, BENCH_HOST, 0.70),
]
LUA = """\
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%.0f p95_us=%.0f p99_us=%.0f status_errors=%d socket_errors=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""
# Counts the SQL queries of one warm request per page, in-process, with the benchmark's settings and
# the page cache off (a cache hit makes none). Arguments: "host path" pairs.
QUERY_COUNT = """
import sys, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.conf import settings
fast = "sohosolo.maps.middleware.MapFastPathMiddleware" in settings.MIDDLEWARE
print(f"  the map endpoint's short way through the middleware (sohosolo.maps.middleware): {'on' if fast else 'OFF'}")
for pair in sys.argv[1:]:
    host, path = pair.split(" ", 1)
    client = Client(HTTP_HOST=host)
    client.get(path)  # warm: caches, templates
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    print(f"  {host}{path}: HTTP {status}, {len(queries)} SQL queries per warm request")
    for q in queries.captured_queries:
        print(f"      {q['sql'][:150]}")
"""

# --- Chromium: the map page with 20,000 points in play ---------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A transparent 1×1 PNG for every map tile: no outside network, almost no decoding.
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
# Installed before the page's own scripts: every main-thread task over 50 ms, from the start.
LONG_TASK_OBSERVER = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
  }
}).observe({ type: "longtask", buffered: true });
"""
# Ten pans and zooms through the page's Leaflet map (window.carte.map): from France to a city and back.
MOVES = [
    ("setView", [[45.76, 4.84], 8]),  # Lyon's region: clusters
    ("setZoom", [10]),
    ("setZoom", [11]),  # a few hundred points
    ("panBy", [[400, 0]]),
    ("panBy", [[0, 300]]),
    ("setZoom", [12]),
    ("panBy", [[-500, -200]]),
    ("setView", [[43.60, 1.44], 11]),  # Toulouse
    ("setZoom", [9]),
    ("setZoom", [6]),  # all of France again: clusters
]
MOVE_JS = """([method, args]) => {
  const map = window.carte.map;
  if (method === "setView") map.setView(args[0], args[1]);
  else if (method === "setZoom") map.setZoom(args[0]);
  else map.panBy(args[0]);
}"""
LOADS_JS = "() => Number(document.querySelector('[data-carte]').dataset.loads || 0)"
LOADED_JS = "(n) => Number(document.querySelector('[data-carte]').dataset.loads || 0) > n"
# Markercluster adds markers in chunks on later tasks: let them run before the next move.
SETTLE_JS = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300))))"
ALL_LAYERS_JS = """() => {
  const box = document.getElementById("map-layers");
  for (const input of box.querySelectorAll("input[type=checkbox]")) input.checked = true;
  box.dispatchEvent(new Event("change", { bubbles: true }));
}"""
STATE_JS = """() => {
  const element = document.querySelector("[data-carte]");
  return {
    zoom: window.carte.map.getZoom(),
    count: Number(element.dataset.count || 0),
    markers: element.querySelectorAll(".leaflet-marker-icon").length,
  };
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_command(command: str, package: str, home: str) -> str:
    """The path of ``command``, installed from Debian's ``package`` through apt when missing."""
    found = shutil.which(command)
    if found:
        return found
    if not shutil.which("apt-get"):
        sys.exit(f"bench: {command} is missing; install it ({home}) and run again.")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "--no-install-recommends", package], check=True, env=env
    )
    return shutil.which(command) or sys.exit(f"bench: {command} still missing after apt-get install")


def ensure_wrk() -> str:
    return ensure_command("wrk", "wrk", "https://github.com/wg/wrk")


def bench_env(settings: str, extra: dict | None = None) -> dict:
    env = {name: value for name, value in os.environ.items() if name != "CACHE_URL"}  # only what we say
    env.update({
        "DJANGO_SETTINGS_MODULE": settings,
        # Safe, local-only values: this database and key serve nothing but the benchmark.
        "SECRET_KEY": "bench-only-not-secret-4f9c2a7e1b8d3c6a5e0f9b2d7c4a1e8f3b6d9c2a5e",
        "ALLOWED_HOSTS": f"gers.localhost,landes.localhost,{BENCH_HOST},localhost,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}",
        "PYTHONPATH": str(BASE),
        **(extra or {}),
    })  # fmt: skip
    return env


def prepare() -> None:
    BENCH_DIR.mkdir(exist_ok=True)
    print(
        "bench: preparing .bench/bench.sqlite3 (migrate, communes, sample data, map data, static files)…",
        flush=True,
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--prepare-in-django"],
        cwd=BASE,
        env=bench_env("config.settings.bench"),
        check=False,
    )
    if result.returncode:
        sys.exit(f"bench: preparing the database failed (exit {result.returncode}): see the messages above.")
    print(f"bench: prepared in {time.monotonic() - started:.0f} s", flush=True)


# --- Preparation, inside Django (run as a subprocess with the bench settings) ----------------------


def prepare_in_django() -> int:
    import django

    django.setup()
    from django.core.management import call_command

    if run_setup_commands(call_command):
        return 1
    generate_map_data()
    analyze()
    collect_static_if_changed(call_command)
    return 0


def run_setup_commands(call_command) -> int:
    """Translations, migrations, communes and sample data, quietly; 1 (said on stderr) if one fails."""
    from django.core.management.base import CommandError

    quiet = io.StringIO()
    for command, options in [
        ("compile_translations", {}),
        ("migrate", {"interactive": False}),
        ("import_communes", {}),
        ("load_sample_data", {}),
    ]:
        try:
            call_command(command, stdout=quiet, **options)
        except CommandError as error:
            print(f"bench: `manage.py {command}` failed: {error}", file=sys.stderr)
            return 1
    return 0


def generate_map_data() -> None:
    """20,000 services over the communes of mainland France, in a bench territory; kept between runs.

    Communes not yet in the database (all but the sample territories') join a bench territory served on
    bench.localhost. Services are drawn with a fixed seed, more in populous communes (weight √population),
    at the commune's centre plus up to ±0.01° of jitter, in every category.
    """
    from django.db import transaction
    from django.utils import translation

    from sohosolo.core.text import search_key
    from sohosolo.services.models import Category, Service
    from sohosolo.territories.models import Commune, Territory

    with translation.override("fr"):  # the untranslated columns hold the French text
        territory, _created = Territory.objects.get_or_create(
            slug=BENCH_TERRITORY,
            defaults={
                "name": "Banc d'essai (France)",
                "hostnames": [BENCH_HOST],
                "description": "Territoire de test de charge : services générés, pas des données réelles.",
                "is_sample": True,
                "languages": ["fr"],
            },
        )
    present = Service.objects.filter(commune__territory=territory).count()
    if present == BENCH_SERVICES:
        print(f"bench: map data present ({present} services in {territory.communes.count()} communes)")
        return

    started = time.monotonic()
    with transaction.atomic():
        Service.objects.filter(commune__territory=territory).delete()
        taken = set(Commune.objects.filter(country="FR").values_list("code", flat=True))
        with open(BASE / "data" / "france-communes.csv", encoding="utf-8", newline="") as fh:
            rows = [
                row
                for row in csv.DictReader(fh)
                if row["insee"] not in taken and not row["departement"].startswith("97")  # mainland
            ]
        Commune.objects.bulk_create(
            (
                Commune(
                    country="FR",
                    code=row["insee"],
                    territory=territory,
                    name=row["name"],
                    search_name=search_key(row["name"]),
                    departement=row["departement"],
                    postcodes=row["postcodes"].split(),
                    population=int(row["population"]) if row["population"] else None,
                    epci_code=row["epci"],
                    lat=float(row["lat"]),
                    lon=float(row["lon"]),
                    min_lat=float(row["lat"]),
                    max_lat=float(row["lat"]),
                    min_lon=float(row["lon"]),
                    max_lon=float(row["lon"]),
                    area_km2=float(row["area_km2"]) if row["area_km2"] else None,
                )
                for row in rows
            ),
            batch_size=500,
        )
        communes = list(
            Commune.objects.filter(territory=territory)
            .order_by("code")
            .values_list("pk", "name", "lat", "lon", "population")
        )
        rng = random.Random(BENCH_SEED)
        weights = [math.sqrt(population or 1) for _pk, _name, _lat, _lon, population in communes]
        categories = [(value, str(label)) for value, label in Category.choices]
        services = []
        for pk, name, lat, lon, _population in rng.choices(communes, weights=weights, k=BENCH_SERVICES):
            category, label = rng.choice(categories)
            services.append(
                Service(
                    commune_id=pk,
                    category=category,
                    name=f"{label[:1].upper()}{label[1:]} de {name}",
                    lat=round(lat + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 6),
                    lon=round(lon + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 6),
                    is_sample=True,
                )
            )
        Service.objects.bulk_create(services, batch_size=1000)
    print(
        f"bench: generated {len(services)} services in {len(communes)} communes of mainland France "
        f"in {time.monotonic() - started:.0f} s"
    )


def analyze() -> None:
    """Give SQLite's query planner its statistics, as a production PostgreSQL has them (autovacuum).

    Without them SQLite reads the map's services through the territory's communes (34,000 communes ×
    19 categories of index probes: ≈ 300 ms for a city's few hundred points) instead of the (lat, lon)
    index (≈ 3 ms). A deployment on SQLite needs the same: `PRAGMA optimize` after imports or daily.
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def collect_static_if_changed(call_command) -> None:
    """collectstatic (a minute: it compresses everything) only when a source file changed."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    stamp = BENCH_DIR / "static.stamp"
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists() and stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest.hexdigest())


# --- Servers and measurements ----------------------------------------------------------------------


def get(url: str, host: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Gunicorn:
    """One gunicorn master we started; stopped by its PID only."""

    def __init__(self, server: Server, log: Path):
        self.port = free_port()
        self.log = log
        self.probe = server.probe
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--workers", str(WORKERS), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}",
            "--worker-tmp-dir", "/dev/shm" if Path("/dev/shm").is_dir() else str(BENCH_DIR),
            "--log-level", "warning", "--error-logfile", str(log),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=BASE, env=bench_env(server.settings, server.env), stdin=subprocess.DEVNULL
        )

    def wait_ready(self, path: str, host: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"bench: gunicorn exited with status {self.process.returncode}; see {self.log}")
            try:
                get(f"http://127.0.0.1:{self.port}{path}", host)
                return
            except OSError:
                time.sleep(0.2)
        sys.exit(f"bench: gunicorn did not answer within 60 s; see {self.log}")

    def wait_idle(self, host: str) -> None:
        """Wait until the workers have worked off the requests wrk left queued when it stopped.

        Sync workers still serve every connection already accepted or waiting in the listen queue, even
        once wrk has gone: after a slow case (an uncached map, up to 32 requests queued) that is seconds
        of CPU, which would otherwise count against the next case. Probes, one per worker, come back
        fast only once the queue is empty.
        """
        url = f"http://127.0.0.1:{self.port}{self.probe}"
        deadline = time.monotonic() + 60
        with ThreadPoolExecutor(WORKERS) as pool:
            while time.monotonic() < deadline:
                started = time.monotonic()
                list(pool.map(lambda _n: get(url, host), range(WORKERS)))
                if time.monotonic() - started < 0.1:
                    return

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_wrk(wrk: str, url: str, host: str, seconds: int, script: Path, cookie: str | None = None) -> dict:
    """One wrk measurement; ``cookie`` (a Cookie header) for a signed-in page."""
    # A 10 s timeout (wrk's default is 2 s) keeps the slow uncached cases' latencies in the figures.
    command = [wrk, "-t2", "-c32", f"-d{seconds}s", "--timeout", "10s", "-H", f"Host: {host}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += ["-s", str(script), url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next((x for x in output.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"bench: unexpected wrk output:\n{output}")
    values = {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}
    values["rps"] = values["requests"] / (values["duration_us"] / 1e6)
    return values


def median(runs: list[dict]) -> dict:
    """The run with the median throughput (its own latencies with it)."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def map_body_figures(body: bytes) -> dict:
    """Size of one map answer per feature: points, or clusters when the endpoint clustered."""
    data = json.loads(body)
    features = len(data["clusters"]) if data["clustered"] else len(data["items"])
    return {
        "bytes": len(body),
        "count": data["count"],
        "clustered": data["clustered"],
        "features": features,
        "per_feature": len(body) / features if features else float("inf"),
    }


def browser_long_tasks(port: int) -> dict:
    """Open /fr/carte/ of the bench territory with every layer on, pan and zoom ten times, and return
    the long main-thread tasks (PerformanceObserver "longtask", over 50 ms) seen during the moves."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed (pip install -r requirements-dev.txt)"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"{CHROMIUM} is missing (apt-get install chromium)"}
    origin = f"http://{BENCH_HOST}:{port}"

    def route(route_request):
        url = route_request.request.url
        if url.startswith(origin + "/"):
            route_request.continue_()
        elif route_request.request.resource_type == "image":
            route_request.fulfill(status=200, content_type="image/png", body=BLANK_PNG)  # map tiles
        else:
            route_request.abort()  # nothing leaves the machine

    steps = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(30_000)
            page.route("**/*", route)
            page.add_init_script(LONG_TASK_OBSERVER)
            page.goto(f"{origin}/fr/carte/")
            page.wait_for_function("() => window.mapReady === true")
            loads = page.evaluate(LOADS_JS)
            page.evaluate(ALL_LAYERS_JS)
            page.wait_for_function(LOADED_JS, arg=loads)
            page.evaluate(SETTLE_JS)
            start_state = page.evaluate(STATE_JS)
            mark = page.evaluate("() => performance.now()")
            for method, args in MOVES:
                loads = page.evaluate(LOADS_JS)
                began = page.evaluate("() => performance.now()")
                page.evaluate(MOVE_JS, [method, args])
                page.wait_for_function(LOADED_JS, arg=loads)
                page.evaluate(SETTLE_JS)
                ended = page.evaluate("() => performance.now()")
                steps.append(
                    {"move": f"{method}{args}", "began": began, "ended": ended, **page.evaluate(STATE_JS)}
                )
            tasks = page.evaluate("() => window.__longTasks")
        except PlaywrightError as error:
            return {"skipped": f"the browser run failed: {str(error).splitlines()[0]}"}
        finally:
            browser.close()
    during = [t for t in tasks if t["start"] >= mark]
    before = [t for t in tasks if t["start"] < mark]
    for step in steps:
        in_step = [t["duration"] for t in during if step["began"] <= t["start"] < step["ended"]]
        step["longest"] = max(in_step, default=0.0)
    return {
        "start": start_state,
        "steps": steps,
        "longest": max((t["duration"] for t in during), default=0.0),
        "over_target": sum(1 for t in during if t["duration"] > LONG_TASK_TARGET_MS),
        "long_tasks": len(during),
        "longest_loading": max((t["duration"] for t in before), default=0.0),
    }


def print_browser(result: dict) -> None:
    print("\nMap page in Chromium (/fr/carte/ on bench.localhost, every layer on, tiles stubbed):")
    if "skipped" in result:
        print(f"  skipped: {result['skipped']}")
        return
    start = result["start"]
    print(
        f"  every layer on at zoom {start['zoom']}: {start['count']} points in view, "
        f"{start['markers']} markers drawn; longest task while loading: {result['longest_loading']:.0f} ms"
    )
    print(f"  {'move':<34} {'zoom':>4} {'in view':>8} {'markers':>8} {'ms':>6} {'longest task':>13}")
    for step in result["steps"]:
        print(
            f"  {step['move']:<34} {step['zoom']:>4} {step['count']:>8} {step['markers']:>8}"
            f" {step['ended'] - step['began']:>6.0f} {step['longest']:>10.0f} ms"
        )
    verdict = "PASS" if result["over_target"] == 0 else "BELOW"
    print(
        f"  longest main-thread task during the 10 moves: {result['longest']:.0f} ms "
        f"({result['long_tasks']} task(s) over 50 ms, {result['over_target']} over {LONG_TASK_TARGET_MS} ms)"
        f"  none over {LONG_TASK_TARGET_MS} ms: {verdict}"
    )
    print("  (ms = from the move to the points drawn, 300 ms settle included)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measurement (default 10)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measurements per case, the median is kept (default 3: one round swings by ±15 %% on a shared "
        "machine; --rounds 1 for a quick look)",
    )
    parser.add_argument("--skip-prepare", action="store_true", help="reuse .bench/ as it is")
    parser.add_argument("--no-queries", action="store_true", help="do not count SQL queries per request")
    parser.add_argument("--no-browser", action="store_true", help="skip the map page in Chromium")
    parser.add_argument("--prepare-in-django", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_in_django:
        return prepare_in_django()

    # Sampled before preparing the database, which loads the machine itself for a while.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    cores = os.cpu_count() or 1
    if load > 0.5:
        print(
            f"bench: WARNING: load average {load:.1f} on {cores} core(s) before starting: other work is "
            "running, the figures will be low and noisy.",
            flush=True,
        )
    wrk = ensure_wrk()
    if not args.skip_prepare:
        prepare()
    script = BENCH_DIR / "report.lua"
    script.write_text(LUA)

    # Every server starts up front (idle workers cost nothing); the cases then alternate round by round so
    # that a change in the machine's load affects every case alike. The median of the rounds is kept.
    servers: dict[str, Gunicorn] = {}
    samples: dict[str, list[dict]] = {case.name: [] for case in CASES}
    bodies: dict[str, dict] = {}
    browser: dict = {"skipped": "--no-browser"}
    try:
        for case in CASES:
            if case.server not in servers:
                servers[case.server] = Gunicorn(
                    SERVERS[case.server], BENCH_DIR / f"gunicorn-{case.server}.log"
                )
                servers[case.server].wait_ready(case.path, case.host)
        for case in CASES:
            url = f"http://127.0.0.1:{servers[case.server].port}{case.path}"
            status, body = get(url, case.host)
            if status != 200:
                print(f"bench: {case.path} answered HTTP {status}, not 200:\n{body[:500]!r}", file=sys.stderr)
                return 1
            if case.path.startswith("/api/v1/map"):
                bodies[case.path] = map_body_figures(body)
            run_wrk(wrk, url, case.host, 2, script)  # warm-up: every worker loads its caches and templates
            servers[case.server].wait_idle(case.host)
        for round_number in range(1, args.rounds + 1):
            for case in CASES:
                print(
                    f"bench: round {round_number}/{args.rounds}: {case.name}: {args.duration} s of wrk…",
                    flush=True,
                )
                url = f"http://127.0.0.1:{servers[case.server].port}{case.path}"
                samples[case.name].append(run_wrk(wrk, url, case.host, args.duration, script))
                servers[case.server].wait_idle(case.host)
        if not args.no_browser:
            print("bench: the map page in Chromium: 10 pans and zooms…", flush=True)
            browser = browser_long_tasks(servers["app"].port)
    finally:
        for server in servers.values():
            server.stop()
    results = [(case, median(samples[case.name])) for case in CASES]

    r0 = results[0][1]["rps"]
    print()
    print(f"{'name':<40} {'req/s':>8} {'/ R0':>6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}  target")
    for case, r in results:
        ratio = r["rps"] / r0
        target = case.target
        verdict = "" if target is None else f"≥ {target:.0%} of R0: {'PASS' if ratio >= target else 'BELOW'}"
        errors = int(r["status_errors"] + r["socket_errors"])
        print(
            f"{case.name:<40} {r['rps']:>8.0f} {ratio:>6.0%} {r['p50_us'] / 1000:>7.1f} {r['p95_us'] / 1000:>7.1f}"
            f" {errors:>6}  {verdict}"
        )
    print(
        f"(gunicorn {WORKERS} sync workers, wrk -t2 -c32 -d{args.duration}s --timeout 10s, median of {args.rounds} round(s); "
        f"load average before the run {load:.1f} on {cores} core(s); errors = non-2xx/3xx answers and socket errors)"
    )
    print(f"map points = {MAP_POINTS}\nmap clusters = {MAP_CLUSTERS}  (Host: {BENCH_HOST})")

    print("\nMap answers (uncompressed JSON body):")
    print(f"{'name':<40} {'in view':>8} {'features':>9} {'bytes':>8} {'B/feature':>10}  target")
    for label, path in (("map points", MAP_POINTS), ("map clusters", MAP_CLUSTERS)):
        b = bodies[path]
        kind = "clusters" if b["clustered"] else "points"
        verdict = f"≤ {BYTES_PER_FEATURE_TARGET}: {'PASS' if b['per_feature'] <= BYTES_PER_FEATURE_TARGET else 'BELOW'}"
        print(
            f"{label + ' (' + kind + ')':<40} {b['count']:>8} {b['features']:>9} {b['bytes']:>8}"
            f" {b['per_feature']:>10.1f}  {verdict}"
        )

    if not args.no_browser:
        print_browser(browser)

    if not args.no_queries:
        print(
            "\nSQL queries per request without the page cache (Django test client, bench settings):",
            flush=True,
        )
        pairs = [f"{case.host} {case.path}" for case in CASES if case.server == "app"]
        subprocess.run(
            [sys.executable, "-c", QUERY_COUNT, *dict.fromkeys(pairs)],
            cwd=BASE, env=bench_env("config.settings.bench", {"PAGE_CACHE_ENABLED": "False"}), check=False,
        )  # fmt: skip
    end_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"\nload average at the end: {end_load:.1f} on {cores} core(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
