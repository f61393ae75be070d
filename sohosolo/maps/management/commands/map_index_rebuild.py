from django.core.management.base import BaseCommand, CommandError

from sohosolo.maps.index import index_rebuild
from sohosolo.territories.models import Territory


class Command(BaseCommand):
    help = (
        "Recompute the map's index of local services (points and cluster cells) from the services: after "
        "a bulk import that moved communes between territories, or to tighten the cells' extents."
    )

    def add_arguments(self, parser):
        parser.add_argument("--territory", action="append", default=[], help="Territory slug (repeatable).")

    def handle(self, *args, territory, **options):
        ids = None
        if territory:
            found = dict(Territory.objects.filter(slug__in=territory).values_list("slug", "pk"))
            unknown = sorted(set(territory) - set(found))
            if unknown:
                raise CommandError(f"unknown territory: {', '.join(unknown)}")
            ids = set(found.values())
        count = index_rebuild(ids)
        self.stdout.write(f"map index rebuilt: {count} services")
