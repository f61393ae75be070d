#!/usr/bin/env python3
"""Run several long-lived processes together; one Ctrl-C (or SIGTERM) stops them all.

    python scripts/run_all.py 'web=python manage.py runserver 127.0.0.1:8000' 'worker=python manage.py db_worker'

Each NAME=COMMAND runs in its own process group, so the whole tree of a command (runserver's
autoreloader and its child, a worker's children) is signalled together. When any process exits, the
others are stopped too and its exit status is returned. With more than one process, output lines are
prefixed with the process name; a single process keeps the terminal as is (colours, prompts).
Standard library only: it runs before anything is installed and on any platform with POSIX signals.
"""

import os
import shlex
import signal
import subprocess
import sys
import threading
import time

GRACE_SECONDS = 10


def parse(specs: list[str]) -> list[tuple[str, list[str]]]:
    processes = []
    for spec in specs:
        name, sep, command = spec.partition("=")
        if not sep or not name.strip() or not command.strip():
            sys.exit(f"run_all: expected NAME=COMMAND, got {spec!r}")
        processes.append((name.strip(), shlex.split(command)))
    return processes


def pump(name: str, width: int, stream, lock: threading.Lock) -> None:
    for line in iter(stream.readline, b""):
        with lock:
            sys.stdout.buffer.write(f"{name:<{width}} | ".encode() + line)
            sys.stdout.buffer.flush()


def main(argv: list[str]) -> int:
    specs = parse(argv)
    if not specs:
        sys.exit(__doc__)
    prefix = len(specs) > 1
    width = max(len(name) for name, _ in specs)
    lock = threading.Lock()
    stopping = threading.Event()
    received: list[int] = []

    def on_signal(signum, frame):
        received.append(signum)
        stopping.set()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    children: list[tuple[str, subprocess.Popen]] = []
    for name, command in specs:
        try:
            child = subprocess.Popen(
                command,
                start_new_session=True,  # its own process group: we signal the whole tree
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if prefix else None,
                stderr=subprocess.STDOUT if prefix else None,
            )
        except OSError as exc:
            print(f"run_all: cannot start {name}: {exc}", file=sys.stderr)
            stopping.set()
            break
        children.append((name, child))
        if prefix:
            threading.Thread(target=pump, args=(name, width, child.stdout, lock), daemon=True).start()
        print(f"run_all: started {name} (pid {child.pid}): {shlex.join(command)}", file=sys.stderr)

    status = 0
    while not stopping.is_set():
        for name, child in children:
            code = child.poll()
            if code is not None:
                print(f"run_all: {name} exited with status {code}; stopping the others", file=sys.stderr)
                status = code
                stopping.set()
                break
        stopping.wait(0.2)

    # Stop every process group: SIGINT first (what Ctrl-C would send), SIGKILL after a grace period.
    for _name, child in children:
        if child.poll() is None:
            try:
                os.killpg(child.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + GRACE_SECONDS
    for name, child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"run_all: {name} did not stop within {GRACE_SECONDS}s; killing it", file=sys.stderr)
            child.kill()
            child.wait()
        try:  # anything the process left behind in its group (e.g. runserver's reloaded child)
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if received:
        return 128 + received[0]
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
