from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sohosolo.territories.models import Territory
from sohosolo.territories.services import ImportFileError, communes_import_csv, communes_import_geojson

DATA_DIR = Path(settings.BASE_DIR) / "data"


class Command(BaseCommand):
    help = (
        "Import or update communes into a territory: the Gers GeoJSON by default, or one département "
        "of the national CSV with --departement. Idempotent; applies nothing if the file is unreadable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--territory", default="gers", help="Territory slug (created if missing).")
        parser.add_argument("--territory-name", default="", help="Name of the territory if it is created.")
        parser.add_argument(
            "--departement", default="", help="Département code to take from the national CSV."
        )
        parser.add_argument("--file", default="", help="GeoJSON FeatureCollection or national CSV to read.")

    @transaction.atomic  # an unreadable file leaves no trace, not even a newly created territory
    def handle(self, *args, territory, territory_name, departement, file, **options):
        target, created = Territory.objects.get_or_create(
            slug=territory, defaults={"name": territory_name or territory.capitalize()}
        )
        if created:
            self.stdout.write(f"Territoire « {target.name} » créé.")
        path = (
            Path(file)
            if file
            else DATA_DIR / ("france-communes.csv" if departement else "gers-communes.geojson")
        )

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  … {done}/{total}")

        try:
            if path.suffix.lower() == ".csv":
                if not departement:
                    raise CommandError("--departement est requis pour un fichier CSV national.")
                report = communes_import_csv(
                    path=path, territory=target, departement=departement, progress=progress
                )
            else:
                report = communes_import_geojson(path=path, territory=target, progress=progress)
        except ImportFileError as exc:
            raise CommandError(f"{path} : {exc}. Rien n'a été importé.") from exc
        for error in report.errors:
            self.stderr.write(f"{path.name} {error}")
        self.stdout.write(self.style.SUCCESS(f"Communes de « {target.name} » : {report.summary()}."))
