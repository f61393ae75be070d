"""Prospects: people with a plan to move, the advisors' pipeline, and the consent ledger.

Personal data lives on ``Prospect`` (and in the free text of its activities); anonymisation
(``privacy.prospect_anonymise``) blanks it and keeps the fields the funders' figures count.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohosolo.core.locking import VersionedModel


class Stage(models.TextChoices):
    CONTACT = "contact", _("contact")
    QUALIFIED = "qualified", _("qualifié")
    CANDIDATE = "candidate", _("candidat")
    INSTALLING = "installing", _("en cours d'installation")
    INSTALLED = "installed", _("installé")
    LOST = "lost", _("perdu")


# Stages in funnel order (lost is outside the funnel).
FUNNEL = [Stage.CONTACT, Stage.QUALIFIED, Stage.CANDIDATE, Stage.INSTALLING, Stage.INSTALLED]

# Allowed transitions: forward one step (or straight to installed from installing), back one step to
# correct a mistake, to lost from any open stage, and reopening a lost prospect as a contact.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.CONTACT: frozenset({Stage.QUALIFIED, Stage.LOST}),
    Stage.QUALIFIED: frozenset({Stage.CANDIDATE, Stage.CONTACT, Stage.LOST}),
    Stage.CANDIDATE: frozenset({Stage.INSTALLING, Stage.QUALIFIED, Stage.LOST}),
    Stage.INSTALLING: frozenset({Stage.INSTALLED, Stage.CANDIDATE, Stage.LOST}),
    Stage.INSTALLED: frozenset(),
    Stage.LOST: frozenset({Stage.CONTACT}),
}


class LostReason(models.TextChoices):
    ABANDONED = "abandoned", _("projet abandonné")
    OTHER_TERRITORY = "other_territory", _("a choisi un autre territoire")
    NOT_VIABLE = "not_viable", _("projet non viable")
    UNREACHABLE = "unreachable", _("injoignable")
    OTHER = "other", _("autre")


class WorkStatus(models.TextChoices):
    FREELANCE = "freelance", _("indépendant·e / freelance")
    TELEWORKER = "teleworker", _("salarié·e en télétravail")
    BUSINESS_OWNER = "business_owner", _("chef·fe d'entreprise")
    BUSINESS_CREATOR = "business_creator", _("créateur·rice d'entreprise")
    EMPLOYEE = "employee", _("salarié·e souhaitant changer de région")


class Sector(models.TextChoices):
    DIGITAL = "digital", _("numérique, informatique")
    CREATIVE = "creative", _("création, design, communication")
    CONSULTING = "consulting", _("conseil, formation")
    CRAFT = "craft", _("artisanat, bâtiment")
    TRADE = "trade", _("commerce")
    HEALTH = "health", _("santé, bien-être, services à la personne")
    TOURISM = "tourism", _("tourisme, hôtellerie, restauration")
    AGRICULTURE = "agriculture", _("agriculture, agroalimentaire")
    INDUSTRY = "industry", _("industrie")
    OTHER = "other", _("autre")


class Timing(models.TextChoices):
    UNDER_6 = "lt6", _("dans moins de 6 mois")
    SIX_TO_12 = "6to12", _("dans 6 à 12 mois")
    OVER_12 = "gt12", _("dans plus de 12 mois")


class Need(models.TextChoices):
    RENT = "rent", _("louer un logement")
    BUY = "buy", _("acheter un logement")
    OFFICE = "office", _("un bureau ou local professionnel")
    COWORKING = "coworking", _("un espace de coworking")
    CHILDCARE = "childcare", _("une garde d'enfants ou une école")
    PARTNER_JOB = "partner_job", _("un emploi pour mon ou ma partenaire")


class HeardFrom(models.TextChoices):
    SEARCH = "search", _("moteur de recherche")
    SOCIAL = "social", _("réseaux sociaux")
    PRESS = "press", _("presse, radio, télévision")
    WORD_OF_MOUTH = "word_of_mouth", _("bouche-à-oreille")
    EVENT = "event", _("salon ou événement")
    PARTNER = "partner", _("un partenaire (chambre consulaire, mairie…)")
    OTHER = "other", _("autre")


class Channel(models.TextChoices):
    """How the contact reached the programme (the source recorded for the figures)."""

    FORM = "form", _("formulaire du site")
    PHONE = "phone", _("appel téléphonique")
    FAIR = "fair", _("salon")
    PAPER = "paper", _("formulaire papier")
    WALK_IN = "walk_in", _("visite à l'accueil")
    EMAIL = "email", _("courriel")
    IMPORT = "import", _("import de fichier")
    OTHER = "other", _("autre")


class ActivityCreated(models.TextChoices):
    CREATED = "created", _("activité créée sur place")
    MOVED = "moved", _("activité transférée")
    TELEWORK = "telework", _("télétravail pour un employeur extérieur")


class HelpfulAction(models.TextChoices):
    WEBSITE = "website", _("le site et ses informations")
    ADVISOR = "advisor", _("l'accompagnement d'un conseiller")
    MEETING = "meeting", _("une réunion d'information")
    VILLAGE = "village", _("l'accueil d'un village")
    PASSPORT = "passport", _("le passeport et les partenaires")
    HOUSING = "housing", _("une offre de logement")
    NETWORK = "network", _("le réseau des Solos installés")


class ProspectQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "ProspectQuerySet":
        return self.filter(territory=territory)

    def active(self) -> "ProspectQuerySet":
        """Not anonymised: the people the pipeline works with."""
        return self.filter(anonymised_at__isnull=True)

    def open(self) -> "ProspectQuerySet":
        return self.active().exclude(stage__in=[Stage.INSTALLED, Stage.LOST])

    def matching_contact(self, territory, *, email: str = "", phone: str = "") -> "ProspectQuerySet":
        """Active prospects of the territory with the same email (case-insensitive) or phone."""
        condition = models.Q(pk__in=[])
        if email:
            condition |= models.Q(email__iexact=email.strip())
        normalised = normalise_phone(phone)
        if normalised:
            condition |= models.Q(phone_normalised=normalised)
        return self.active().of_territory(territory).filter(condition)

    def shared_with_village(self, village) -> "ProspectQuerySet":
        """Prospects who chose the village and consented to share their project with its committee."""
        return self.active().filter(villages=village, consent_share_villages=True)

    def visible_to_committee(self, user, territory) -> "ProspectQuerySet":
        from sohosolo.villages.models import Village

        villages = Village.objects.editable_by(user, territory)
        return (
            self.active()
            .of_territory(territory)
            .filter(villages__in=villages, consent_share_villages=True)
            .distinct()
        )


def normalise_phone(phone: str) -> str:
    """Digits only, French national form: "+33 6 12 34 56 78" and "06.12.34.56.78" give "0612345678"."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if (phone or "").strip().startswith("+33") or (digits.startswith("33") and len(digits) == 11):
        digits = "0" + digits[2:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    return digits


class Prospect(VersionedModel):
    """A person with a plan to move to the territory, followed from first contact to installation."""

    territory = models.ForeignKey("territories.Territory", on_delete=models.PROTECT, related_name="prospects")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="prospects"
    )
    # Identity and contact (personal data: blanked on anonymisation).
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom de famille"), max_length=100, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    phone_normalised = models.CharField(max_length=30, blank=True, editable=False, db_index=True)
    current_location = models.CharField(_("où vivez-vous aujourd'hui ?"), max_length=150, blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    # The project (kept for the figures on anonymisation, except free text).
    activity = models.CharField(_("activité"), max_length=200, blank=True)
    sector = models.CharField(_("secteur"), max_length=20, choices=Sector.choices, blank=True)
    work_status = models.CharField(
        _("situation professionnelle"), max_length=20, choices=WorkStatus.choices, blank=True
    )
    adults = models.PositiveSmallIntegerField(_("adultes"), null=True, blank=True)
    children = models.PositiveSmallIntegerField(_("enfants"), null=True, blank=True)
    children_ages = models.CharField(_("âges des enfants"), max_length=60, blank=True)
    timing = models.CharField(_("échéance"), max_length=5, choices=Timing.choices, blank=True)
    anywhere = models.BooleanField(_("n'importe où dans le territoire"), default=False)
    villages = models.ManyToManyField(
        "villages.Village", blank=True, related_name="prospects", verbose_name=_("villages choisis")
    )
    needs = models.JSONField(_("besoins"), default=list, blank=True)  # list of Need values
    message = models.TextField(_("message"), blank=True)
    heard_from = models.CharField(
        _("comment nous avez-vous connus ?"), max_length=20, choices=HeardFrom.choices, blank=True
    )
    heard_from_detail = models.CharField(_("précisions"), max_length=200, blank=True)
    # Source of the contact.
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.FORM)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    referrer = models.CharField(_("page d'origine"), max_length=500, blank=True)
    landing_url = models.CharField(_("page d'arrivée"), max_length=500, blank=True)
    # Current state of each consent (the ledger, ConsentRecord, holds the history and the proof).
    consent_contact = models.BooleanField(_("accepte d'être contacté"), default=False)
    consent_share_villages = models.BooleanField(
        _("accepte le partage avec les villages choisis"), default=False
    )
    consent_newsletter = models.BooleanField(_("accepte la lettre d'information"), default=False)
    # Pipeline.
    stage = models.CharField(
        _("étape"), max_length=12, choices=Stage.choices, default=Stage.CONTACT, db_index=True
    )
    stage_changed_at = models.DateTimeField(_("étape depuis le"), default=timezone.now)
    lost_reason = models.CharField(_("motif de perte"), max_length=20, choices=LostReason.choices, blank=True)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("conseiller"),
    )
    next_action_on = models.DateField(_("prochaine action le"), null=True, blank=True, db_index=True)
    next_action = models.CharField(_("prochaine action"), max_length=200, blank=True)
    last_inbound_at = models.DateTimeField(_("dernier contact de sa part"), default=timezone.now)
    # Installation (what the funders' figures count).
    installed_commune = models.ForeignKey(
        "territories.Commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commune d'installation"),
    )
    installed_on = models.DateField(_("date d'installation"), null=True, blank=True)
    installed_adults = models.PositiveSmallIntegerField(_("adultes installés"), null=True, blank=True)
    installed_children = models.PositiveSmallIntegerField(_("enfants installés"), null=True, blank=True)
    activity_created = models.CharField(
        _("activité"), max_length=10, choices=ActivityCreated.choices, blank=True
    )
    jobs_created = models.PositiveSmallIntegerField(_("emplois"), null=True, blank=True)
    first_contact_before_move = models.BooleanField(
        _("premier contact avant le déménagement"), null=True, blank=True
    )
    helpful_actions = models.JSONField(_("actions qui ont aidé"), default=list, blank=True)
    # One-year follow-up survey.
    followup_sent_at = models.DateTimeField(null=True, blank=True)
    followup_reminded_at = models.DateTimeField(null=True, blank=True)
    followup_answered_at = models.DateTimeField(null=True, blank=True)
    followup_still_living = models.BooleanField(_("vit toujours sur place"), null=True, blank=True)
    followup_activity_going = models.BooleanField(_("activité en cours"), null=True, blank=True)
    followup_would_recommend = models.BooleanField(_("recommanderait le territoire"), null=True, blank=True)
    followup_comment = models.TextField(_("commentaire"), blank=True)
    # Retention (3 years without inbound contact) and erasure.
    retention_asked_at = models.DateTimeField(null=True, blank=True)
    retention_confirmed_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, db_index=True)
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProspectQuerySet.as_manager()

    class Meta:
        verbose_name = _("porteur de projet")
        verbose_name_plural = _("porteurs de projet")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["territory", "stage", "-created_at"], name="prospects_terr_stage_idx"),
            models.Index(fields=["territory", "advisor", "next_action_on"], name="prospects_todo_idx"),
            # The pipeline's funnel and its count per stage (active prospects), from the index alone.
            models.Index(fields=["territory", "anonymised_at", "stage"], name="prospects_funnel_idx"),
            # The distinct campaign sources the pipeline's filter offers, from the index alone.
            models.Index(
                fields=["territory", "anonymised_at", "utm_source"], name="prospects_utm_source_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(stage="lost") | ~models.Q(lost_reason=""),
                name="prospects_lost_has_reason",
            ),
        ]

    def __str__(self) -> str:
        if self.anonymised_at:
            return str(_("Porteur de projet anonymisé n° %(pk)s") % {"pk": self.pk})
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)

    def save(self, *args, **kwargs):
        self.phone_normalised = normalise_phone(self.phone)
        if kwargs.get("update_fields") is not None and "phone" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_normalised"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("prospects_staff:detail", args=[self.pk])

    def get_additional_data(self) -> dict:
        """Stored with each audit log entry (no personal data: the log outlives an erasure)."""
        return {"territory": self.territory_id, "prospect": self.pk}

    def allowed_stages(self) -> list[str]:
        return [s for s in Stage.values if s in TRANSITIONS[self.stage]]


