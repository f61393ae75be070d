#!/usr/bin/env python3
"""Throughput of the advisors' pipeline pages with 10,000 prospects and 100,000 activities, as a ratio of
a bare Django view (R0), measured the way scripts/bench.py measures the public pages.

Same method as `make bench` (its functions are imported, not copied): production-like settings
(config.settings.bench), the same gunicorn command (4 sync workers on a loopback port), `wrk -t2 -c32
-d10s` per case after a warm-up, the cases alternating over three rounds (`--rounds`), medians kept.
Differences: the database is a file of its own (.bench/prospects.sqlite3, so `make bench`'s figures and
database stay as they are), and every case but R0 is a signed-in page: wrk sends what a browser sends, the
session cookie of a bench advisor of Gers (or of a bench village committee member), created in the
database beforehand, and the CSRF cookie that the first page set.

Each page is measured twice. "Seen again": served from the signed-in pages' cache
(sohosolo/core/private_cache.py), which keeps a page for the session that asked until the next write to
the database, on a Redis this script starts (redis-server on a loopback port, installed from Debian when
missing) as production shares its cache; the prospect pages still write their audit entry at each
request. "Built anew": the same server with that cache off, every request renders the page.

The data (generated once, kept between runs, seed fixed): 10,000 prospects of the Gers sample territory
over three years, in every stage (weighted like a real funnel), 80 % assigned to one of 5 bench
advisors, 1-3 chosen villages each among 12 bench villages, 60 % consenting to share; 100,000
activities (calls, emails, notes…, committee notes with their village), the stage history and the
consent ledger that go with them. All of it is marked (utm_campaign "bench-prospects", is_sample).

It prints a table and the target (each signed-in page ≥ 30 % of R0), then the SQL queries of one warm
request per page; `--profile` adds a cProfile of each page (in-process, the 25 costliest functions);
`--cpu N` times N warm requests per page in-process (CPU ms per request: what other work on a shared
machine disturbs least). `--database` runs on another SQLite file (a copy: new migrations are applied
to a kept database before a run). It does not fail when a target is missed. Stops only the gunicorn
processes it started, by their PID.
"""

import argparse
import io
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (scripts/bench.py: servers, wrk, preparation helpers)

BASE = bench.BASE
BENCH_DIR = bench.BENCH_DIR
# The database and, beside it, the state of a run (session keys and the prospects the cases open);
# `--database` (or BENCH_PROSPECTS_DATABASE, read by the preparing subprocess) puts both elsewhere.
DATABASE = Path(os.environ.get("BENCH_PROSPECTS_DATABASE") or BENCH_DIR / "prospects.sqlite3").resolve()
STATE = DATABASE.with_suffix(".json")
HOST = bench.HOST_HEADER  # gers.localhost

PROSPECTS = 10_000
ACTIVITIES = 100_000
SEED = 10_000
MARK = "bench-prospects"  # utm_campaign of every generated prospect
ADVISORS = 5
VILLAGES = 12
TARGET = 0.30
EMAIL_DOMAIN = "bench-prospects.example"


@dataclass(frozen=True)
class Case:
    name: str
    server: str  # "hello" or "app"
    path: str  # may hold {prospect} or {committee_prospect}
    who: str | None  # session of "advisor" or "committee"; None: no cookie
    target: float | None


PAGES = [
    ("pipeline list, stage filter, page 2", "/fr/suivi/porteurs/?stage=qualified&page=2", "advisor"),
    ("prospect page (advisor)", "/fr/suivi/porteurs/{prospect}/", "advisor"),
    ("à faire (advisor)", "/fr/suivi/porteurs/a-faire/", "advisor"),
    ("committee list", "/fr/suivi/contacts-villages/", "committee"),
    ("committee prospect page", "/fr/suivi/contacts-villages/{committee_prospect}/", "committee"),
]
# Each page twice: seen again (served from the signed-in pages' cache, sohosolo/core/private_cache.py,
# as long as nothing was written: the target), and built anew (that cache off: every request renders).
CASES = [
    Case("R0 hello (no middleware, no db)", "hello", "/", None, None),
    *(Case(f"{name}, seen again", "app", path, who, TARGET) for name, path, who in PAGES),
    *(Case(f"{name}, built anew", "nocache", path, who, None) for name, path, who in PAGES),
]


