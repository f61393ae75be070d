import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sohosolo.events.sample import events_load_sample
from sohosolo.territories.models import Territory


class Command(BaseCommand):
    help = (
        "Load the clearly labelled sample event series (Mercredis de l'installation, Club Soho Solo) of the "
        "sample territories and materialise their occurrences (development only, idempotent)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Sample events are for development only (DEBUG is off).")
        started = time.monotonic()
        for territory in Territory.objects.filter(is_sample=True).order_by("slug"):
            counts = events_load_sample(territory=territory)
            self.stdout.write(
                f"  {territory.name} : {counts['series']} série(s) d'exemple créée(s), "
                f"{counts['occurrences']} rendez-vous ajouté(s)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Rendez-vous d'exemple chargés en {time.monotonic() - started:.1f} s.")
        )