class ActivityKind(models.TextChoices):
    CALL = "call", _("appel")
    EMAIL = "email", _("courriel")
    MEETING = "meeting", _("rendez-vous")
    NOTE = "note", _("note")
    VISIT = "visit", _("visite")
    EVENT = "event", _("participation à un événement")
    STAGE = "stage", _("changement d'étape")
    CONSENT = "consent", _("consentement")
    FORM = "form", _("nouveau contact via le formulaire")
    COMMITTEE = "committee", _("contact par le comité d'accueil")
    ASSIGNMENT = "assignment", _("attribution à un conseiller")
    IMPORT = "import", _("import")
    SURVEY = "survey", _("enquête de suivi à un an")
    PASSPORT = "passport", _("passeport")
    REFERRAL = "referral", _("orientation vers un partenaire")
    OTHER = "other", _("autre")


# Activities an advisor logs by hand on the prospect page.
MANUAL_KINDS = [
    ActivityKind.CALL,
    ActivityKind.EMAIL,
    ActivityKind.MEETING,
    ActivityKind.NOTE,
    ActivityKind.VISIT,
]


class Outcome(models.TextChoices):
    DONE = "done", _("fait")
    NO_ANSWER = "no_answer", _("pas de réponse")
    MESSAGE_LEFT = "message_left", _("message laissé")
    TO_FOLLOW = "to_follow", _("à suivre")


