"""What village committees see of prospects and do with them (see rules.py for who).

A village's committee sees a prospect only when the prospect chose the village and consented to share
their project with it (``Prospect.objects.visible_to_committee`` / ``shared_with_village``); it sees
the name, the project's summary, the timing, the household, the email and the phone, and its own
villages' notes (``Activity`` of kind ``committee``) — never the source, the stages, the advisors'
notes nor the other villages the prospect chose.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sohosolo.core.outbox import outbox_enqueue

from .models import Activity, ActivityKind, Prospect

EMAIL_TEMPLATE = "prospect_for_committee"
VILLAGE_FIELDS = ("id", "slug", "territory_id", "commune__id", "commune__name")
# What the committee's list shows of each row (only these columns are read: no JSON, no free text).
LIST_FIELDS = (
    "id", "village_id", "prospect_id",
    "village__id", "village__commune__id", "village__commune__name",
    "prospect__id", "prospect__first_name", "prospect__last_name", "prospect__activity",
    "prospect__sector", "prospect__timing", "prospect__created_at", "prospect__anonymised_at",
)  # fmt: skip
NOTE_MAX_LENGTH = 1000


def committee_villages(user, territory):
    """The villages whose shared prospects this user sees: their committees' (all of T for T's staff)."""
    from sohosolo.villages.models import Village

    # Only what the pages show: the commune's outline (GeoJSON) would be decoded for nothing.
    return Village.objects.editable_by(user, territory).select_related("commune").only(*VILLAGE_FIELDS)


def committee_prospects(user, territory):
    """The prospects shared with the user's villages (the only ones a committee page may show)."""
    return Prospect.objects.visible_to_committee(user, territory)


def committee_shared_rows(user, territory):
    """The villages-prospects link rows of the prospects shared with the user's villages.

    A queryset of ``Prospect.villages.through`` (``row.village``, ``row.prospect`` joined), ordered by
    village then newest prospect first, restricted by ``visible_to_committee``: the list pages it.
    """
    through = Prospect.villages.through
    return (
        through.objects.filter(
            village__in=committee_villages(user, territory).values("pk"),
            prospect__in=committee_prospects(user, territory).values("pk"),
        )
        .select_related("village__commune", "prospect")
        .only(*LIST_FIELDS)
        .order_by("village__commune__name", "village_id", "-prospect__created_at", "-prospect_id")
    )


def committee_villages_of(prospect: Prospect, user):
    """The villages of this user (their committees', or all for staff) that the prospect shared with."""
    return (
        committee_villages(user, prospect.territory)
        .filter(pk__in=prospect.villages.values("pk"))
        .order_by("commune__name", "pk")
    )


def committee_notes(prospect: Prospect, villages) -> list[Activity]:
    """The committee notes of these villages on the prospect (the only activities a committee sees)."""
    return list(
        Activity.objects.filter(prospect=prospect, kind=ActivityKind.COMMITTEE, village__in=villages)
        .select_related("village__commune", "author")
        .order_by("-occurred_at", "-pk")
    )


def committees_notify_new_prospect(*, prospect, villages) -> None:
    """Email the committees of ``villages`` that a prospect who consented to share chose their village.

    Called by the intake (project form) and when a prospect adds villages in "Mon espace"; does
    nothing when the prospect has not consented to share. Emails go through the outbox.

    Call it once the prospect's villages are saved: only villages the prospect chose (and of its
    territory) are told, since their committee could not open the link otherwise. Each committee
    member gets one email (listing their villages when they sit on several committees concerned),
    in their preferred language or the territory's. The email holds the prospect's first name only:
    the rest is behind the login, on the page the link opens.
    """
    if not prospect.consent_share_villages or prospect.anonymised_at is not None:
        return
    chosen = set(prospect.villages.values_list("pk", flat=True))
    wanted = sorted(
        (v for v in villages if v.pk in chosen and v.territory_id == prospect.territory_id),
        key=lambda v: v.pk,
    )
    if not wanted:
        return
    territory = prospect.territory
    recipients: dict[int, tuple] = {}
    for village in wanted:
        for user in village.committee_members():
            if not user.email:
                continue
            recipients.setdefault(user.pk, (user, []))[1].append(village)
    with transaction.atomic():
        for user, user_villages in recipients.values():
            language = user.preferred_language or territory.default_language or settings.LANGUAGE_CODE
            outbox_enqueue(
                to=user.email,
                template=EMAIL_TEMPLATE,
                context={
                    "recipient_first_name": user.first_name,
                    "first_name": prospect.first_name,
                    "village_names": [v.name for v in user_villages],
                    "territory_name": territory.name,
                    "url": _absolute_url(prospect, language),
                },
                language=language,
                territory=territory,
                kind=EMAIL_TEMPLATE,
            )


def _absolute_url(prospect: Prospect, language: str) -> str:
    """The committee's page of the prospect on the territory's first host name (emails need a host)."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("prospects_committee:detail", args=[prospect.pk])
    hosts = prospect.territory.hostnames or ["localhost"]
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{hosts[0]}{path}"


class CommitteeNoteError(Exception):
    """A refused committee note; ``message`` is shown to the committee member."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def committee_note_record(*, prospect: Prospect, village, text: str, by) -> Activity:
    """« Comité contacté »: the committee of ``village`` says it contacted the prospect (with a note).

    The note lands on the prospect's timeline, where the advisors see it with the village's name; the
    committee sees only its own villages' notes. ``village`` must be one the prospect shared with and
    the user's (their committee's, or any of the territory for its staff).
    """
    from . import services  # at call time: services may come to import this module

    text = (text or "").strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise CommitteeNoteError(
            _("La note ne doit pas dépasser %(max)s caractères.") % {"max": NOTE_MAX_LENGTH}, field="note"
        )
    if not committee_prospects(by, prospect.territory).filter(pk=prospect.pk).exists():
        # Not shared with this user's villages (no consent, or withdrawn since the page was opened).
        raise CommitteeNoteError(_("Ce projet n'est pas partagé avec vos villages."))
    if village is None or not committee_villages_of(prospect, by).filter(pk=village.pk).exists():
        raise CommitteeNoteError(_("Choisissez un de vos villages."), field="village")
    return services.activity_record(
        prospect=prospect, kind=ActivityKind.COMMITTEE, village=village, by=by, text=text
    )
