import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sohosolo.prospects.sample import prospects_load_sample
from sohosolo.territories.models import Territory


class Command(BaseCommand):
    help = (
        "Load the clearly labelled sample prospects of the sample territories (development only, idempotent)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Sample prospects are for development only (DEBUG is off).")
        started = time.monotonic()
        for territory in Territory.objects.filter(is_sample=True).order_by("slug"):
            created = prospects_load_sample(territory=territory)
            self.stdout.write(f"  {territory.name} : {created} porteur(s) de projet d'exemple créé(s)")
        self.stdout.write(
            self.style.SUCCESS(f"Porteurs de projet d'exemple chargés en {time.monotonic() - started:.1f} s.")
        )
