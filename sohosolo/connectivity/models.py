from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohosolo.core.locking import VersionedModel


class MobileLevel(models.TextChoices):
    NONE = "none", _("aucune couverture")
    BASIC = "basic", _("couverture limitée")
    GOOD = "good", _("bonne couverture")
    VERY_GOOD = "very_good", _("très bonne couverture")


OPERATORS = ("orange", "sfr", "bouygues", "free")


class ConnectivityQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "ConnectivityQuerySet":
        return self.filter(commune__territory=territory)

    def with_fibre(self) -> "ConnectivityQuerySet":
        """Communes where at least some premises can get fibre."""
        return self.filter(fibre_share_pct__gt=0)


class Connectivity(models.Model):
    """Official broadband and mobile coverage figures of a commune, with their source and date."""

    commune = models.OneToOneField(
        "territories.Commune", on_delete=models.CASCADE, related_name="connectivity"
    )
    fibre_share_pct = models.FloatField(
        _("part des locaux raccordables à la fibre (%)"), null=True, blank=True
    )
    best_dsl_mbps = models.FloatField(_("meilleur débit ADSL/VDSL (Mbit/s)"), null=True, blank=True)
    fixed_4g = models.BooleanField(_("box 4G"), default=False)
    fixed_5g = models.BooleanField(_("box 5G"), default=False)
    satellite = models.BooleanField(_("satellite"), default=False)
    mobile_orange = models.CharField("Orange", max_length=10, choices=MobileLevel.choices, default="none")
    mobile_sfr = models.CharField("SFR", max_length=10, choices=MobileLevel.choices, default="none")
    mobile_bouygues = models.CharField(
        "Bouygues Telecom", max_length=10, choices=MobileLevel.choices, default="none"
    )
    mobile_free = models.CharField("Free Mobile", max_length=10, choices=MobileLevel.choices, default="none")
    source = models.CharField(_("source"), max_length=200)
    date = models.DateField(_("date des données"))
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False)

    objects = ConnectivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("couverture numérique")
        verbose_name_plural = _("couvertures numériques")

    def __str__(self) -> str:
        return f"{self.commune}"

    @property
    def has_fibre(self) -> bool:
        return bool(self.fibre_share_pct and self.fibre_share_pct > 0)

    def mobile_coverage(self) -> list[dict]:
        """One row per operator: its name, the level code and the level's translated label."""
        rows = []
        for operator in OPERATORS:
            field = self._meta.get_field(f"mobile_{operator}")
            value = getattr(self, field.attname)
            rows.append(
                {
                    "operator": field.verbose_name,
                    "level": value,
                    "label": MobileLevel(value).label if value in MobileLevel.values else value,
                }
            )
        return rows


class ConnectivityCorrectionQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "ConnectivityCorrectionQuerySet":
        return self.filter(commune__territory=territory)

    def editable_by(self, user, territory) -> "ConnectivityCorrectionQuerySet":
        """Ground checks a user may edit: all of the territory for its staff, else their villages' communes."""
        from sohosolo.villages.models import Village

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_perm("accounts.view_staff_area", territory):
            return self.of_territory(territory)
        return self.filter(commune__village__in=Village.objects.editable_by(user, territory))


class ConnectivityCorrection(VersionedModel):
    """A committee's ground check, shown beside the official figures (never replacing them)."""

    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.CASCADE, related_name="connectivity_corrections"
    )
    topic = models.CharField(_("sujet"), max_length=100)
    note = models.TextField(_("constat"))
    checked_on = models.DateField(_("vérifié sur le terrain le"), default=timezone.localdate)
    author = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConnectivityCorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction de terrain")
        verbose_name_plural = _("corrections de terrain")
        ordering = ["-checked_on", "-pk"]

    def get_additional_data(self) -> dict:
        return {"territory": self.commune.territory_id, "commune": self.commune.code}
