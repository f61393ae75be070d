"""Writes on villages: creation, publication, the committee's edits, photos, travel times, messages.

Every write goes through save() (never queryset.update) so django-auditlog records who changed what.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from sohosolo.core.locking import save_versioned
from sohosolo.core.outbox import outbox_enqueue

from .images import normalised_photo
from .models import CommitteeMessage, MeasuredTravelTime, PublicationStatus, Village, VillagePhoto

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# The fields a committee edits, per language (django-modeltranslation columns).
TRANSLATED_FIELDS = ("presentation", "product_title", "product_text")
EDITABLE_TEXT_FIELDS = [f"{field}_{lang}" for field in TRANSLATED_FIELDS for lang in LANGUAGE_CODES] + [
    "product_photo_alt"
]
MAX_PHOTOS = 12
MAX_TRAVEL_MINUTES = 600


class VillageError(Exception):
    """A business rule refused the action; ``message`` is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class Messages:
    """The user-facing messages of these rules, in one place."""

    COMMUNE_ELSEWHERE = _("Cette commune n'appartient pas à ce territoire.")
    ALREADY_A_VILLAGE = _("%(name)s est déjà un village d'accueil.")
    ALREADY_PUBLISHED = _("Ce village est déjà publié.")
    NOT_PUBLISHED = _("Ce village n'est pas publié.")
    NEEDS_PRESENTATION = _("Ajoutez une présentation en français avant de publier ce village.")
    REASON_REQUIRED = _("Indiquez le motif : il est envoyé au comité d'accueil.")
    TOO_MANY_PHOTOS = _("Un village a %(max)s photos au plus : retirez-en une avant d'en ajouter.")
    ALT_REQUIRED = _("Décrivez la photo en quelques mots pour les personnes qui ne la voient pas.")
    UNKNOWN_CITY = _("%(city)s n'est pas une des villes principales du territoire.")
    BAD_MINUTES = _("Indiquez une durée entre 1 et %(max)s minutes.")
    NO_COMMITTEE = _("Ce village n'a pas encore de comité d'accueil à contacter.")


def _unique_slug(territory, name: str, code: str) -> str:
    base = slugify(name)[:100] or code
    slug = base
    if Village.objects.filter(territory=territory, slug=slug).exists():
        slug = f"{base}-{code}"
    return slug


@transaction.atomic
def village_create(*, territory, commune, by) -> Village:
    """Make one of the territory's communes a welcome village (a draft, until published)."""
    if commune.territory_id != territory.pk:
        raise VillageError(Messages.COMMUNE_ELSEWHERE)
    if Village.objects.filter(commune=commune).exists():
        raise VillageError(Messages.ALREADY_A_VILLAGE % {"name": commune.name})
    try:
        with transaction.atomic():
            return Village.objects.create(
                territory=territory,
                commune=commune,
                slug=_unique_slug(territory, commune.name, commune.code),
                status=PublicationStatus.DRAFT,
                updated_by=by,
            )
    except IntegrityError:  # created by someone else meanwhile
        raise VillageError(Messages.ALREADY_A_VILLAGE % {"name": commune.name}) from None


def _lock(village: Village) -> Village:
    return Village.objects.select_for_update().select_related("commune", "territory").get(pk=village.pk)


@transaction.atomic
def village_publish(*, village: Village, by) -> Village:
    """Put the village page online; what its committee saves afterwards is live at once."""
    village = _lock(village)
    if village.status == PublicationStatus.PUBLISHED:
        raise VillageError(Messages.ALREADY_PUBLISHED)
    if not (village.presentation_fr or "").strip():
        raise VillageError(Messages.NEEDS_PRESENTATION)
    village.status = PublicationStatus.PUBLISHED
    village.unpublished_reason = ""
    village.save(update_fields=["status", "unpublished_reason", "updated_at"])
    return village


@transaction.atomic
def village_unpublish(*, village: Village, reason: str, by, page_url: str = "") -> Village:
    """Take the page offline and email the reason to the committee (and the last editor)."""
    reason = (reason or "").strip()
    if not reason:
        raise VillageError(Messages.REASON_REQUIRED)
    village = _lock(village)
    if village.status != PublicationStatus.PUBLISHED:
        raise VillageError(Messages.NOT_PUBLISHED)
    village.status = PublicationStatus.DRAFT
    village.unpublished_reason = reason
    village.save(update_fields=["status", "unpublished_reason", "updated_at"])
    recipients = list(village.committee_members())
    last_editor = village.updated_by
    if last_editor and last_editor.is_active and last_editor != by and last_editor not in recipients:
        recipients.append(last_editor)
    for user in recipients:
        outbox_enqueue(
            to=user.email,
            template="village_unpublished",
            context={
                "village_name": village.name,
                "territory_name": village.territory.name,
                "reason": reason,
                "first_name": user.first_name,
                "edit_url": page_url,
            },
            language=user.preferred_language or village.territory.default_language,
            territory=village.territory,
        )
    return village