def env(extra: dict | None = None) -> dict:
    return bench.bench_env(
        "config.settings.bench",
        {"DATABASE_URL": f"sqlite:///{DATABASE}", "BENCH_PROSPECTS_DATABASE": str(DATABASE), **(extra or {})},
    )


# --- Preparation, inside Django (run as a subprocess with the bench settings) ----------------------


def prepare(*, light: bool = False) -> None:
    """Build the database (light: only fresh sessions, and static files collected if one changed)."""
    BENCH_DIR.mkdir(exist_ok=True)
    what = (
        "pending migrations, sessions, static files" if light else "migrate, communes, sample data, prospects"
    )
    print(f"bench: preparing {DATABASE} ({what})…", flush=True)
    started = time.monotonic()
    command = [sys.executable, str(Path(__file__).resolve()), "--prepare-in-django"]
    if light:
        command.append("--skip-prepare")
    result = subprocess.run(command, cwd=BASE, env=env(), check=False)
    if result.returncode:
        sys.exit(f"bench: preparing the database failed (exit {result.returncode}): see the messages above.")
    print(f"bench: prepared in {time.monotonic() - started:.0f} s", flush=True)


def prepare_in_django(*, light: bool) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    if light:
        migrate_if_pending(call_command)
        STATE.write_text(json.dumps(sessions_and_targets(), indent=2))
        bench.collect_static_if_changed(call_command)
        return 0
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
    generate_prospects()
    STATE.write_text(json.dumps(sessions_and_targets(), indent=2))
    bench.analyze()
    bench.collect_static_if_changed(call_command)
    return 0


