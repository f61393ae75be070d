import signal
import threading
import uuid

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from sohosolo.core.scheduler import REGISTRY, scheduler_tick


class Command(BaseCommand):
    help = (
        "Enqueue scheduled jobs, each (job, slot) at most once even with several schedulers. "
        "Runs until interrupted, or once with --once (for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between ticks.")

    def handle(self, *args, once: bool, interval: float, **options):
        scheduler_id = f"scheduler-{uuid.uuid4().hex[:8]}"
        stop = threading.Event()
        if not once:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            self.stdout.write(f"Scheduler {scheduler_id}: {', '.join(sorted(REGISTRY))}")
        while True:
            close_old_connections()
            for name in scheduler_tick(scheduler_id=scheduler_id):
                self.stdout.write(f"enqueued {name}")
            if once or stop.wait(interval):
                break
