"""The « Passeport Entreprendre »: a candidate's file opening the partners' offers, and its uses."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The checklist a new territory starts with (key, French label); each territory may edit its own.
DEFAULT_STEPS = [
    ("project_defined", _("Projet défini")),
    ("met_advisor", _("Rencontre avec un conseiller")),
    ("info_meeting", _("Participation à une réunion d'information")),
    ("financing_plan", _("Plan de financement")),
    ("housing_found", _("Logement trouvé")),
    ("activity_registered", _("Activité immatriculée")),
    ("installed", _("Installation")),
]


class ChecklistStep(models.Model):
    """One step of a territory's passport checklist."""

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="passport_steps"
    )
    key = models.SlugField(max_length=40)
    label = models.CharField(_("étape"), max_length=150)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("étape du passeport")
        verbose_name_plural = _("étapes du passeport")
        ordering = ["territory", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["territory", "key"], name="passports_step_key_unique")]

    def __str__(self) -> str:
        return self.label


class PassportQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "PassportQuerySet":
        return self.filter(territory=territory)

    def valid(self, on=None) -> "PassportQuerySet":
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_until__gte=on)


class Passport(models.Model):
    prospect = models.OneToOneField("prospects.Prospect", on_delete=models.CASCADE, related_name="passport")
    territory = models.ForeignKey("territories.Territory", on_delete=models.PROTECT, related_name="passports")
    number = models.CharField(_("numéro"), max_length=40, unique=True)  # e.g. GERS-2026-0042
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    # Printed beside the number: a partner desk without a camera finds the passport with both.
    check_code = models.CharField(_("code de contrôle"), max_length=8)
    opened_at = models.DateTimeField(_("ouvert le"), default=timezone.now)
    valid_until = models.DateField(_("valable jusqu'au"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_reason = models.CharField(_("motif de révocation"), max_length=200, blank=True)

    objects = PassportQuerySet.as_manager()

    class Meta:
        verbose_name = _("passeport")
        verbose_name_plural = _("passeports")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "year", "sequence"], name="passports_number_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.valid_until >= timezone.localdate()

    def get_additional_data(self) -> dict:
        return {"territory": self.territory_id, "prospect": self.prospect_id}


class StepDone(models.Model):
    """A checklist step ticked on a passport (by the advisor or the candidate)."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="steps_done")
    step = models.ForeignKey(ChecklistStep, on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["passport", "step"], name="passports_stepdone_unique")]

    def __str__(self) -> str:
        return f"{self.passport} – {self.step}"


class Redemption(models.Model):
    """One use of a partner's offer by a passport holder, recorded once by the partner.

    ``use_number`` runs from 1 to the offer's uses per passport; the unique constraint on
    (passport, offer, use_number) is what keeps concurrent taps from exceeding the allowed uses.
    """

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="redemptions")
    offer = models.ForeignKey("partners.Offer", on_delete=models.PROTECT, related_name="redemptions")
    use_number = models.PositiveSmallIntegerField()
    redeemed_at = models.DateTimeField(_("utilisée le"), default=timezone.now)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("utilisation")
        verbose_name_plural = _("utilisations")
        ordering = ["-redeemed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["passport", "offer", "use_number"], name="passports_redemption_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.passport} – {self.offer} #{self.use_number}"

    def get_additional_data(self) -> dict:
        return {"territory": self.passport.territory_id, "prospect": self.passport.prospect_id}