def migrate_if_pending(call_command) -> None:
    """A kept database follows the code's migrations (new indexes), then the planner's statistics."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("bench: applying the new migrations to the kept database", flush=True)
        call_command("migrate", interactive=False, stdout=io.StringIO())
        bench.analyze()


def bench_users(territory):
    """5 advisors of Gers (a second factor registered, as production requires) and the villages."""
    from allauth.mfa.models import Authenticator
    from django.contrib.contenttypes.models import ContentType

    from sohosolo.accounts.models import Membership, Role, User
    from sohosolo.villages.models import Village

    advisors = []
    for n in range(ADVISORS):
        user, _created = User.objects.get_or_create(
            email=f"conseiller{n}@{EMAIL_DOMAIN}",
            defaults={"first_name": f"Conseiller {n}", "last_name": "Banc", "is_active": True},
        )
        Membership.objects.get_or_create(user=user, territory=territory, role=Role.ADVISOR)
        Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench-only"}}
        )
        advisors.append(user)
    villages = list(Village.objects.of_territory(territory).order_by("pk")[:VILLAGES])
    taken = Village.objects.values("commune_id")
    for commune in territory.communes.exclude(pk__in=taken).order_by("-population", "code")[
        : VILLAGES - len(villages)
    ]:
        villages.append(
            Village.objects.create(
                territory=territory,
                commune=commune,
                slug=f"banc-{commune.code}",
                status="published",
                presentation_fr="Village de banc d'essai : données générées.",
                is_sample=True,
            )
        )
    committee, _created = User.objects.get_or_create(
        email=f"comite@{EMAIL_DOMAIN}", defaults={"first_name": "Comité", "is_active": True}
    )
    Membership.objects.get_or_create(
        user=committee,
        territory=territory,
        role=Role.COMMITTEE,
        scope_type=ContentType.objects.get_for_model(Village),
        scope_id=villages[0].pk,
    )
    return advisors, villages, committee


def generate_prospects() -> None:
    """10,000 prospects and 100,000 activities in Gers (with stage history and consents); kept."""
    from django.db import transaction
    from django.utils import timezone

    from sohosolo.prospects import models as m
    from sohosolo.territories.models import Territory

    territory = Territory.objects.get(slug="gers")
    advisors, villages, _committee = bench_users(territory)
    generated = m.Prospect.objects.filter(territory=territory, utm_campaign=MARK)
    if (
        generated.count() == PROSPECTS
        and m.Activity.objects.filter(prospect__in=generated, data__bench=True).count() == ACTIVITIES
    ):
        print(f"bench: prospects present ({PROSPECTS} prospects, {ACTIVITIES} activities)")
        return

    started = time.monotonic()
    rng = random.Random(SEED)
    now = timezone.now()
    stage_weights = [
        (m.Stage.CONTACT, 40), (m.Stage.QUALIFIED, 22), (m.Stage.CANDIDATE, 12),
        (m.Stage.INSTALLING, 5), (m.Stage.INSTALLED, 6), (m.Stage.LOST, 15),
    ]  # fmt: skip
    stages = [s for s, _w in stage_weights]
    weights = [w for _s, w in stage_weights]
    kinds = [m.ActivityKind.CALL, m.ActivityKind.EMAIL, m.ActivityKind.NOTE, m.ActivityKind.MEETING,
             m.ActivityKind.VISIT, m.ActivityKind.EVENT, m.ActivityKind.COMMITTEE]  # fmt: skip
    kind_weights = [30, 25, 20, 10, 5, 5, 5]
    first_names = ["Camille", "Léa", "Hugo", "Manon", "Nathan", "Chloé", "Lucas", "Emma", "Théo", "Inès"]
    last_names = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy"]
    sentence = (
        "Échange sur le projet : logement, local professionnel et écoles ; à rappeler le mois prochain."
    )
    with transaction.atomic():
        generated.delete()
        prospects = []
        for i in range(PROSPECTS):
            created = now - timedelta(days=rng.uniform(0, 3 * 365))
            stage = rng.choices(stages, weights)[0]
            changed = created + (now - created) * rng.random()
            due = rng.random() < 0.4 and stage not in (m.Stage.INSTALLED, m.Stage.LOST)
            prospects.append(
                m.Prospect(
                    territory=territory,
                    first_name=rng.choice(first_names),
                    last_name=f"{rng.choice(last_names)}-{i}",
                    email=f"porteur{i}@{EMAIL_DOMAIN}",
                    phone=f"06{i:08d}",
                    phone_normalised=f"06{i:08d}",
                    current_location="Lyon",
                    activity="Graphiste indépendante",
                    sector=rng.choice(m.Sector.values),
                    work_status=rng.choice(m.WorkStatus.values),
                    adults=rng.choice([1, 2]),
                    children=rng.choice([0, 0, 1, 2, 3]),
                    timing=rng.choice(m.Timing.values),
                    message="Nous cherchons une maison avec un bureau, près d'une école.",
                    channel=rng.choice(m.Channel.values),
                    utm_source=rng.choice(["", "", "newsletter", "facebook", "salon-lyon"]),
                    utm_campaign=MARK,
                    consent_contact=True,
                    consent_share_villages=rng.random() < 0.6,
                    stage=stage,
                    stage_changed_at=changed,
                    lost_reason=rng.choice(m.LostReason.values) if stage == m.Stage.LOST else "",
                    advisor=rng.choice(advisors) if rng.random() < 0.8 else None,
                    next_action_on=(now + timedelta(days=rng.randint(-30, 30))).date() if due else None,
                    next_action="Rappeler" if due else "",
                    last_inbound_at=changed,
                    is_sample=True,
                    created_at=created,
                )
            )
        m.Prospect.objects.bulk_create(prospects, batch_size=1000)
        prospects = list(generated.order_by("pk"))
        through = m.Prospect.villages.through
        through.objects.bulk_create(
            (
                through(prospect_id=p.pk, village_id=v.pk)
                for p in prospects
                for v in rng.sample(villages, rng.choice([1, 1, 2, 3]))
            ),
            batch_size=2000,
        )
        changes = []
        for p in prospects:
            path = (
                m.FUNNEL[: m.FUNNEL.index(p.stage) + 1]
                if p.stage != m.Stage.LOST
                else [m.Stage.CONTACT, m.Stage.LOST]
            )
            for before, after in zip(path, path[1:], strict=False):
                changes.append(m.StageChange(prospect=p, from_stage=before, to_stage=after, at=p.stage_changed_at,
                                             reason=p.lost_reason if after == m.Stage.LOST else ""))  # fmt: skip
        m.StageChange.objects.bulk_create(changes, batch_size=2000)
        m.ConsentRecord.objects.bulk_create(
            (
                m.ConsentRecord(
                    prospect=p,
                    purpose=purpose,
                    granted=granted,
                    at=p.created_at,
                    source=m.ConsentSource.PROJECT_FORM,
                    wording_version="bench",
                )  # fmt: skip
                for p in prospects
                for purpose, granted in (
                    (m.ConsentPurpose.CONTACT, True),
                    (m.ConsentPurpose.SHARE_VILLAGES, p.consent_share_villages),
                )
            ),
            batch_size=2000,
        )
        village_of = {}
        for row in through.objects.filter(prospect__in=generated).values_list("prospect_id", "village_id"):
            village_of.setdefault(row[0], row[1])
        activities = []
        for _n in range(ACTIVITIES):
            p = rng.choice(prospects)
            kind = rng.choices(kinds, kind_weights)[0]
            activities.append(
                m.Activity(
                    prospect=p,
                    kind=kind,
                    occurred_at=p.created_at + (now - p.created_at) * rng.random(),
                    outcome=rng.choice(m.Outcome.values),
                    text=sentence,
                    data={"bench": True},
                    author=rng.choice(advisors),
                    village_id=village_of[p.pk] if kind == m.ActivityKind.COMMITTEE else None,
                )
            )
        m.Activity.objects.bulk_create(activities, batch_size=2000)
    print(
        f"bench: generated {PROSPECTS} prospects, {ACTIVITIES} activities, {len(changes)} stage changes "
        f"in {time.monotonic() - started:.0f} s"
    )


def sessions_and_targets() -> dict:
    """Fresh sessions for the advisor and the committee member, and the prospects their pages open."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count

    from sohosolo.accounts.models import User
    from sohosolo.prospects.models import Prospect
    from sohosolo.villages.models import Village

    store = import_module(settings.SESSION_ENGINE).SessionStore

    def session_for(user) -> str:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    advisor = User.objects.get(email=f"conseiller0@{EMAIL_DOMAIN}")
    committee = User.objects.get(email=f"comite@{EMAIL_DOMAIN}")
    generated = Prospect.objects.filter(utm_campaign=MARK).annotate(n=Count("activities"))
    # A prospect with about the average number of activities (10), in the middle of the list.
    prospect = generated.filter(n=ACTIVITIES // PROSPECTS).order_by("pk")[PROSPECTS // 20]
    village = Village.objects.editable_by(committee, prospect.territory).get()
    shared = Prospect.objects.shared_with_village(village).filter(utm_campaign=MARK).order_by("pk").first()
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "sessions": {"advisor": session_for(advisor), "committee": session_for(committee)},
        "emails": {"advisor": advisor.email, "committee": committee.email},
        "prospect": prospect.pk,
        "committee_prospect": shared.pk,
    }


