from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohosolo.core.locking import VersionedModel

DEFAULT_VALIDITY = timedelta(days=60)
MAX_PHOTOS = 10


class Kind(models.TextChoices):
    HOUSE = "house", _("maison")
    FLAT = "flat", _("appartement")
    OFFICE = "office", _("bureau")
    LAND = "land", _("terrain")
    PREMISES = "premises", _("local professionnel")
    TAKEOVER = "takeover", _("commerce à reprendre")


class Transaction(models.TextChoices):
    RENT = "rent", _("location")
    SALE = "sale", _("vente")


class HousingStatus(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    PUBLISHED = "published", _("publiée")
    EXPIRED = "expired", _("expirée")
    WITHDRAWN = "withdrawn", _("retirée")


class HousingOfferQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "HousingOfferQuerySet":
        return self.filter(village__territory=territory)

    def public(self, now=None) -> "HousingOfferQuerySet":
        """Published and not past their expiry date (expired offers leave public pages on their own)."""
        now = now or timezone.now()
        return self.filter(status=HousingStatus.PUBLISHED, expires_at__gt=now, village__status="published")

    def in_bbox(self, west: float, south: float, east: float, north: float) -> "HousingOfferQuerySet":
        """Offers whose (approximate) position lies in the box, in degrees; west > east crosses 180°."""
        qs = self.filter(lat__gte=south, lat__lte=north)
        if west <= east:
            return qs.filter(lon__gte=west, lon__lte=east)
        return qs.filter(models.Q(lon__gte=west) | models.Q(lon__lte=east))

    def editable_by(self, user, territory) -> "HousingOfferQuerySet":
        """Offers of the villages the user may edit in the territory (see Village.objects.editable_by)."""
        from sohosolo.villages.models import Village

        return self.filter(village__in=Village.objects.editable_by(user, territory))

    def with_photos(self) -> "HousingOfferQuerySet":
        """Village, commune and ordered photos in three queries whatever the number of offers."""
        return self.select_related("village__commune").prefetch_related(
            models.Prefetch("photos", queryset=HousingPhoto.objects.order_by("position", "pk"))
        )


class HousingOffer(VersionedModel):
    """A house, flat, office, land or premises to rent or buy, in a village."""

    village = models.ForeignKey("villages.Village", on_delete=models.CASCADE, related_name="housing_offers")
    kind = models.CharField(_("type de bien"), max_length=10, choices=Kind.choices)
    transaction = models.CharField(_("location ou vente"), max_length=5, choices=Transaction.choices)
    title = models.CharField(_("titre"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    price = models.PositiveIntegerField(
        _("prix (€)"), help_text=_("Loyer mensuel ou prix de vente, en euros.")
    )
    surface_m2 = models.PositiveIntegerField(_("surface (m²)"), null=True, blank=True)
    rooms = models.PositiveSmallIntegerField(_("pièces"), null=True, blank=True)
    # Approximate position only: never the exact address in public.
    lat = models.FloatField(_("latitude approximative"))
    lon = models.FloatField(_("longitude approximative"))
    status = models.CharField(_("statut"), max_length=10, choices=HousingStatus.choices, default="draft")
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    unpublished_reason = models.TextField(_("motif de retrait"), blank=True)
    author = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="housing_offers"
    )
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HousingOfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offre de logement")
        verbose_name_plural = _("offres de logement")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["lat", "lon"]), models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"territory": self.village.territory_id, "village": str(self.village)}

    @property
    def cover(self) -> "HousingPhoto | None":
        """The first photo (no query when the photos were prefetched, see with_photos)."""
        photos = list(self.photos.all())
        return photos[0] if photos else None

    def is_public(self, now=None) -> bool:
        """Shown on the public pages and the map right now (same rule as HousingOfferQuerySet.public)."""
        now = now or timezone.now()
        return (
            self.status == HousingStatus.PUBLISHED
            and self.expires_at is not None
            and self.expires_at > now
            and self.village.status == "published"
        )


class HousingPhoto(models.Model):
    """A photo re-encoded on upload: EXIF and GPS stripped, size bounded, with a thumbnail."""

    offer = models.ForeignKey(HousingOffer, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="housing/photos/")
    thumbnail = models.ImageField(upload_to="housing/thumbs/")
    alt_text = models.CharField(_("description de la photo (texte alternatif)"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.alt_text

    def get_additional_data(self) -> dict:
        """Stored with each audit log entry, so photo changes are listed with the territory's log."""
        offer = self.offer
        return {"territory": offer.village.territory_id, "offer": offer.pk, "offer_title": offer.title}


class HousingContactMessage(models.Model):
    offer = models.ForeignKey(HousingOffer, on_delete=models.CASCADE, related_name="messages")
    name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("adresse e-mail"))
    message = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message sur une offre")
        verbose_name_plural = _("messages sur les offres")

    def __str__(self) -> str:
        return f"{self.name} – {self.offer_id}"
