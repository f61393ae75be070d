import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sohosolo.partners.sample import SampleReport, partners_load_sample
from sohosolo.territories.models import Territory


class Command(BaseCommand):
    help = (
        "Load the clearly labelled sample partners of the sample territories (eight each, at the centre of "
        "real communes) with their offers to passport holders, and make the sample partner account staff "
        "of the sample notary (idempotent)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Sample partners give accounts a role: development only (DEBUG is off).")
        started = time.monotonic()
        territories = Territory.objects.filter(is_sample=True).order_by("slug")
        for territory in sorted(territories, key=lambda t: t.slug != "gers"):
            report = partners_load_sample(territory=territory, report=SampleReport())
            self.stdout.write(f"  {territory.name} — " + " ; ".join(report.lines()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Partenaires d'exemple chargés en {time.monotonic() - started:.1f} s (Donnée d'exemple)."
            )
        )
