"""Meetings and events: recurring series (RFC 5545), their occurrences, and registrations.

A series holds the recurrence (an RRULE in the series' time zone, from a local start time) and the
defaults; occurrences are rows materialised for the coming months by a scheduled job, each with its
own capacity, place, audience and description. A one-off event is a series of one (no RRULE).
Times: ``Series.dtstart`` is a naive local time in ``Series.timezone``; ``Occurrence.starts_at`` is
aware (UTC in the database), computed from the local time so 18:00 stays 18:00 across DST changes.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_TIMEZONE = "Europe/Paris"


class EventKind(models.TextChoices):
    INFO_MEETING = "info_meeting", _("réunion d'information")
    CLUB = "club", _("petit-déjeuner du Club")
    WORKSHOP = "workshop", _("atelier")
    VILLAGE = "village", _("événement de village")
    OTHER = "other", _("autre")


class Audience(models.TextChoices):
    PUBLIC = "public", _("ouvert à tous")
    PROSPECTS = "prospects", _("porteurs de projet")
    MEMBERS = "members", _("Solos installés (membres)")


class SeriesQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "SeriesQuerySet":
        return self.filter(territory=territory)

    def published(self) -> "SeriesQuerySet":
        return self.filter(is_published=True)


class Series(models.Model):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.PROTECT, related_name="event_series"
    )
    village = models.ForeignKey(
        "villages.Village",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_series",
        verbose_name=_("village"),
    )
    slug = models.SlugField(_("identifiant"), max_length=120)
    kind = models.CharField(_("type"), max_length=15, choices=EventKind.choices)
    title = models.CharField(_("titre"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    # Recurrence: RFC 5545 RRULE value without the "RRULE:" prefix, e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE".
    # Empty: a one-off event (a series of one).
    rrule = models.CharField(_("règle de récurrence (RFC 5545)"), max_length=300, blank=True)
    dtstart = models.DateTimeField(_("première date (heure locale)"))  # naive, in `timezone`
    duration_minutes = models.PositiveIntegerField(_("durée (minutes)"), default=90)
    timezone = models.CharField(_("fuseau horaire"), max_length=50, default=DEFAULT_TIMEZONE)
    exdates = models.JSONField(
        _("dates exclues"), default=list, blank=True
    )  # ["2026-12-23", ...] local dates
    # Defaults copied to each new occurrence.
    capacity = models.PositiveIntegerField(_("places"), default=30)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    online_url = models.URLField(_("lien de la réunion en ligne"), blank=True)
    audience = models.CharField(_("public"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    # Registration questions: [{"key": "q1", "label": "...", "required": true}]
    questions = models.JSONField(_("questions à l'inscription"), default=list, blank=True)
    is_published = models.BooleanField(_("publié"), default=True)
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("série de rendez-vous")
        verbose_name_plural = _("séries de rendez-vous")
        ordering = ["territory", "title"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "slug"], name="events_series_slug_unique")
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"territory": self.territory_id, "series": self.pk}


class OccurrenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("prévu")
    CANCELLED = "cancelled", _("annulé")


class OccurrenceQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "OccurrenceQuerySet":
        return self.filter(series__territory=territory)

    def upcoming(self, now=None) -> "OccurrenceQuerySet":
        return self.filter(ends_at__gte=now or timezone.now())

    def public(self) -> "OccurrenceQuerySet":
        """Of published series, not cancelled (cancelled ones stay visible on their own page)."""
        return self.filter(series__is_published=True, status=OccurrenceStatus.SCHEDULED)


class Occurrence(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="occurrences")
    # The recurrence instance this row stands for (local naive time of the rule), kept when moved.
    recurrence_id = models.DateTimeField()
    starts_at = models.DateTimeField(_("début"), db_index=True)
    ends_at = models.DateTimeField(_("fin"))
    capacity = models.PositiveIntegerField(_("places"))
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    online_url = models.URLField(_("lien de la réunion en ligne"), blank=True)
    audience = models.CharField(_("public"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    description = models.TextField(_("description"), blank=True)
    questions = models.JSONField(_("questions à l'inscription"), default=list, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=OccurrenceStatus.choices, default="scheduled"
    )
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    # Edited by staff: the materialising job no longer overwrites it from the series.
    is_modified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "recurrence_id"], name="events_occurrence_instance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} – {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict:
        return {"territory": self.series.territory_id, "series": self.series_id}


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("inscrit")
    WAITLISTED = "waitlisted", _("sur liste d'attente")
    CANCELLED = "cancelled", _("annulé")


class Attendance(models.TextChoices):
    UNKNOWN = "", _("non pointé")
    ATTENDED = "attended", _("présent")
    NO_SHOW = "no_show", _("absent")


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> "RegistrationQuerySet":
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def confirmed(self) -> "RegistrationQuerySet":
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waitlisted(self) -> "RegistrationQuerySet":
        return self.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "pk")


class Registration(models.Model):
    """A person's seat at an occurrence, or their place on its waiting list."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    prospect = models.ForeignKey(
        "prospects.Prospect", null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("adresse e-mail"))
    language = models.CharField(_("langue"), max_length=8, default="fr")
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=RegistrationStatus.choices)
    attendance = models.CharField(
        _("présence"), max_length=10, choices=Attendance.choices, blank=True, default=""
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["occurrence", "status"], name="events_reg_occ_status_idx")]
        constraints = [
            # One active registration per email and occurrence (cancelled ones may repeat).
            models.UniqueConstraint(
                "occurrence",
                models.functions.Lower("email"),
                condition=~models.Q(status="cancelled"),
                name="events_registration_one_active_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurrence} – {self.get_status_display()}"

    def get_additional_data(self) -> dict:
        return {"territory": self.occurrence.series.territory_id, "occurrence": self.occurrence_id}
