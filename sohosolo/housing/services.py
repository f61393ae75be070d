"""Writes on housing offers: create, edit, publish, withdraw, unpublish, expire, photos, contact.

What a committee publishes is live at once (journey 6); territory staff may take it down with a
reason emailed to its author. Offers expire on their own: ``public()`` hides them as soon as their
date passes, and the hourly job marks them expired and warns authors seven days before.
The exact address is never stored: positions are snapped to a ~300 m grid before saving.
"""

import math
from collections.abc import Mapping
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sohosolo.accounts.models import Membership, Role, User
from sohosolo.core.images import ProcessedImage
from sohosolo.core.locking import save_versioned
from sohosolo.core.outbox import outbox_enqueue
from sohosolo.core.page_cache import page_cache_bump
from sohosolo.territories.services import commune_at_point
from sohosolo.villages.models import Village, haversine_km

from .models import (
    DEFAULT_VALIDITY,
    MAX_PHOTOS,
    HousingContactMessage,
    HousingOffer,
    HousingPhoto,
    HousingStatus,
)

# Positions are snapped to the centre of a cell of this size: the public sees the area, not the house.
POSITION_GRID_M = 300
# The public map draws a circle of this radius around the snapped position (covers the whole cell).
APPROXIMATE_RADIUS_M = 400
REMINDER_BEFORE = timedelta(days=7)
MAX_VALIDITY = timedelta(days=180)
# Visitors' messages are kept a year (the privacy page should say so), then deleted by a daily job.
CONTACT_MESSAGE_RETENTION = timedelta(days=365)
# Without a boundary to test against, a position further than this from the village centre is refused.
MAX_DISTANCE_WITHOUT_BOUNDARY_KM = 10

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
TRANSLATED_FIELDS = tuple(f"{name}_{code}" for name in ("title", "description") for code in LANGUAGE_CODES)
EDITABLE_FIELDS = ("kind", "transaction", *TRANSLATED_FIELDS, "price", "surface_m2", "rooms")


