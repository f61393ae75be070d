from django.db import models
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


class ServiceQuerySet(models.QuerySet):
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
