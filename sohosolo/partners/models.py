"""Partners (organisations serving newcomers), their offers to passport holders, and referrals."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    CHAMBER = "chamber", _("chambre consulaire")
    URSSAF = "urssaf", _("URSSAF")
    ACCOUNTANT = "accountant", _("expert-comptable")
    BANK = "bank", _("banque")
    NOTARY = "notary", _("notaire")
    LAWYER = "lawyer", _("avocat")
    INSURER = "insurer", _("assureur")
    COWORKING = "coworking", _("coworking")
    ASSOCIATION = "association", _("association")
    OTHER = "other", _("autre")


class PartnerQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "PartnerQuerySet":
        return self.filter(territory=territory)

    def published(self) -> "PartnerQuerySet":
        return self.filter(is_published=True)

    def of_user(self, user, territory) -> "PartnerQuerySet":
        """The partners whose staff the user is (partner role scoped to the partner) in the territory."""
        from sohosolo.accounts.models import Membership, Role

        if not user.is_authenticated:
            return self.none()
        ids = Membership.objects.filter(
            user=user,
            territory=territory,
            role=Role.PARTNER,
            scope_type__app_label="partners",
            scope_type__model="partner",
        ).values("scope_id")
        return self.of_territory(territory).filter(pk__in=ids)


class Partner(models.Model):
    territory = models.ForeignKey("territories.Territory", on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(_("nom"), max_length=150)
    slug = models.SlugField(_("identifiant"), max_length=160)
    kind = models.CharField(_("type"), max_length=12, choices=PartnerKind.choices)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.ForeignKey(
        "territories.Commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("commune"),
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    website = models.URLField(_("site web"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("adresse e-mail de contact"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="partners/logos/", blank=True)
    is_published = models.BooleanField(_("visible dans l'annuaire public"), default=True)
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "slug"], name="partners_partner_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"territory": self.territory_id, "partner": self.pk}


class OfferQuerySet(models.QuerySet):
    def active(self, on=None) -> "OfferQuerySet":
        """Active offers valid on the day ``on`` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(is_active=True).filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=on),
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on),
        )


class Offer(models.Model):
    """A service a partner gives passport holders (e.g. a free first consultation)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(_("titre"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    valid_from = models.DateField(_("valable à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    uses_per_passport = models.PositiveSmallIntegerField(_("utilisations par passeport"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offre")
        verbose_name_plural = _("offres")
        ordering = ["partner__name", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uses_per_passport__gte=1), name="partners_offer_uses_min_1"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"territory": self.partner.territory_id, "partner": self.partner_id}


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("envoyée")
    CONTACTED = "contacted", _("contacté")
    APPOINTMENT = "appointment", _("rendez-vous pris")
    DONE = "done", _("terminée")


class Referral(models.Model):
    """An advisor refers a candidate to a partner (with the candidate's consent, in the ledger)."""

    prospect = models.ForeignKey("prospects.Prospect", on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="referrals")
    message = models.TextField(_("message au partenaire"), blank=True)
    status = models.CharField(
        _("statut"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.partner} ← {self.prospect_id}"

    def get_additional_data(self) -> dict:
        return {
            "territory": self.partner.territory_id,
            "prospect": self.prospect_id,
            "partner": self.partner_id,
        }