class Activity(models.Model):
    """Something that happened with a prospect: a call, a note, a stage change, an event attended…"""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("type"), max_length=12, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    outcome = models.CharField(_("résultat"), max_length=15, choices=Outcome.choices, blank=True)
    text = models.TextField(_("compte rendu"), blank=True)
    data = models.JSONField(default=dict, blank=True)  # structured details (stage from/to, ids)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A committee's note: the advisor sees it; the committee sees only its own village's notes.
    village = models.ForeignKey(
        "villages.Village", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action de suivi")
        verbose_name_plural = _("actions de suivi")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["prospect", "-occurred_at"], name="prospects_activity_tl_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.occurred_at:%Y-%m-%d}"

    def get_additional_data(self) -> dict:
        return {"territory": self.prospect.territory_id, "prospect": self.prospect_id}


class StageChange(models.Model):
    """One transition of the pipeline: who, when and why (the figures read these rows)."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    reason = models.CharField(max_length=20, choices=LostReason.choices, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage} ({self.at:%Y-%m-%d})"


class ConsentPurpose(models.TextChoices):
    CONTACT = "contact", _("être contacté par les conseillers du territoire")
    SHARE_VILLAGES = (
        "share_villages",
        _("partager le projet et les coordonnées avec les comités des villages choisis"),
    )
    NEWSLETTER = "newsletter", _("recevoir la lettre d'information")
    PARTNER_REFERRAL = "partner_referral", _("être orienté vers un partenaire")


# The field of Prospect that holds each purpose's current state.
CONSENT_FIELDS = {
    ConsentPurpose.CONTACT: "consent_contact",
    ConsentPurpose.SHARE_VILLAGES: "consent_share_villages",
    ConsentPurpose.NEWSLETTER: "consent_newsletter",
}


class ConsentSource(models.TextChoices):
    PROJECT_FORM = "project_form", _("formulaire projet")
    SPACE = "space", _("Mon espace")
    STAFF = "staff", _("saisie par un conseiller")
    IMPORT = "import", _("import de fichier")
    ERASURE = "erasure", _("effacement")


class ConsentRecord(models.Model):
    """The consent ledger: every consent given or withdrawn, with the wording's version (append only)."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("finalité"), max_length=20, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("accordé"))
    at = models.DateTimeField(_("date"), default=timezone.now)
    source = models.CharField(_("formulaire"), max_length=15, choices=ConsentSource.choices)
    wording_version = models.CharField(_("version du texte"), max_length=20)
    basis = models.TextField(_("comment et quand il a été donné"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("consentement")
        verbose_name_plural = _("registre des consentements")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.purpose} {'oui' if self.granted else 'non'} {self.at:%Y-%m-%d}"

    def get_additional_data(self) -> dict:
        return {"territory": self.prospect.territory_id, "prospect": self.prospect_id}


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("aperçu")
    APPLIED = "applied", _("appliqué")
    CANCELLED = "cancelled", _("annulé")


class ImportBatch(models.Model):
    """A spreadsheet of existing contacts being imported: parsed, mapped, previewed, then applied once.

    ``rows`` holds personal data only while the batch is a preview: applying or cancelling clears it,
    and stale previews are purged by a daily job.
    """

    territory = models.ForeignKey("territories.Territory", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(_("fichier"), max_length=255)
    columns = models.JSONField(default=list)  # the file's header row
    rows = models.JSONField(default=list)  # the data rows, as lists of strings (cleared after apply)
    mapping = models.JSONField(default=dict)  # prospect field -> column index
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.IMPORT)
    consent_basis = models.TextField(_("base du consentement"), blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import de contacts")
        verbose_name_plural = _("imports de contacts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