class HousingError(Exception):
    """A business rule refused the action; ``message`` is for the user, ``field`` the form field concerned."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class Messages:
    POSITION_OUTSIDE = _(
        "Cette position n'est pas dans la commune du village. Vérifiez la latitude et la longitude."
    )
    POSITION_INCOMPLETE = _("Indiquez la latitude et la longitude, ou laissez les deux vides.")
    TOO_MANY_PHOTOS = _("Une offre compte au plus 10 photos. Retirez-en une avant d'en ajouter une autre.")
    NOT_PUBLISHED = _("Cette offre n'est pas en ligne.")
    REASON_REQUIRED = _("Indiquez le motif : il est envoyé à l'auteur de l'offre.")
    EXPIRY_IN_PAST = _("La date d'expiration doit être dans le futur.")
    EXPIRY_TOO_FAR = _("Une offre reste en ligne au plus 180 jours : choisissez une date plus proche.")
    ALT_REQUIRED = _(
        "Décrivez la photo en quelques mots (texte alternatif) : c'est ce que lisent les personnes aveugles."
    )


# --- Position -------------------------------------------------------------------------------------


def approximate_position(*, lat: float, lon: float, grid_m: int = POSITION_GRID_M) -> tuple[float, float]:
    """Snap a point to the centre of its ~grid_m cell, so the exact address cannot be read back.

    Deterministic: saving the same offer again does not drift, and averaging many saves reveals
    nothing more than the cell.
    """
    step_lat = grid_m / 111_320
    snapped_lat = (math.floor(lat / step_lat) + 0.5) * step_lat
    step_lon = grid_m / (111_320 * max(math.cos(math.radians(snapped_lat)), 0.01))
    snapped_lon = (math.floor(lon / step_lon) + 0.5) * step_lon
    return round(snapped_lat, 5), round(snapped_lon, 5)


def _position_for(village: Village, lat: float | None, lon: float | None) -> tuple[float, float]:
    """The stored position: snapped from the given point, or the village centre when none is given."""
    commune = village.commune
    if lat is None and lon is None:
        return approximate_position(lat=commune.lat, lon=commune.lon)
    if lat is None or lon is None:
        raise HousingError(Messages.POSITION_INCOMPLETE, field="lat")
    if commune.boundary:
        found = commune_at_point(lon=lon, lat=lat, territory=village.territory)
        if found is None or found.pk != commune.pk:
            raise HousingError(Messages.POSITION_OUTSIDE, field="lat")
    elif haversine_km(lat, lon, commune.lat, commune.lon) > MAX_DISTANCE_WITHOUT_BOUNDARY_KM:
        raise HousingError(Messages.POSITION_OUTSIDE, field="lat")
    return approximate_position(lat=lat, lon=lon)


def _check_fields(data: Mapping[str, object]) -> dict:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    return dict(data)


# --- Create, edit ---------------------------------------------------------------------------------


@transaction.atomic
def housing_create(
    *,
    village: Village,
    by: User,
    data: Mapping[str, object],
    lat: float | None = None,
    lon: float | None = None,
    is_sample: bool = False,
) -> HousingOffer:
    """Create a draft offer in a village; ``data`` holds EDITABLE_FIELDS (title_fr is required)."""
    fields = _check_fields(data)
    lat, lon = _position_for(village, lat, lon)
    offer = HousingOffer(village=village, author=by, lat=lat, lon=lon, is_sample=is_sample)
    for name, value in fields.items():
        setattr(offer, name, value)
    # Saved in the source language, so the untranslated columns hold the French text.
    with translation.override(settings.LANGUAGE_CODE):
        offer.save()
    return offer


@transaction.atomic
def housing_update(
    *,
    offer: HousingOffer,
    by: User,
    data: Mapping[str, object],
    expected_version: int,
    lat: float | None = None,
    lon: float | None = None,
) -> HousingOffer:
    """Save the edited fields unless someone saved the offer since the form was opened (EditConflict)."""
    fields = _check_fields(data)
    if (lat, lon) != (offer.lat, offer.lon):
        # The stored (already approximate) position comes back unchanged from the form: keep it as is.
        lat, lon = _position_for(offer.village, lat, lon)
    for name, value in fields.items():
        setattr(offer, name, value)
    offer.lat, offer.lon = lat, lon
    saved = [*fields, "lat", "lon", "updated_at"]
    saved += [name for name in ("title", "description") if f"{name}_{settings.LANGUAGE_CODE}" in fields]
    # Saved in the source language, so the untranslated columns hold the French text.
    with translation.override(settings.LANGUAGE_CODE):
        return save_versioned(offer, expected_version=expected_version, fields=saved)


# --- Publication ----------------------------------------------------------------------------------


def _locked(offer: HousingOffer) -> HousingOffer:
    return HousingOffer.objects.select_for_update().select_related("village__territory").get(pk=offer.pk)


@transaction.atomic
def housing_publish(*, offer: HousingOffer, by: User, expires_at: datetime | None = None) -> HousingOffer:
    """Put the offer online now, until ``expires_at`` (default: in 60 days); also renews a live offer."""
    offer = _locked(offer)
    now = timezone.now()
    expires_at = expires_at or now + DEFAULT_VALIDITY
    if expires_at <= now:
        raise HousingError(Messages.EXPIRY_IN_PAST, field="expires_on")
    if expires_at > now + MAX_VALIDITY:
        raise HousingError(Messages.EXPIRY_TOO_FAR, field="expires_on")
    still_live = offer.status == HousingStatus.PUBLISHED and offer.expires_at and offer.expires_at > now
    if not still_live:
        offer.published_at = now
    offer.status = HousingStatus.PUBLISHED
    offer.expires_at = expires_at
    offer.expiry_reminder_sent_at = None
    offer.unpublished_reason = ""
    offer.save(
        update_fields=[
            "status",
            "published_at",
            "expires_at",
            "expiry_reminder_sent_at",
            "unpublished_reason",
            "updated_at",
        ]
    )
    return offer


@transaction.atomic
def housing_withdraw(*, offer: HousingOffer, by: User) -> HousingOffer:
    """The author or the village's committee takes the offer off line (let, sold, no longer free)."""
    offer = _locked(offer)
    if offer.status != HousingStatus.PUBLISHED:
        raise HousingError(Messages.NOT_PUBLISHED)
    offer.status = HousingStatus.WITHDRAWN
    offer.save(update_fields=["status", "updated_at"])
    return offer


