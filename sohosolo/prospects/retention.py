"""Retention: a prospect's file is kept 3 years after their last contact, then anonymised.

Thirty days before the end, the person gets an email (in their language) with a signed link to keep
their file; answering counts as a new contact from them and starts the 3 years again. Files still
without any contact from the person after 3 years are anonymised (``privacy.prospect_anonymise``,
reason "retention"). A daily job does both; running it twice changes nothing more.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from sohosolo.core.outbox import outbox_enqueue
from sohosolo.core.scheduler import register_job

from .models import ActivityKind, Prospect
from .privacy import REASON_RETENTION, prospect_anonymise

RETENTION = timedelta(days=3 * 365)
ASK_BEFORE = timedelta(days=30)
# The link outlives the 30 days left to answer, so a late click still gets a clear answer.
LINK_VALIDITY = timedelta(days=60)
SALT = "prospects.retention"
EMAIL_TEMPLATE = "prospect_retention"


class RetentionLinkError(Exception):
    """A link that cannot be used; ``message`` says why, for the person who clicked it."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def retention_token(prospect: Prospect) -> str:
    return signing.dumps({"p": prospect.pk}, salt=SALT, compress=True)


def retention_prospect_for_token(token: str) -> Prospect:
    """The prospect a link was sent to; RetentionLinkError if forged, expired or already erased."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_VALIDITY)
    except signing.SignatureExpired as exc:
        raise RetentionLinkError(
            _("Ce lien a expiré. Écrivez-nous si vous souhaitez que nous conservions votre dossier.")
        ) from exc
    except signing.BadSignature as exc:
        raise RetentionLinkError(
            _("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier.")
        ) from exc
    prospect = Prospect.objects.select_related("territory").filter(pk=data.get("p")).first()
    if prospect is None or prospect.anonymised_at:
        raise RetentionLinkError(_("Ce dossier a déjà été effacé : il n'y a plus rien à conserver."))
    return prospect


def retention_deadline(prospect: Prospect) -> datetime:
    """When the file is anonymised unless the person gets in touch before."""
    return prospect.last_inbound_at + RETENTION


@transaction.atomic
def retention_keep(*, prospect: Prospect, now: datetime | None = None) -> Prospect:
    """The person asked to keep their file: a contact from them, so the 3 years start again."""
    from .services import activity_record

    now = now or timezone.now()
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if prospect.anonymised_at:
        raise RetentionLinkError(_("Ce dossier a déjà été effacé : il n'y a plus rien à conserver."))
    prospect.retention_confirmed_at = now
    prospect.last_inbound_at = now
    prospect.save(update_fields=["retention_confirmed_at", "last_inbound_at", "updated_at"])
    with translation.override(settings.LANGUAGE_CODE):  # the timeline is the advisors' (French)
        text = gettext("A demandé à conserver son dossier (courriel de conservation).")
    activity_record(
        prospect=prospect,
        kind=ActivityKind.OTHER,
        text=text,
        occurred_at=now,
        data={"event": "retention_kept"},
    )
    return prospect


def _due_to_ask(now: datetime):
    return (
        Prospect.objects.active()
        .filter(last_inbound_at__lte=now - (RETENTION - ASK_BEFORE), last_inbound_at__gt=now - RETENTION)
        .filter(Q(retention_asked_at__isnull=True) | Q(retention_asked_at__lt=F("last_inbound_at")))
        .exclude(email="")
    )


def retention_ask_due(*, now: datetime | None = None, base_url: str | None = None) -> int:
    """Email each prospect whose file ends within 30 days, once per period without contact."""
    now = now or timezone.now()
    asked = 0
    for prospect in _due_to_ask(now).select_related("territory").iterator():
        with transaction.atomic():
            # Claim and email together: the conditional UPDATE succeeds once only.
            claimed = _due_to_ask(now).filter(pk=prospect.pk).update(retention_asked_at=now)
            if not claimed:
                continue
            language = prospect.language if prospect.language in dict(settings.LANGUAGES) else None
            language = language or prospect.territory.default_language or settings.LANGUAGE_CODE
            outbox_enqueue(
                to=prospect.email,
                template=EMAIL_TEMPLATE,
                context={
                    "first_name": prospect.first_name,
                    "territory_name": prospect.territory.name,
                    "deadline": retention_deadline(prospect),
                    "url": retention_url(prospect, language=language, base_url=base_url),
                },
                language=language,
                territory=prospect.territory,
                kind=EMAIL_TEMPLATE,
            )
        asked += 1
    return asked


def retention_url(prospect: Prospect, *, language: str, base_url: str | None = None) -> str:
    """The absolute link to keep the file (the territory's first host name outside a request)."""
    with translation.override(language):
        path = reverse("prospects_retention:confirm", kwargs={"token": retention_token(prospect)})
    if not base_url:
        hosts = prospect.territory.hostnames or ["localhost"]
        base_url = f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{hosts[0]}"
    return base_url.rstrip("/") + path


def retention_anonymise_due(*, now: datetime | None = None) -> int:
    """Anonymise the files without any contact from the person for 3 years."""
    now = now or timezone.now()
    due = Prospect.objects.active().filter(last_inbound_at__lte=now - RETENTION)
    done = 0
    for pk in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            # Checked again under lock: the person may have answered since the list was read.
            prospect = Prospect.objects.select_for_update().filter(pk=pk).first()
            if prospect is None or prospect.anonymised_at or prospect.last_inbound_at > now - RETENTION:
                continue
            prospect_anonymise(prospect=prospect, by=None, reason=REASON_RETENTION)
        done += 1
    return done


def retention_run(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {"asked": retention_ask_due(now=now), "anonymised": retention_anonymise_due(now=now)}


@task()
def run_retention() -> dict:
    """Daily: ask the people whose file ends within 30 days, anonymise the files past 3 years."""
    return retention_run()


register_job(name="prospects.retention", task=run_retention, every=timedelta(days=1))
