import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("en attente")
    SENDING = "sending", _("en cours d'envoi")
    SENT = "sent", _("envoyé")
    FAILED = "failed", _("échec définitif")


class OutboxMessageQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "OutboxMessageQuerySet":
        return self.filter(territory=territory)

    def failed(self) -> "OutboxMessageQuerySet":
        return self.filter(status=OutboxStatus.FAILED)


class OutboxMessage(models.Model):
    """An email stored with the business change that caused it, sent by the worker after commit.

    Rendered at creation in the recipient's language; the worker only delivers it (see core.outbox).
    """

    territory = models.ForeignKey(
        "territories.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=300)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    # Small text attachments (e.g. an event's .ics): [{"filename", "mimetype", "content"}].
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    language = models.CharField(_("langue"), max_length=8)
    kind = models.CharField(_("type"), max_length=60, blank=True)
    message_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class JobRun(models.Model):
    """One (job, time slot) enqueued by the scheduler; the unique constraint makes it happen once."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    scheduler_id = models.CharField(max_length=64, default="", blank=True)
    token = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("exécution planifiée")
        verbose_name_plural = _("exécutions planifiées")
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="core_jobrun_job_slot_unique")]
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