# --- Measurements ------------------------------------------------------------------------------------


def get(url: str, host: str, cookie: str | None) -> tuple[int, bytes, str]:
    headers = {"Host": host}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read(), ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Location", "")


def csrf_cookie(port: int, path: str, cookie: str) -> str:
    """The CSRF cookie ("name=value") a signed-in page sets, as the browser would send it back."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": HOST, "Cookie": cookie}
    )
    with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("csrftoken="):
                return header.split(";", 1)[0]
    sys.exit(f"bench: {path} set no CSRF cookie")


class Redis:
    """A throwaway redis-server on a loopback port (installed from Debian when missing), without
    persistence; stopped by its PID only."""

    def __init__(self):
        server = bench.ensure_command("redis-server", "redis-server", "https://redis.io")
        self.port = bench.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [server, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    sys.exit("bench: redis-server did not start")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the login page) must show as such, not be followed


# Counts the SQL queries of one warm request per page (and profiles it with --profile; times N requests
# with --cpu N: the process's CPU time, which other work on the machine disturbs far less than req/s),
# in-process, signed in as the case's user. Arguments: the state file, "who path" pairs, the profile flag.
QUERY_COUNT = """
import cProfile, io, json, pstats, sys, time, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from sohosolo.accounts.models import User
state = json.load(open(sys.argv[1]))
profile = sys.argv[-1] == "profile"
for pair in sys.argv[2:-1]:
    who, path = pair.split(" ", 1)
    client = Client(HTTP_HOST=state["host"])
    client.force_login(User.objects.get(email=state["emails"][who]))
    client.get(path)  # warm: caches, templates
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    total = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    print(f"  {path} ({who}): HTTP {status}, {len(queries)} SQL queries, {total:.1f} ms in SQL (timed by Django)")
    for q in queries.captured_queries:
        print(f"      {float(q['time']) * 1000:6.1f} ms  {q['sql'][:150]}")
    if state["cpu"]:
        best = []
        for _ in range(3):
            started = time.process_time()
            for _ in range(state["cpu"]):
                client.get(path)
            best.append((time.process_time() - started) / state["cpu"] * 1000)
        print(f"      CPU per request: {min(best):.1f} ms (best of 3 × {state['cpu']} requests, in-process)")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            client.get(path)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print("\\n".join(out.getvalue().splitlines()[:60]))
