"""Build the map's index of the services already in the database (maps.index keeps it up to date)."""

from django.db import migrations


def build(apps, schema_editor):
    from sohosolo.maps.index import index_rows

    Service = apps.get_model("services", "Service")
    ServicePoint = apps.get_model("maps", "ServicePoint")
    ServiceCell = apps.get_model("maps", "ServiceCell")
    rows = Service.objects.values_list("pk", "commune__territory_id", "category", "lat", "lon", "name")
    point_rows, cell_rows = index_rows(rows.order_by().iterator(chunk_size=2000))
    ServicePoint.objects.bulk_create((ServicePoint(**row) for row in point_rows), batch_size=1000)
    ServiceCell.objects.bulk_create((ServiceCell(**row) for row in cell_rows), batch_size=1000)


def forget(apps, schema_editor):
    apps.get_model("maps", "ServiceCell").objects.all().delete()
    apps.get_model("maps", "ServicePoint").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0001_initial"),
        ("services", "0001_initial"),
    ]

    operations = [migrations.RunPython(build, forget)]
