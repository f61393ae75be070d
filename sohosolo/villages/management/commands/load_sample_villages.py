import time
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from sohosolo.territories.models import Territory
from sohosolo.villages.sample import (
    SampleReport,
    connectivity_fill_sample,
    villages_load_sample,
    villages_reset_sample,
)

DATA_DIR = Path(settings.BASE_DIR) / "data"
IMPORT_COMMAND = "import_connectivity"


class Command(BaseCommand):
    help = (
        "Load the clearly labelled sample villages of the sample territories, with committees, local "
        "services, housing offers with generated photos, and connectivity for every commune (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=settings.SAMPLE_PASSWORD, help="Sample committee accounts.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete the sample villages, their committees, services, housing and sample "
            "connectivity (only objects marked as sample), then load them again.",
        )

    def handle(self, *args, password: str, reset: bool, **options):
        if not settings.DEBUG:
            raise CommandError("Sample villages create accounts: development only (DEBUG is off).")
        started = time.monotonic()
        report = SampleReport()
        territories = (
            Territory.objects.filter(is_sample=True, communes__isnull=False).distinct().order_by("slug")
        )
        # The Gers first: it is the demonstration's territory.
        for territory in sorted(territories, key=lambda t: t.slug != "gers"):
            if reset:
                deleted = villages_reset_sample(territory=territory)
                summary = ", ".join(f"{kind} : {n}" for kind, n in deleted.items())
                self.stdout.write(f"  {territory.name} — supprimé(s) : {summary}")
            villages_load_sample(territory=territory, password=password, report=report)
            self._import_connectivity_csv(territory)
            connectivity_fill_sample(territory=territory, report=report)
        for line in report.lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Villages d'exemple chargés en {time.monotonic() - started:.1f} s (Donnée d'exemple)."
            )
        )

    def _import_connectivity_csv(self, territory: Territory) -> None:
        """Import data/connectivity-sample-<territory>.csv as sample data, when the file exists."""
        path = DATA_DIR / f"connectivity-sample-{territory.slug}.csv"
        if not path.exists() or IMPORT_COMMAND not in get_commands():
            return
        out = StringIO()
        try:
            call_command(IMPORT_COMMAND, str(path), sample=True, stdout=out, stderr=self.stderr)
        except CommandError as exc:  # the generated figures below fill in for an unreadable file
            self.stderr.write(str(exc))
        for line in out.getvalue().splitlines():
            if line.strip() and "…" not in line:  # the summary, without the progress lines
                self.stdout.write(f"  {path.name} : {line.strip()}")