"""


def wait_idle(server) -> None:
    """bench's Gunicorn.wait_idle, patient with a long queue: a signed-in page costs far more than a
    cached one, and after 32 queued requests its probe may wait longer than urllib's 30 s timeout."""
    deadline = time.monotonic() + 180
    while True:
        try:
            server.wait_idle(HOST)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measurement (default 10)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="measurements per case, median kept (default 3)"
    )
    parser.add_argument(
        "--skip-prepare",
        action="store_true",
        help="reuse .bench/prospects.sqlite3 (new sessions; static files again if one changed)",
    )
    parser.add_argument("--no-queries", action="store_true", help="do not count SQL queries per request")
    parser.add_argument(
        "--no-browser", action="store_true", help="accepted for BENCH_ARGS shared with bench.py"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one warm request of each page")
    parser.add_argument(
        "--port", type=int, default=0, help="first loopback port for the servers (default: any free port)"
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help="the SQLite file to use (default .bench/prospects.sqlite3); its run state goes beside it",
    )
    parser.add_argument(
        "--cpu",
        type=int,
        default=0,
        metavar="N",
        help="also time N warm requests per page in-process (CPU ms per request: process time)",
    )
    parser.add_argument("--prepare-in-django", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database:
        global DATABASE, STATE
        DATABASE = args.database.resolve()
        STATE = DATABASE.with_suffix(".json")
    if args.prepare_in_django:
        return prepare_in_django(light=args.skip_prepare)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    cores = os.cpu_count() or 1
    if load > 0.5:
        print(
            f"bench: WARNING: load average {load:.1f} on {cores} core(s) before starting: other work is "
            "running, the figures will be low and noisy.",
            flush=True,
        )
    if args.port:
        ports = iter(range(args.port, args.port + 10))
        bench.free_port = lambda: next(ports)  # Gunicorn() takes its port from bench.free_port
    wrk = bench.ensure_wrk()
    prepare(light=args.skip_prepare and DATABASE.exists())
    state = json.loads(STATE.read_text())
    state["host"] = HOST
    script = BENCH_DIR / "report.lua"
    script.write_text(bench.LUA)

    def path_of(case: Case) -> str:
        return case.path.format(prospect=state["prospect"], committee_prospect=state["committee_prospect"])

    cookies: dict[str, str] = {}

    def cookie_of(case: Case) -> str | None:
        return cookies[case.who] if case.who else None

    servers: dict[str, bench.Gunicorn] = {}
    samples: dict[str, list[dict]] = {case.name: [] for case in CASES}
    redis = Redis()
    # The signed-in pages' cache needs a cache every worker shares, as in production: a Redis of our own.
    shared = {"DATABASE_URL": f"sqlite:///{DATABASE}", "CACHE_URL": redis.url}
    definitions = {
        "hello": bench.SERVERS["hello"],
        "app": bench.Server("config.settings.bench", {**shared, "PRIVATE_PAGE_CACHE_ENABLED": "True"}),
        "nocache": bench.Server("config.settings.bench", {**shared, "PRIVATE_PAGE_CACHE_ENABLED": "False"}),
    }
    try:
        for case in CASES:
            if case.server not in servers:
                servers[case.server] = bench.Gunicorn(
                    definitions[case.server], BENCH_DIR / f"gunicorn-prospects-{case.server}.log"
                )
                servers[case.server].wait_ready(definitions[case.server].probe, HOST)
        for who, session in state["sessions"].items():
            # As a browser: the session cookie, and the CSRF cookie the first signed-in page sets.
            session_cookie = f"{state['cookie']}={session}"
            page = next(case for case in CASES if case.who == who and case.server == "app")
            cookies[who] = (
                f"{session_cookie}; {csrf_cookie(servers['app'].port, path_of(page), session_cookie)}"
            )
        for case in CASES:
            url = f"http://127.0.0.1:{servers[case.server].port}{path_of(case)}"
            status, body, location = get(url, HOST, cookie_of(case))
            if status != 200:
                print(
                    f"bench: {path_of(case)} answered HTTP {status} {location}, not 200:\n{body[:500]!r}",
                    file=sys.stderr,
                )
                return 1
            bench.run_wrk(wrk, url, HOST, 2, script, cookie_of(case))  # warm-up
            wait_idle(servers[case.server])
        for round_number in range(1, args.rounds + 1):
            for case in CASES:
                print(
                    f"bench: round {round_number}/{args.rounds}: {case.name}: {args.duration} s of wrk…",
                    flush=True,
                )
                url = f"http://127.0.0.1:{servers[case.server].port}{path_of(case)}"
                samples[case.name].append(
                    bench.run_wrk(wrk, url, HOST, args.duration, script, cookie_of(case))
                )
                wait_idle(servers[case.server])
    finally:
        for server in servers.values():
            server.stop()
        redis.stop()
    results = [(case, bench.median(samples[case.name])) for case in CASES]

    r0 = results[0][1]["rps"]
    print()
    print(f"{'name':<40} {'req/s':>8} {'/ R0':>6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}  target")
    for case, r in results:
        ratio = r["rps"] / r0
        verdict = (
            ""
            if case.target is None
            else f"≥ {case.target:.0%} of R0: {'PASS' if ratio >= case.target else 'BELOW'}"
        )
        errors = int(r["status_errors"] + r["socket_errors"])
        print(
            f"{case.name:<40} {r['rps']:>8.0f} {ratio:>6.0%} {r['p50_us'] / 1000:>7.1f} {r['p95_us'] / 1000:>7.1f}"
            f" {errors:>6}  {verdict}"
        )
    print(
        f"(gunicorn {bench.WORKERS} sync workers, wrk -t2 -c32 -d{args.duration}s --timeout 10s, median of "
        f"{args.rounds} round(s); load average before the run {load:.1f} on {cores} core(s); errors = non-2xx/3xx "
        "answers and socket errors)"
    )
    print(
        f"data: {PROSPECTS} prospects, {ACTIVITIES} activities in Gers (Host: {HOST}); signed in as a bench advisor"
    )
    for case in CASES[1:]:
        print(f"  {case.name}: {path_of(case)} ({case.who})")

    if not args.no_queries or args.profile or args.cpu:
        print("\nSQL queries per warm request (Django test client, bench settings, signed in):", flush=True)
        pairs = list(
            dict.fromkeys(f"{case.who} {path_of(case)}" for case in CASES if case.who)
        )  # each page once
        state_file = DATABASE.with_name(f"{DATABASE.stem}-state.json")
        state_file.write_text(json.dumps({**state, "cpu": args.cpu}))
        subprocess.run(
            [sys.executable, "-c", QUERY_COUNT, str(state_file), *pairs, "profile" if args.profile else "-"],
            cwd=BASE, env=env(), check=False,
        )  # fmt: skip
    end_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"\nload average at the end: {end_load:.1f} on {cores} core(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
