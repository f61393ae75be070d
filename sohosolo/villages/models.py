import math

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohosolo.core.locking import VersionedModel


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    PUBLISHED = "published", _("publié")


class VillageQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "VillageQuerySet":
        return self.filter(territory=territory)

    def published(self) -> "VillageQuerySet":
        return self.filter(status=PublicationStatus.PUBLISHED)

    def editable_by(self, user, territory) -> "VillageQuerySet":
        """Villages a user may edit: all of the territory for its staff, else those of their committees."""
        from sohosolo.accounts.models import Membership, Role

        qs = self.of_territory(territory)
        if not user.is_authenticated:
            return qs.none()
        if user.is_superuser or user.has_perm("accounts.view_staff_area", territory):
            return qs
        ids = Membership.objects.filter(
            user=user,
            territory=territory,
            role=Role.COMMITTEE,
            scope_type__model="village",
            scope_type__app_label="villages",
        ).values("scope_id")
        return qs.filter(pk__in=ids)


class Village(VersionedModel):
    """A commune that joined a territory's welcome network."""

    territory = models.ForeignKey("territories.Territory", on_delete=models.PROTECT, related_name="villages")
    commune = models.OneToOneField("territories.Commune", on_delete=models.PROTECT, related_name="village")
    slug = models.SlugField(_("identifiant"), max_length=120)
    status = models.CharField(_("statut"), max_length=10, choices=PublicationStatus.choices, default="draft")
    presentation = models.TextField(_("présentation"), blank=True)
    product_title = models.CharField(_("produit ou service phare"), max_length=150, blank=True)
    product_text = models.TextField(_("description du produit ou service"), blank=True)
    product_photo = models.ImageField(_("photo du produit"), upload_to="villages/products/", blank=True)
    product_photo_alt = models.CharField(_("description de la photo du produit"), max_length=200, blank=True)
    unpublished_reason = models.TextField(_("motif de dépublication"), blank=True)
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("village d'accueil")
        verbose_name_plural = _("villages d'accueil")
        ordering = ["commune__search_name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "slug"], name="villages_village_slug_unique")
        ]

    def __str__(self) -> str:
        return self.commune.name

    @property
    def name(self) -> str:
        return self.commune.name

    def get_additional_data(self) -> dict:
        """Stored with each audit log entry, so the log can be listed per territory and per village."""
        return {"territory": self.territory_id, "village": self.commune.name, "village_id": self.pk}

    def committee_members(self):
        """Users holding the committee role for this village (never shown with their emails in public)."""
        from django.contrib.contenttypes.models import ContentType

        from sohosolo.accounts.models import Role, User

        return (
            User.objects.filter(
                is_active=True,
                memberships__territory_id=self.territory_id,
                memberships__role=Role.COMMITTEE,
                memberships__scope_type=ContentType.objects.get_for_model(Village),
                memberships__scope_id=self.pk,
            )
            .distinct()
            .order_by("first_name", "pk")
        )

    def cover_photo(self):
        """The first gallery photo (uses prefetched photos), else None."""
        photos = list(self.photos.all())
        return photos[0] if photos else None

    def travel_times(self) -> list[dict]:
        """Estimated (or measured, where the committee gave one) travel times to the main cities.

        Each row: {"city", "minutes", "measured", "estimate"}. The estimate is the straight-line
        distance × the territory's detour factor at its average speed. The village's own city is
        left out (Auch is not "2 min from Auch").
        """
        measured = {t.city: t.minutes for t in self.measured_travel_times.all()}
        territory = self.territory
        rows = []
        for city in territory.main_cities or []:
            name = city.get("name", "")
            if name == self.commune.name:
                continue
            km = haversine_km(self.commune.lat, self.commune.lon, city["lat"], city["lon"])
            estimate = max(1, round(km * territory.travel_detour_factor / territory.travel_speed_kmh * 60))
            if name in measured:
                rows.append({"city": name, "minutes": measured[name], "measured": True, "estimate": estimate})
            else:
                rows.append({"city": name, "minutes": estimate, "measured": False, "estimate": estimate})
        return rows


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


class MeasuredTravelTime(models.Model):
    """A committee's measured travel time to a main city, shown instead of the estimate."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="measured_travel_times")
    city = models.CharField(_("ville"), max_length=120)
    minutes = models.PositiveIntegerField(_("minutes"))
    measured_on = models.DateField(_("mesuré le"), default=timezone.localdate)

    class Meta:
        verbose_name = _("temps de trajet mesuré")
        verbose_name_plural = _("temps de trajet mesurés")
        constraints = [
            models.UniqueConstraint(fields=["village", "city"], name="villages_travel_city_unique")
        ]

    def __str__(self) -> str:
        return f"{self.city} : {self.minutes} min"

    def get_additional_data(self) -> dict:
        return self.village.get_additional_data()


class VillagePhoto(models.Model):
    """A photo of the village's gallery, always with its text alternative."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="villages/photos/")
    alt_text = models.CharField(_("description de la photo (texte alternatif)"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("photo du village")
        verbose_name_plural = _("photos du village")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.alt_text

    def get_additional_data(self) -> dict:
        return self.village.get_additional_data()


class CommitteeMessage(models.Model):
    """A visitor's message to a village's welcome committee (stored, then emailed via the outbox)."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="messages")
    name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("adresse e-mail"))
    message = models.TextField(_("message"), max_length=5000)
    language = models.CharField(max_length=8, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message au comité")
        verbose_name_plural = _("messages au comité")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
