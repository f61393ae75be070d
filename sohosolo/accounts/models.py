from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    """Users are identified by their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account; the email is the login (case-insensitive, unique)."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    preferred_language = models.CharField(_("langue préférée"), max_length=8, blank=True)
    is_sample = models.BooleanField(_("donnée d'exemple"), default=False, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    PROSPECT = "prospect", _("porteur de projet")
    MEMBER = "member", _("Solo installé")
    COMMITTEE = "committee", _("membre d'un comité d'accueil")
    PARTNER = "partner", _("équipe d'un partenaire")
    ADVISOR = "advisor", _("conseiller")
    TERRITORY_ADMIN = "territory_admin", _("administrateur du territoire")


STAFF_ROLES = frozenset({Role.ADVISOR, Role.TERRITORY_ADMIN})


class MembershipQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "MembershipQuerySet":
        return self.filter(territory=territory)

    def staff(self) -> "MembershipQuerySet":
        return self.filter(role__in=STAFF_ROLES)


class Membership(models.Model):
    """A user's role in a territory, with an optional scope (a village, a partner) for scoped roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    scope_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scope_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        ordering = ["territory", "role", "user__email"]
        constraints = [
            # Coalesce: a role without scope is unique too (NULLs are distinct in a plain unique index).
            models.UniqueConstraint(
                "user",
                "territory",
                "role",
                Coalesce("scope_type", 0),
                Coalesce("scope_id", 0),
                name="accounts_membership_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(scope_type__isnull=True, scope_id__isnull=True)
                | models.Q(scope_type__isnull=False, scope_id__isnull=False),
                name="accounts_membership_scope_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.territory})"

    @property
    def scope(self):
        if self.scope_type_id is None:
            return None
        return self.scope_type.get_object_for_this_type(pk=self.scope_id)

    def get_additional_data(self) -> dict:
        """Stored with each audit log entry, so the log can be listed per territory."""
        return {"territory": self.territory_id, "email": self.user.email, "role": self.role}


class InvitationQuerySet(models.QuerySet):
    def of_territory(self, territory) -> "InvitationQuerySet":
        return self.filter(territory=territory)

    def pending(self) -> "InvitationQuerySet":
        from django.utils import timezone

        return self.filter(accepted_at=None, cancelled_at=None, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation by email to a role in a territory (with the role's scope where it has one)."""

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    scope_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scope_id = models.PositiveBigIntegerField(null=True, blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} – {self.get_role_display()} ({self.territory})"

    @property
    def state(self) -> str:
        from django.utils import timezone

        if self.accepted_at:
            return "accepted"
        if self.cancelled_at:
            return "cancelled"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def scope(self):
        if self.scope_type_id is None:
            return None
        return self.scope_type.get_object_for_this_type(pk=self.scope_id)

    def get_additional_data(self) -> dict:
        return {"territory": self.territory_id, "email": self.email, "role": self.role}
