"""One-year follow-up survey of installed prospects (signed link, reminder at 13 months).

Twelve months after ``installed_on`` an installed prospect (not anonymised, with an email, who still
agrees to be contacted) gets an email in their language with a signed link to a short survey
(``prospects_survey:answer``); a reminder goes one month later if they have not answered. Each email
is claimed with a conditional UPDATE in the transaction that stores it, so a second run of the job
(or two workers) never sends it twice. The answer is stored on the prospect, once.
"""

import calendar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from sohosolo.core.outbox import outbox_enqueue
from sohosolo.core.scheduler import register_job

from .models import ActivityKind, Prospect, Stage
from .services import ProspectError, activity_record

SALT = "prospects.followup"
LINK_MAX_AGE = timedelta(days=90)
SEND_AFTER_MONTHS = 12
REMIND_AFTER_MONTHS = 13
# A survey "one year after" makes no sense years later (an import of old installations, a job down for
# long): installations older than this are not surveyed.
SEND_UNTIL_MONTHS = 15
# The reminder never follows the first email closely, even when the first one went out late.
REMINDER_MIN_GAP = timedelta(days=21)
EMAIL_TEMPLATE = "prospect_followup"
REMINDER_TEMPLATE = "prospect_followup_reminder"


class InvalidLink(ProspectError):
    """The survey link is forged, damaged or no longer points to a surveyed prospect."""


class ExpiredLink(InvalidLink):
    pass


class AlreadyAnswered(ProspectError):
    pass


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Signed links -----------------------------------------------------------------------------------


def followup_token(prospect: Prospect) -> str:
    return signing.dumps({"p": prospect.pk}, salt=SALT, compress=True)


def followup_prospect_for(token: str, *, territory=None) -> Prospect:
    """The prospect a survey link was made for; InvalidLink / ExpiredLink otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExpiredLink(_("Ce lien a expiré.")) from exc
    except signing.BadSignature as exc:
        raise InvalidLink(_("Ce lien n'est pas valide.")) from exc
    pk = data.get("p") if isinstance(data, dict) else None
    prospects = Prospect.objects.active().filter(stage=Stage.INSTALLED)
    if territory is not None:
        prospects = prospects.of_territory(territory)
    prospect = prospects.filter(pk=pk).first() if isinstance(pk, int) else None
    if prospect is None:
        raise InvalidLink(_("Ce lien n'est pas valide."))
    return prospect


def followup_url(prospect: Prospect, language: str) -> str:
    """The survey's absolute address, on the prospect's territory's first host name."""
    with translation.override(language):
        path = reverse("prospects_survey:answer", kwargs={"token": followup_token(prospect)})
    hosts = prospect.territory.hostnames or ["localhost"]
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{hosts[0]}{path}"


# --- The job ----------------------------------------------------------------------------------------


def _surveyable():
    return (
        Prospect.objects.active()
        .filter(
            stage=Stage.INSTALLED, installed_on__isnull=False, consent_contact=True, followup_answered_at=None
        )
        .exclude(email="")
    )


def _email(prospect: Prospect, template: str) -> None:
    language = prospect.language if prospect.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    outbox_enqueue(
        to=prospect.email,
        template=template,
        context={
            "first_name": prospect.first_name,
            "territory_name": prospect.territory.name,
            "url": followup_url(prospect, language),
            "valid_days": LINK_MAX_AGE.days,
        },
        language=language,
        territory=prospect.territory,
        kind=template,
    )


def followup_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Send the survey to prospects installed 12 months ago and the reminder at 13 months; once each."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"sent": 0, "reminded": 0}
    first = {
        "followup_sent_at": None,
        "installed_on__lte": months_before(today, SEND_AFTER_MONTHS),
        "installed_on__gt": months_before(today, SEND_UNTIL_MONTHS),
    }
    for prospect in _surveyable().filter(**first).select_related("territory").iterator():
        with transaction.atomic():
            # Claim and email in one transaction: the claim succeeds once, and the email is stored
            # only if the claim is committed.
            if not _surveyable().filter(pk=prospect.pk, **first).update(followup_sent_at=now):
                continue
            _email(prospect, EMAIL_TEMPLATE)
            counts["sent"] += 1
    reminder = {
        "followup_sent_at__lte": now - REMINDER_MIN_GAP,
        "followup_reminded_at": None,
        "installed_on__lte": months_before(today, REMIND_AFTER_MONTHS),
    }
    for prospect in _surveyable().filter(**reminder).select_related("territory").iterator():
        with transaction.atomic():
            if not _surveyable().filter(pk=prospect.pk, **reminder).update(followup_reminded_at=now):
                continue
            _email(prospect, REMINDER_TEMPLATE)
            counts["reminded"] += 1
    return counts


@task()
def send_followup_surveys() -> dict[str, int]:
    """Daily: the one-year survey of installed prospects, and its reminder a month later."""
    return followup_send_due()


register_job(name="prospects.followup", task=send_followup_surveys, every=timedelta(days=1))


# --- The answer -------------------------------------------------------------------------------------


@transaction.atomic
def followup_answer(
    *,
    prospect: Prospect,
    still_living: bool,
    activity_going: bool,
    would_recommend: bool,
    comment: str = "",
    now: datetime | None = None,
) -> Prospect:
    """Store the survey's answer once (AlreadyAnswered afterwards); answering is an inbound contact."""
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if prospect.followup_answered_at is not None:
        raise AlreadyAnswered(_("Vous avez déjà répondu à cette enquête. Merci !"))
    now = now or timezone.now()
    prospect.followup_still_living = still_living
    prospect.followup_activity_going = activity_going
    prospect.followup_would_recommend = would_recommend
    prospect.followup_comment = comment.strip()
    prospect.followup_answered_at = now
    prospect.last_inbound_at = now
    prospect.save(
        update_fields=[
            "followup_still_living",
            "followup_activity_going",
            "followup_would_recommend",
            "followup_comment",
            "followup_answered_at",
            "last_inbound_at",
            "updated_at",
        ]
    )
    activity_record(
        prospect=prospect,
        kind=ActivityKind.SURVEY,
        occurred_at=now,
        text=prospect.followup_comment,
        data={
            "still_living": still_living,
            "activity_going": activity_going,
            "would_recommend": would_recommend,
        },
    )
    return prospect