@transaction.atomic
def housing_unpublish_by_staff(
    *, offer: HousingOffer, by: User, reason: str, base_url: str | None = None
) -> HousingOffer:
    """Territory staff take an offer off line; it goes back to draft and its author gets the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise HousingError(Messages.REASON_REQUIRED, field="reason")
    offer = _locked(offer)
    if offer.status != HousingStatus.PUBLISHED:
        raise HousingError(Messages.NOT_PUBLISHED)
    offer.status = HousingStatus.DRAFT
    offer.unpublished_reason = reason
    offer.save(update_fields=["status", "unpublished_reason", "updated_at"])
    for user in offer_contacts(offer):
        language = _language_of(user, offer)
        outbox_enqueue(
            to=user.email,
            template="housing_unpublished",
            context={
                "title": _title_in(offer, language),
                "village_name": offer.village.name,
                "territory_name": offer.village.territory.name,
                "reason": reason,
                "url": _absolute(offer, "housing_staff:edit", language, base_url),
            },
            language=language,
            territory=offer.village.territory,
        )
    return offer


# --- Time-driven ----------------------------------------------------------------------------------


def housing_expire_due(*, now: datetime | None = None) -> int:
    """Mark expired the published offers past their date; safe to run twice or side by side."""
    now = now or timezone.now()
    expired = 0
    due = HousingOffer.objects.filter(status=HousingStatus.PUBLISHED, expires_at__lte=now)
    for offer in due.select_related("village").iterator():
        with transaction.atomic():
            # The conditional UPDATE decides: a second run (or a renewal meanwhile) matches nothing.
            changed = HousingOffer.objects.filter(
                pk=offer.pk, status=HousingStatus.PUBLISHED, expires_at__lte=now
            ).update(status=HousingStatus.EXPIRED, updated_at=now)
            if changed:
                offer.status = HousingStatus.EXPIRED
                LogEntry.objects.log_create(
                    offer,
                    action=LogEntry.Action.UPDATE,
                    changes={"status": [HousingStatus.PUBLISHED.value, HousingStatus.EXPIRED.value]},
                )
                expired += changed
    if expired:
        page_cache_bump()  # cached map answers must not keep showing them
    return expired


def housing_send_expiry_reminders(*, now: datetime | None = None, base_url: str | None = None) -> int:
    """Email the author of each offer expiring within 7 days, exactly once per publication period."""
    now = now or timezone.now()
    window = {
        "status": HousingStatus.PUBLISHED,
        "expires_at__gt": now,
        "expires_at__lte": now + REMINDER_BEFORE,
    }
    sent = 0
    due = HousingOffer.objects.filter(expiry_reminder_sent_at=None, **window)
    for offer in due.select_related("village__territory", "village__commune", "author").iterator():
        with transaction.atomic():
            # Claim and email in one transaction: the claim (a conditional UPDATE) succeeds once only,
            # and the email is stored only if the claim is committed.
            claimed = HousingOffer.objects.filter(pk=offer.pk, expiry_reminder_sent_at=None, **window).update(
                expiry_reminder_sent_at=now
            )
            if not claimed:
                continue
            for user in offer_contacts(offer):
                language = _language_of(user, offer)
                outbox_enqueue(
                    to=user.email,
                    template="housing_expiry_reminder",
                    context={
                        "title": _title_in(offer, language),
                        "village_name": offer.village.name,
                        "territory_name": offer.village.territory.name,
                        "expires_at": offer.expires_at,
                        "url": _absolute(offer, "housing_staff:edit", language, base_url),
                    },
                    language=language,
                    territory=offer.village.territory,
                )
            sent += 1
    return sent


# --- Photos ---------------------------------------------------------------------------------------


@transaction.atomic
def housing_photo_add(
    *, offer: HousingOffer, by: User, processed: ProcessedImage, alt_text: str
) -> HousingPhoto:
    """Attach an already processed photo (see images.process_upload); at most 10 per offer."""
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise HousingError(Messages.ALT_REQUIRED, field="photo_alt")
    offer = _locked(offer)  # serialises concurrent uploads, so the limit holds
    photos = HousingPhoto.objects.filter(offer=offer)
    if photos.count() >= MAX_PHOTOS:
        raise HousingError(Messages.TOO_MANY_PHOTOS, field="photo")
    last = photos.aggregate(last=Max("position"))["last"]
    photo = HousingPhoto(offer=offer, alt_text=alt_text, position=0 if last is None else last + 1)
    photo.image.save(processed.image.name, processed.image, save=False)
    photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    photo.save()
    return photo


@transaction.atomic
def housing_photo_update(*, photo: HousingPhoto, by: User, alt_text: str) -> HousingPhoto:
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise HousingError(Messages.ALT_REQUIRED, field="alt_text")
    photo.alt_text = alt_text
    photo.save(update_fields=["alt_text"])
    return photo


@transaction.atomic
def housing_photo_remove(*, photo: HousingPhoto, by: User) -> None:
    """Delete the photo; its files go once the deletion is committed."""
    image, thumbnail = photo.image.name, photo.thumbnail.name
    storage = photo.image.storage
    photo.delete()

    def delete_files():
        for name in (image, thumbnail):
            if name:
                storage.delete(name)

    transaction.on_commit(delete_files)


@transaction.atomic
def housing_photo_move(*, photo: HousingPhoto, by: User, offset: int) -> HousingPhoto:
    """Move a photo earlier (offset < 0) or later (offset > 0) in the offer's order."""
    _locked(photo.offer)
    photos = list(HousingPhoto.objects.filter(offer_id=photo.offer_id).order_by("position", "pk"))
    index = next(i for i, p in enumerate(photos) if p.pk == photo.pk)
    target = min(max(index + offset, 0), len(photos) - 1)
    photos.insert(target, photos.pop(index))
    for position, item in enumerate(photos):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    return next(p for p in photos if p.pk == photo.pk)


