from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sohosolo.connectivity.services import COLUMNS, ImportFileError, connectivity_import_csv


class Command(BaseCommand):
    help = (
        "Import or update the connectivity of communes from a CSV file with the columns "
        f"{', '.join(COLUMNS)} (see docs/connectivity-import.md). Idempotent; a bad row is reported with its "
        "line and skipped; nothing is applied if the file is unreadable or a column is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file to read (UTF-8, comma or semicolon separated).")
        parser.add_argument(
            "--sample",
            action="store_true",
            help="Mark every imported row as sample data (shown with the « Donnée d'exemple » badge).",
        )
        parser.add_argument("--country", default="FR", help="Country of the commune codes (default FR).")

    def handle(self, *args, file, sample, country, **options):
        path = Path(file)
        try:
            report = connectivity_import_csv(
                path=path,
                sample=sample,
                country=country,
                progress=lambda done, total: self.stdout.write(f"  … {done}/{total}"),
            )
        except ImportFileError as exc:
            raise CommandError(f"{path} : {exc}. Rien n'a été importé.") from exc
        for error in report.errors:
            self.stderr.write(f"{path.name} {error}")
        self.stdout.write(self.style.SUCCESS(f"Couverture numérique : {report.summary()}."))
