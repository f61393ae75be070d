"""Outbox: email stored in the business transaction, delivered exactly once by the task worker.

Delivery protocol (see ``outbox_deliver``):
1. Claim: one conditional UPDATE moves the row from ``pending`` (due) — or from ``sending`` whose
   claim is older than CLAIM_TIMEOUT — to ``sending`` with a fresh claim token. Only one worker's
   UPDATE can match, on SQLite and PostgreSQL alike, so no two workers send the same message.
2. Send through the configured email backend (SMTP in production).
3. Mark ``sent`` with an UPDATE guarded by the claim token.

If the process dies after the mail server accepted the message and before step 3, the row stays
``sending``. After CLAIM_TIMEOUT the dispatcher reclaims and sends it again: that is the one case of
a duplicate, accepted because losing a message is worse. The duplicate carries the same Message-ID
header, so mail servers and clients that deduplicate on it show it once. A message interrupted
before the server accepted it is simply delivered on that retry.

Failures are retried with exponential backoff; a message still failing 24 hours after it was
created ends as ``failed`` and is listed for territory staff.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(hours=24)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=2)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(template: str, context: dict, language: str) -> RenderedEmail:
    """Render emails/<template>_subject.txt, .txt and .html in the given language."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return RenderedEmail(subject=subject, text=text, html=html)


def outbox_store(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    language: str,
    territory=None,
    kind: str = "",
    attachments: list[dict] | None = None,
) -> OutboxMessage:
    """Store a rendered email in the current transaction; the worker is asked to send it after commit."""
    message = OutboxMessage.objects.create(
        territory=territory,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
        kind=kind,
        attachments=attachments or [],
        message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
        next_attempt_at=timezone.now(),
    )
    from .tasks import send_outbox_message

    transaction.on_commit(lambda: send_outbox_message.enqueue(message.pk))
    return message


def outbox_enqueue(
    *,
    to: str,
    template: str,
    context: dict,
    language: str,
    territory=None,
    kind: str = "",
    attachments: list[dict] | None = None,
) -> OutboxMessage:
    """Render emails/<template> in the recipient's language and store it (see outbox_store)."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    rendered = render_email(template, {**context, "language": language}, language)
    return outbox_store(
        to=to,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language=language,
        territory=territory,
        kind=kind or template,
        attachments=attachments,
    )


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _claim(message_id: int, now) -> uuid.UUID | None:
    token = uuid.uuid4()
    claimable = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    claimed = OutboxMessage.objects.filter(claimable, pk=message_id).update(
        status=OutboxStatus.SENDING, claimed_at=now, claim_token=token
    )
    return token if claimed else None


def outbox_deliver(*, message_id: int) -> bool:
    """Send one message if it is due and nobody else holds it; return True if this call sent it."""
    now = timezone.now()
    token = _claim(message_id, now)
    if token is None:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Message-ID": message.message_id, "Content-Language": message.language},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments or []:
        email.attach(attachment["filename"], attachment["content"], attachment.get("mimetype", "text/plain"))
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any transport failure is retried
        attempts = message.attempts + 1
        gave_up = now - message.created_at >= GIVE_UP_AFTER
        OutboxMessage.objects.filter(pk=message_id, claim_token=token).update(
            status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
            attempts=attempts,
            next_attempt_at=now + _backoff(attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claim_token=None,
        )
        logger.warning(
            "outbox: message %s to %s failed (attempt %s): %s", message_id, message.to, attempts, exc
        )
        return False
    OutboxMessage.objects.filter(pk=message_id, claim_token=token).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), attempts=message.attempts + 1, claim_token=None
    )
    return True


def outbox_due_ids(now=None) -> list[int]:
    """Messages to (re)try now: pending and due, or stuck in 'sending' past the claim timeout."""
    now = now or timezone.now()
    return list(
        OutboxMessage.objects.filter(
            Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=OutboxStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        ).values_list("pk", flat=True)[:500]
    )


def outbox_purge(*, older_than: timedelta = timedelta(days=90)) -> int:
    """Delete sent and failed messages older than the retention period."""
    deleted, _ = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.SENT, OutboxStatus.FAILED], created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