# --- Contact --------------------------------------------------------------------------------------


@transaction.atomic
def housing_contact_send(
    *, offer: HousingOffer, name: str, email: str, message: str, language: str, base_url: str | None = None
) -> HousingContactMessage:
    """Store a visitor's message about an offer and email it to the offer's author (outbox)."""
    stored = HousingContactMessage.objects.create(
        offer=offer, name=name.strip(), email=email, message=message
    )
    territory = offer.village.territory
    for user in offer_contacts(offer):
        user_language = _language_of(user, offer)
        outbox_enqueue(
            to=user.email,
            template="housing_contact",
            context={
                "title": _title_in(offer, user_language),
                "village_name": offer.village.name,
                "territory_name": territory.name,
                "sender_name": stored.name,
                "sender_email": stored.email,
                "message": stored.message,
                "visitor_language": language,
                "url": _absolute(offer, "housing:detail", user_language, base_url),
            },
            language=user_language,
            territory=territory,
        )
    return stored


# --- Retention ------------------------------------------------------------------------------------


def housing_purge_contact_messages(*, older_than: timedelta = CONTACT_MESSAGE_RETENTION) -> int:
    """Delete visitors' messages once they have served (they were emailed to the author long ago)."""
    deleted, _details = HousingContactMessage.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


# --- Helpers --------------------------------------------------------------------------------------


def offer_contacts(offer: HousingOffer) -> list[User]:
    """Who hears about an offer: its author, or the village's committee if the author has left."""
    author = offer.author
    if author is not None and author.is_active:
        return [author]
    members = Membership.objects.filter(
        territory_id=offer.village.territory_id,
        role=Role.COMMITTEE,
        scope_type=ContentType.objects.get_for_model(Village),
        scope_id=offer.village_id,
    ).values("user_id")
    return list(User.objects.filter(pk__in=members, is_active=True).order_by("pk"))


def _language_of(user: User, offer: HousingOffer) -> str:
    return user.preferred_language or offer.village.territory.default_language or settings.LANGUAGE_CODE


def _title_in(offer: HousingOffer, language: str) -> str:
    with translation.override(language):
        return offer.title


def _absolute(offer: HousingOffer, view_name: str, language: str, base_url: str | None) -> str:
    """An absolute link for an email: the request's host, else the territory's first host name."""
    with translation.override(language):
        path = reverse(view_name, kwargs={"pk": offer.pk})
    if not base_url:
        hosts = offer.village.territory.hostnames or ["localhost"]
        base_url = f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{hosts[0]}"
    return base_url.rstrip("/") + path
