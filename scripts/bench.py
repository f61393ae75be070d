#!/usr/bin/env python3
"""`make bench`: throughput of the home page and the public API, as a ratio of a bare Django view (R0).

Production-like settings (config.settings.bench) on a SQLite database of its own (.bench/), the same
gunicorn command for every server (4 sync workers on a free loopback port), `wrk -t2 -c32 -d10s`
per case after a warm-up; `--rounds 3` alternates the cases three times and keeps the medians.
The load generator shares the machine's cores: compare only figures taken in the same run.
It prints a table and the targets; it does not fail when a target is missed.
Stops only the gunicorn processes it started, by their PID.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE / ".bench"
WORKERS = 4
HOST_HEADER = "gers.localhost"
# name, settings module, path, Host header, target as a share of R0 (None for R0 itself)
CASES = [
    ("R0 hello (no middleware, no db)", "config.bench_hello", "/", HOST_HEADER, None),
    ("home /fr/", "config.settings.bench", "/fr/", HOST_HEADER, 0.50),
    ("API /api/v1/communes?territory=gers", "config.settings.bench", "/api/v1/communes?territory=gers",
     HOST_HEADER, 0.40),
]  # fmt: skip
LUA = """\
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%.0f p95_us=%.0f p99_us=%.0f status_errors=%d socket_errors=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""
# Counts the SQL queries of one warm request per page, in-process, with the benchmark's settings.
QUERY_COUNT = """
import sys, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST=sys.argv[1])
for path in sys.argv[2:]:
    client.get(path)  # warm: caches, templates
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    print(f"  {path}: HTTP {status}, {len(queries)} SQL queries per warm request")
    for q in queries.captured_queries:
        print(f"      {q['sql'][:150]}")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if not shutil.which("apt-get"):
        sys.exit("bench: wrk is missing; install it (https://github.com/wg/wrk) and run again.")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "--no-install-recommends", "wrk"], check=True, env=env)
    return shutil.which("wrk") or sys.exit("bench: wrk still missing after apt-get install")


def bench_env(settings: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        # Safe, local-only values: this database and key serve nothing but the benchmark.
        "SECRET_KEY": "bench-only-not-secret-4f9c2a7e1b8d3c6a5e0f9b2d7c4a1e8f3b6d9c2a5e",
        "ALLOWED_HOSTS": "gers.localhost,landes.localhost,localhost,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}",
        "PYTHONPATH": str(BASE),
    }
    env.pop("CACHE_URL", None)
    return env


def manage(env: dict, *args: str) -> None:
    try:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE, env=env, check=True, stdout=subprocess.DEVNULL
        )
    except subprocess.CalledProcessError as exc:
        sys.exit(
            f"bench: `manage.py {' '.join(args)}` failed (exit {exc.returncode}): see the messages above."
        )


def prepare() -> None:
    BENCH_DIR.mkdir(exist_ok=True)
    env = bench_env("config.settings.bench")
    print("bench: preparing .bench/bench.sqlite3 (migrate, communes, sample data, static files)…", flush=True)
    manage(env, "compile_translations")
    manage(env, "migrate", "--noinput")
    manage(env, "import_communes")
    manage(env, "load_sample_data")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


def get(url: str, host: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Gunicorn:
    """One gunicorn master we started; stopped by its PID only."""

    def __init__(self, settings: str, log: Path):
        self.port = free_port()
        self.log = log
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--workers", str(WORKERS), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}",
            "--worker-tmp-dir", "/dev/shm" if Path("/dev/shm").is_dir() else str(BENCH_DIR),
            "--log-level", "warning", "--error-logfile", str(log),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=BASE, env=bench_env(settings), stdin=subprocess.DEVNULL)

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

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_wrk(wrk: str, url: str, host: str, seconds: int, script: Path) -> dict:
    command = [wrk, "-t2", "-c32", f"-d{seconds}s", "-H", f"Host: {host}", "-s", str(script), url]
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measurement (default 10)")
    parser.add_argument("--rounds", type=int, default=1, help="measurements per case; the median is kept")
    parser.add_argument("--skip-prepare", action="store_true", help="reuse .bench/ as it is")
    parser.add_argument("--no-queries", action="store_true", help="do not count SQL queries per request")
    args = parser.parse_args()

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

    # Both servers start up front (idle workers cost nothing); the cases then alternate round by round so
    # that a change in the machine's load affects every case alike. The median of the rounds is kept.
    servers: dict[str, Gunicorn] = {}
    samples: dict[str, list[dict]] = {case[0]: [] for case in CASES}
    try:
        for _name, settings, path, host, _target in CASES:
            if settings not in servers:
                servers[settings] = Gunicorn(
                    settings, BENCH_DIR / f"gunicorn-{settings.rsplit('.', 1)[-1]}.log"
                )
                servers[settings].wait_ready(path, host)
        for _name, settings, path, host, _target in CASES:
            url = f"http://127.0.0.1:{servers[settings].port}{path}"
            status, body = get(url, host)
            if status != 200:
                print(f"bench: {path} answered HTTP {status}, not 200:\n{body[:500]!r}", file=sys.stderr)
                return 1
            run_wrk(wrk, url, host, 2, script)  # warm-up: every worker loads its caches and templates
        for round_number in range(1, args.rounds + 1):
            for name, settings, path, host, _target in CASES:
                print(
                    f"bench: round {round_number}/{args.rounds}: {name}: {args.duration} s of wrk…",
                    flush=True,
                )
                url = f"http://127.0.0.1:{servers[settings].port}{path}"
                samples[name].append(run_wrk(wrk, url, host, args.duration, script))
    finally:
        for server in servers.values():
            server.stop()
    results = [(name, target, median(samples[name])) for name, _s, _p, _h, target in CASES]

    r0 = results[0][2]["rps"]
    print()
    print(f"{'name':<40} {'req/s':>8} {'/ R0':>6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}  target")
    for name, target, r in results:
        ratio = r["rps"] / r0
        verdict = "" if target is None else f"≥ {target:.0%} of R0: {'PASS' if ratio >= target else 'BELOW'}"
        errors = int(r["status_errors"] + r["socket_errors"])
        print(
            f"{name:<40} {r['rps']:>8.0f} {ratio:>6.0%} {r['p50_us'] / 1000:>7.1f} {r['p95_us'] / 1000:>7.1f}"
            f" {errors:>6}  {verdict}"
        )
    print(
        f"(gunicorn {WORKERS} sync workers, wrk -t2 -c32 -d{args.duration}s, median of {args.rounds} round(s); "
        f"load average before the run {load:.1f} on {cores} core(s); errors = non-2xx/3xx answers and socket errors)"
    )

    if not args.no_queries:
        print("\nSQL queries per request (Django test client, bench settings):", flush=True)
        paths = [path for _n, settings, path, _h, _t in CASES if settings == "config.settings.bench"]
        subprocess.run(
            [sys.executable, "-c", QUERY_COUNT, HOST_HEADER, *paths],
            cwd=BASE, env=bench_env("config.settings.bench"), check=False,
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
