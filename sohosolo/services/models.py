from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohosolo.core.locking import VersionedModel


class Category(models.TextChoices):
    CRECHE = "creche", _("crèche")
    PRIMARY_SCHOOL = "primary_school", _("école primaire")
    COLLEGE = "college", _("collège")
    LYCEE = "lycee", _("lycée")
    DOCTOR = "doctor", _("médecin")
    PHARMACY = "pharmacy", _("pharmacie")
    DENTIST = "dentist", _("dentiste")
    HOSPITAL = "hospital", _("hôpital")
    GROCERY = "grocery", _("épicerie")
    BAKERY = "bakery", _("boulangerie")
    MARKET = "market", _("marché")
    POST_OFFICE = "post_office", _("bureau de poste")
    BANK = "bank", _("banque / distributeur")
    TRAIN_STATION = "train_station", _("gare")
    BUS_LINE = "bus_line", _("ligne de bus")
    COWORKING = "coworking", _("coworking / télécentre")
    LIBRARY = "library", _("médiathèque")
    SPORTS_GROUND = "sports_ground", _("équipement sportif")
    RESTAURANT = "restaurant", _("restaurant")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


CATEGORY_ORDER = {value: index for index, value in enumerate(Category.values)}


# Fields of a service the map's index (maps.ServicePoint, maps.ServiceCell) is derived from.
MAP_FIELDS = frozenset({"commune", "commune_id", "category", "name", "lat", "lon"})


class ServiceQuerySet(models.QuerySet):
    """Bulk writes keep the map's index in step too (they send no per-object signal)."""

    def bulk_create(self, objs, *args, **kwargs):
        from sohosolo.maps.index import index_sync

        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if any(obj.pk is None for obj in created):  # ignore_conflicts: the ids are not known
                from sohosolo.maps.index import index_rebuild
                from sohosolo.territories.models import Commune

                communes = {obj.commune_id for obj in created}
                index_rebuild(
                    set(Commune.objects.filter(pk__in=communes).values_list("territory_id", flat=True))
                )
            else:
                index_sync([obj.pk for obj in created])
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        from sohosolo.maps.index import index_sync

        objs = list(objs)
        with transaction.atomic(using=self.db):
            updated = super().bulk_update(objs, fields, *args, **kwargs)
            if MAP_FIELDS.intersection(fields):
                index_sync([obj.pk for obj in objs])
        return updated

    bulk_update.alters_data = True

    def update(self, **kwargs):
        from sohosolo.maps.index import index_sync

        if not MAP_FIELDS.intersection(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))  # before: the filter may read the changed fields
            updated = super().update(**kwargs)
            index_sync(ids)
        return updated

    update.alters_data = True

    def delete(self):
        from sohosolo.maps.index import index_sync, suspended

        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            with suspended():  # one sync for all, not one per deleted service
                deleted = super().delete()
            index_sync(ids)
        return deleted

    delete.alters_data = True
    delete.queryset_only = True

    def of_territory(self, territory) -> "ServiceQuerySet":
        return self.filter(commune__territory=territory)

    def of_commune(self, commune) -> "ServiceQuerySet":
        return self.filter(commune=commune)

    def of_category(self, *categories: str) -> "ServiceQuerySet":
        """Services of any of these categories (codes of `Category`); `of_category()` keeps them all."""
        flat = [c for item in categories for c in ([item] if isinstance(item, str) else item)]
        unknown = set(flat) - set(Category.values)
        if unknown:
            raise ValueError(f"unknown service categories: {', '.join(sorted(unknown))}")
        return self.filter(category__in=flat) if flat else self

    def in_bbox(self, west: float, south: float, east: float, north: float) -> "ServiceQuerySet":
        """Services whose position lies in the box (degrees, WGS84); uses the (lat, lon) index.

        A box crossing the antimeridian (west > east) is accepted.
        """
        if south > north:
            raise ValueError("south must not be greater than north")
        qs = self.filter(lat__gte=south, lat__lte=north)
        if west <= east:
            return qs.filter(lon__gte=west, lon__lte=east)
        return qs.filter(models.Q(lon__gte=west) | models.Q(lon__lte=east))

    def editable_by(self, user, territory) -> "ServiceQuerySet":
        """Services a user may edit: all of the territory for its staff, else those of their villages' communes."""
        from sohosolo.villages.models import Village

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_perm("accounts.view_staff_area", territory):
            return self.of_territory(territory)
        return self.filter(commune__village__in=Village.objects.editable_by(user, territory))


class Service(VersionedModel):
    """A local service (school, doctor, shop, station…) located in a commune."""

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="services")
    category = models.CharField(_("catégorie"), max_length=20, choices=Category.choices, db_index=True)
    name = models.CharField(_("nom"), max_length=200)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    market_day = models.PositiveSmallIntegerField(
        _("jour de marché"), choices=Weekday.choices, null=True, blank=True
    )
    opening_hours = models.CharField(_("horaires d'ouverture"), max_length=300, blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    website = models.URLField(_("site web"), max_length=300, blank=True)
    last_verified = models.DateField(_("vérifié le"), default=timezone.localdate)
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service de proximité")
        verbose_name_plural = _("services de proximité")
        ordering = ["category", "name"]
        indexes = [models.Index(fields=["lat", "lon"]), models.Index(fields=["commune", "category"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_category_display()})"

    def get_additional_data(self) -> dict:
        return {"territory": self.commune.territory_id, "commune": self.commune.code}

    @property
    def category_rank(self) -> int:
        """Position of the category in the fixed list (crèche, schools, health, shops…), for grouping."""
        return CATEGORY_ORDER.get(self.category, len(CATEGORY_ORDER))
