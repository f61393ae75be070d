"""The map's index of local services: derived rows, kept in step with the services by maps.index.

Nothing here is edited by hand. Every write to a service (save, delete, bulk_create, queryset update or
delete, see ServiceQuerySet) updates these rows in the same transaction; `manage.py map_index_rebuild`
recomputes them from the services (after a bulk import of communes that moves communes between
territories, for instance).
"""

from django.db import models


class ServicePoint(models.Model):
    """A service as the map sends it, with its territory and its position on the cluster grid."""

    id = models.BigIntegerField(primary_key=True)  # the service's id (no foreign key: see maps.index)
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.CharField(max_length=20)
    code = models.CharField(max_length=1)  # the category in one letter (index.KIND_CODES): quick to count
    lat = models.FloatField()
    lon = models.FloatField()
    x = models.IntegerField()  # grid.position_x(lon)
    y = models.IntegerField()  # grid.position_y(lat)
    band = models.IntegerField()  # x >> grid.BAND_SHIFT
    item = models.TextField()  # the JSON array the endpoint sends: [id,lat,lon,"kind","label"]

    class Meta:
        indexes = [
            # Covers the map's reads: points in a box, or their cells, without reading the table.
            models.Index(
                fields=["territory", "band", "lat", "lon", "category", "code", "x", "y", "item"],
                name="maps_point_box_idx",
            )
        ]

    def __str__(self) -> str:
        return self.item


class ServiceCell(models.Model):
    """The services of one grid cell at one zoom: how many, the sums of their positions, their extent.

    One row per category, and one with category "" for all of them, whose `kinds` gives the count per
    category ("bakery=3,doctor=1"). The extent does not shrink when a service leaves (a rebuild tightens
    it): "all of the cell's points are inside the box" stays true whenever the extent is inside the box.
    """

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.CharField(max_length=20, blank=True)
    zoom = models.PositiveSmallIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    n = models.PositiveIntegerField()
    lat_sum = models.FloatField()
    lon_sum = models.FloatField()
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lon = models.FloatField()
    # The extent of the parent cell (zoom - 1, same category; none at zoom 0): whether the parent is
    # wholly inside a box is then known from this row alone.
    parent_min_lat = models.FloatField(null=True)
    parent_max_lat = models.FloatField(null=True)
    parent_min_lon = models.FloatField(null=True)
    parent_max_lon = models.FloatField(null=True)
    kinds = models.TextField(blank=True)
    cluster = models.TextField()  # the cell as the endpoint sends it: [lat, lon, n] (grid.cluster_item)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "category", "zoom", "cx", "cy"], name="maps_cell_unique"
            )
        ]
        indexes = [
            # Covers the map's reads but `kinds` (read for a few cells only): a box's cells come from the
            # index alone.
            models.Index(
                fields=[
                    "territory", "category", "zoom", "cx", "cy", "min_lat", "max_lat", "min_lon",
                    "max_lon", "parent_min_lat", "parent_max_lat", "parent_min_lon", "parent_max_lon",
                    "n", "cluster",
                ],
                name="maps_cell_box_idx",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.territory_id}/{self.category or '*'}/{self.zoom}/{self.cx}/{self.cy}: {self.n}"
