from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sohosolo.accounts.sample import accounts_load_sample


class Command(BaseCommand):
    help = "Create one sample account per role in each sample territory (idempotent) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=settings.SAMPLE_PASSWORD)

    def handle(self, *args, password: str, **options):
        if not settings.DEBUG:
            raise CommandError("Sample accounts are for development only (DEBUG is off).")
        rows = accounts_load_sample(password=password)
        width = max(len(r[0]) for r in rows)
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING("Comptes d'exemple (Donnée d'exemple) — mot de passe : " + password)
        )
        for email, role, territory in rows:
            self.stdout.write(f"  {email.ljust(width)}  {role} — {territory}")
        self.stdout.write("")