@transaction.atomic
def village_update(
    *,
    village: Village,
    expected_version: int,
    by,
    data: dict,
    product_photo=None,
    remove_product_photo: bool = False,
) -> Village:
    """Save the committee's text and product photo, unless someone saved since the form was opened.

    Raises core.locking.EditConflict on a stale version (nothing is written then).
    """
    unknown = set(data) - set(EDITABLE_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    # Only what changed is written (and logged); a save that changes nothing writes nothing.
    changed = {field: value for field, value in data.items() if (getattr(village, field) or "") != value}
    old_photo = village.product_photo.name if village.product_photo else ""
    photo_changes = product_photo is not None or (remove_product_photo and bool(old_photo))
    if not changed and not photo_changes:
        return village
    fields = [*changed, "updated_by", "updated_at"]
    for field, value in changed.items():
        setattr(village, field, value)
    village.updated_by = by
    if product_photo is not None:
        village.product_photo = normalised_photo(product_photo, stem=f"{village.slug}-produit")
        fields.append("product_photo")
    elif photo_changes:
        village.product_photo = ""
        fields.append("product_photo")
    save_versioned(village, expected_version=expected_version, fields=fields)
    if "product_photo" in fields and old_photo:
        _delete_file_on_commit(village.product_photo.storage, old_photo)
    return village


def _delete_file_on_commit(storage, name: str) -> None:
    transaction.on_commit(lambda: storage.delete(name))


def _touch(village: Village, by) -> None:
    """Record who changed the village last (photos and travel times are the village's too)."""
    village.updated_by = by
    village.updated_at = timezone.now()
    Village.objects.filter(pk=village.pk).update(updated_by=by, updated_at=village.updated_at)


@transaction.atomic
def village_photo_add(*, village: Village, image, alt_text: str, by) -> VillagePhoto:
    """Add a (validated) photo to the gallery, re-encoded without its metadata."""
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise VillageError(Messages.ALT_REQUIRED)
    village = _lock(village)
    count = village.photos.count()
    if count >= MAX_PHOTOS:
        raise VillageError(Messages.TOO_MANY_PHOTOS % {"max": MAX_PHOTOS})
    position = (village.photos.aggregate(m=Max("position"))["m"] or 0) + 1
    photo = VillagePhoto(village=village, alt_text=alt_text, position=position)
    photo.image = normalised_photo(image, stem=village.slug)
    photo.save()
    _touch(village, by)
    return photo


@transaction.atomic
def village_photo_remove(*, village: Village, photo: VillagePhoto, by) -> None:
    if photo.village_id != village.pk:
        raise VillagePhoto.DoesNotExist
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    if name:
        _delete_file_on_commit(storage, name)
    _touch(village, by)


@transaction.atomic
def village_travel_times_set(*, village: Village, minutes_by_city: dict, by) -> list[MeasuredTravelTime]:
    """Set (a number) or clear (None: back to the estimate) the measured time to each main city."""
    cities = {city.get("name") for city in village.territory.main_cities or []}
    for city, minutes in minutes_by_city.items():
        if city not in cities:
            raise VillageError(Messages.UNKNOWN_CITY % {"city": city})
        if minutes is not None and not 1 <= minutes <= MAX_TRAVEL_MINUTES:
            raise VillageError(Messages.BAD_MINUTES % {"max": MAX_TRAVEL_MINUTES})
    existing = {t.city: t for t in village.measured_travel_times.all()}
    today = timezone.localdate()
    changed = False
    for city, minutes in minutes_by_city.items():
        current = existing.get(city)
        if minutes is None:
            if current is not None:
                current.delete()
                changed = True
        elif current is None:
            MeasuredTravelTime.objects.create(village=village, city=city, minutes=minutes, measured_on=today)
            changed = True
        elif current.minutes != minutes:
            current.minutes = minutes
            current.measured_on = today
            current.save(update_fields=["minutes", "measured_on"])
            changed = True
    if changed:
        _touch(village, by)
    return list(village.measured_travel_times.order_by("city"))


@transaction.atomic
def committee_message_send(
    *, village: Village, name: str, email: str, message: str, language: str, page_url: str = ""
) -> CommitteeMessage:
    """Store a visitor's message and email it to each committee member, in that member's language."""
    members = list(village.committee_members())
    if not members:
        raise VillageError(Messages.NO_COMMITTEE)
    stored = CommitteeMessage.objects.create(
        village=village, name=name.strip(), email=email.strip(), message=message.strip(), language=language
    )
    for user in members:
        outbox_enqueue(
            to=user.email,
            template="committee_message",
            context={
                "village_name": village.name,
                "territory_name": village.territory.name,
                "first_name": user.first_name,
                "sender_name": stored.name,
                "sender_email": stored.email,
                "message": stored.message,
                "sent_at": stored.created_at,
                "page_url": page_url,
            },
            language=user.preferred_language or village.territory.default_language,
            territory=village.territory,
            kind="committee_message",
        )
    return stored


MESSAGE_RETENTION = timedelta(days=365)


def committee_messages_purge(*, now=None) -> int:
    """Retention: delete visitors' messages to committees after a year (stated on the privacy page)."""
    now = now or timezone.now()
    deleted, _ = CommitteeMessage.objects.filter(created_at__lt=now - MESSAGE_RETENTION).delete()
    return deleted
