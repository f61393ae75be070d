from django.core.management import call_command
from django.core.management.base import BaseCommand

from sohosolo.territories.services import territories_load_sample


class Command(BaseCommand):
    help = "Load the clearly labelled sample data (idempotent): territory settings and a second territory."

    def handle(self, *args, **options):
        for territory, departement in territories_load_sample():
            if not territory.communes.exists():
                call_command(
                    "import_communes", territory=territory.slug, departement=departement, stdout=self.stdout
                )
        self.stdout.write(self.style.SUCCESS("Données d'exemple chargées."))
