"""Business rules of partners and their offers: who manages which partner, and the writes.

Views stay thin: they call these functions and show ``PartnerError.message`` (tied to a form field
when ``field`` is set). Reads used by several pages live here too (``partners_managed_by``,
``directory_partners``).
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from sohosolo.core.images import ImageRejected, process_upload
from sohosolo.territories.models import Commune, Territory
from sohosolo.territories.services import commune_at_point

from .models import Offer, Partner, PartnerKind

# Logos are shown small (cards, partner page): no need for the photos' 1600 px.
LOGO_SIDE = 600
# French first (the reference language), then the other languages of the site.
TRANSLATED_LANGUAGES = ("fr", *(code for code, _name in settings.LANGUAGES if code != "fr"))

# The fields a form may set, apart from the logo and the position (checked below).
PARTNER_FIELDS = (
    "name",
    "kind",
    *(f"description_{lang}" for lang in TRANSLATED_LANGUAGES),
    "address",
    "commune",
    "lat",
    "lon",
    "website",
    "phone",
    "email",
    "is_published",
)
OFFER_FIELDS = (
    *(f"{name}_{lang}" for name in ("title", "description", "conditions") for lang in TRANSLATED_LANGUAGES),
    "valid_from",
    "valid_until",
    "uses_per_passport",
    "is_active",
)


class Messages:
    NAME_REQUIRED = _("Indiquez le nom du partenaire.")
    KIND_UNKNOWN = _("Choisissez le type de partenaire.")
    COMMUNE_OUTSIDE = _("Choisissez une commune du territoire.")
    POSITION_INCOMPLETE = _("Indiquez la latitude et la longitude, ou laissez les deux vides.")
    POSITION_OUTSIDE_COMMUNE = _("Ce point n'est pas dans la commune de %(name)s : vérifiez la position.")
    POSITION_OUTSIDE_TERRITORY = _("Ce point est en dehors du territoire : vérifiez la position.")
    TITLE_REQUIRED = _("Indiquez le titre de l'offre.")
    DATES_REVERSED = _(
        "La date de fin de validité (%(until)s) est avant la date de début (%(since)s) : corrigez l'une ou l'autre."
    )
    USES_MIN = _("Une offre s'utilise au moins une fois par passeport.")


class PartnerError(Exception):
    """A business rule refused the change; ``message`` is for the user, ``field`` the form field."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- Reads -------------------------------------------------------------------------------------------


def partners_managed_by(user, territory: Territory) -> QuerySet[Partner]:
    """The partners whose offers ``user`` may manage: every partner for the territory's staff, else
    the partners the user is staff of (a partner role scoped to them); nothing for anyone else."""
    if territory is None or not getattr(user, "is_authenticated", False):
        return Partner.objects.none()
    if user.has_perm("partners.manage_partners", territory):
        return Partner.objects.of_territory(territory)
    return Partner.objects.of_user(user, territory)


def offers_managed_by(user, territory: Territory) -> QuerySet[Offer]:
    return Offer.objects.filter(partner__in=partners_managed_by(user, territory).values("pk"))


def directory_partners(territory: Territory, *, on=None) -> QuerySet[Partner]:
    """Published partners of the territory with their offers valid today as ``public_offers``."""
    return (
        Partner.objects.of_territory(territory)
        .published()
        .select_related("commune")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.active(on=on).order_by("valid_until", "pk"),
                to_attr="public_offers",
            )
        )
        .order_by("name")
    )


@dataclass
class KindGroup:
    kind: str
    label: str
    partners: list


def grouped_by_kind(partners: Iterable[Partner]) -> list[KindGroup]:
    """Partners grouped by kind, in the order of PartnerKind (chambers first, "other" last)."""
    groups = {kind.value: KindGroup(kind.value, kind.label, []) for kind in PartnerKind}
    for partner in partners:
        groups.setdefault(partner.kind, KindGroup(partner.kind, partner.kind, [])).partners.append(partner)
    return [group for group in groups.values() if group.partners]


# --- Partners ----------------------------------------------------------------------------------------


def _unique_slug(territory: Territory, name: str, exclude_pk: int | None = None) -> str:
    base = (slugify(name) or "partenaire")[:150]
    taken = set(
        Partner.objects.of_territory(territory)
        .filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _check_position(territory: Territory, data: dict) -> None:
    """Commune of the territory; a point inside it (or inside the territory); none → its centre."""
    commune = data.get("commune")
    if commune is not None and commune.territory_id != territory.pk:
        raise PartnerError(Messages.COMMUNE_OUTSIDE, field="commune")
    lat, lon = data.get("lat"), data.get("lon")
    if (lat is None) != (lon is None):
        raise PartnerError(Messages.POSITION_INCOMPLETE, field="lat")
    if lat is None:
        if commune is not None:
            data["lat"], data["lon"] = commune.lat, commune.lon
        return
    if commune is not None:
        if commune.boundary and commune_at_point(lat=lat, lon=lon, territory=territory) != commune:
            raise PartnerError(Messages.POSITION_OUTSIDE_COMMUNE % {"name": commune.name}, field="lat")
        return
    found = commune_at_point(lat=lat, lon=lon, territory=territory)
    if found is not None:
        data["commune"] = found
    elif Commune.objects.of_territory(territory).filter(boundary__isnull=False).exists():
        raise PartnerError(Messages.POSITION_OUTSIDE_TERRITORY, field="lat")


def _clean_partner(territory: Territory, data: dict) -> dict:
    data = {name: data[name] for name in PARTNER_FIELDS if name in data}
    data["name"] = (data.get("name") or "").strip()
    if not data["name"]:
        raise PartnerError(Messages.NAME_REQUIRED, field="name")
    if data.get("kind") not in PartnerKind.values:
        raise PartnerError(Messages.KIND_UNKNOWN, field="kind")
    for name in PARTNER_FIELDS:
        if name.startswith("description_") or name in ("address", "website", "phone", "email"):
            data[name] = (data.get(name) or "").strip()
    _check_position(territory, data)
    return data


def _logo_file(upload, slug: str):
    try:
        processed = process_upload(upload, max_side=LOGO_SIDE, thumb_side=LOGO_SIDE)
    except ImageRejected as exc:
        raise PartnerError(exc.message, field="logo") from exc
    processed.image.name = f"{slug}-{uuid.uuid4().hex[:8]}.jpg"
    return processed.image


def _forget_file_after_commit(field_file_name: str, storage) -> None:
    if field_file_name:
        transaction.on_commit(lambda: storage.delete(field_file_name), robust=True)


@transaction.atomic
def partner_create(*, territory: Territory, data: dict, logo=None, by=None) -> Partner:
    """Create a partner of the territory (its slug from its name, unique in the territory)."""
    data = _clean_partner(territory, data)
    partner = Partner(territory=territory, slug=_unique_slug(territory, data["name"]))
    for name, value in data.items():
        setattr(partner, name, value)
    if logo is not None:
        partner.logo = _logo_file(logo, partner.slug)
    partner.save()
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, data: dict, logo=None, remove_logo: bool = False, by=None) -> Partner:
    """Save a partner's fields; the slug (its public address) does not change with its name."""
    data = _clean_partner(partner.territory, data)
    for name, value in data.items():
        setattr(partner, name, value)
    old_logo = partner.logo.name if partner.logo else ""
    if logo is not None:
        partner.logo = _logo_file(logo, partner.slug)
        _forget_file_after_commit(old_logo, partner.logo.storage)
    elif remove_logo and old_logo:
        storage = partner.logo.storage
        partner.logo = ""
        _forget_file_after_commit(old_logo, storage)
    partner.save()
    return partner


# --- Offers ------------------------------------------------------------------------------------------


def _clean_offer(data: dict) -> dict:
    data = {name: data[name] for name in OFFER_FIELDS if name in data}
    for name in OFFER_FIELDS:
        if name.startswith(("title_", "description_", "conditions_")):
            data[name] = (data.get(name) or "").strip()
    if not data.get("title_fr"):
        raise PartnerError(Messages.TITLE_REQUIRED, field="title_fr")
    since, until = data.get("valid_from"), data.get("valid_until")
    if since and until and until < since:
        from django.utils.formats import date_format

        raise PartnerError(
            Messages.DATES_REVERSED
            % {
                "until": date_format(until, "SHORT_DATE_FORMAT"),
                "since": date_format(since, "SHORT_DATE_FORMAT"),
            },
            field="valid_until",
        )
    uses = data.get("uses_per_passport")
    if uses is None or uses < 1:
        raise PartnerError(Messages.USES_MIN, field="uses_per_passport")
    data.setdefault("is_active", True)
    return data


def _apply_offer(offer: Offer, data: dict) -> None:
    # Only the per-language columns: assigning `offer.title` would write the request's language.
    for name, value in data.items():
        setattr(offer, name, value)


@transaction.atomic
def offer_create(*, partner: Partner, data: dict, by=None) -> Offer:
    offer = Offer(partner=partner)
    _apply_offer(offer, _clean_offer(data))
    offer.save()
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, data: dict, by=None) -> Offer:
    _apply_offer(offer, _clean_offer(data))
    offer.save()
    return offer


@transaction.atomic
def offer_set_active(*, offer: Offer, active: bool, by=None) -> Offer:
    """Deactivate (or reactivate) an offer: passports stop (or start again) showing it; past uses stay."""
    if offer.is_active != active:
        offer.is_active = active
        offer.save(update_fields=["is_active", "updated_at"])
    return offer


OFFER_STATUS_LABELS = {
    "current": _("Proposée"),
    "upcoming": _("À venir"),
    "expired": _("Expirée"),
    "inactive": _("Désactivée"),
}


def offer_status(offer: Offer, on=None) -> str:
    """current, upcoming, expired or inactive: what passport holders see of the offer on the day."""
    on = on or timezone.localdate()
    if not offer.is_active:
        return "inactive"
    if offer.valid_until is not None and offer.valid_until < on:
        return "expired"
    if offer.valid_from is not None and offer.valid_from > on:
        return "upcoming"
    return "current"


def with_status(offers: Iterable[Offer], on=None) -> list[Offer]:
    """The offers, each with ``status`` and ``status_label`` set for the staff's lists."""
    on = on or timezone.localdate()
    offers = list(offers)
    for offer in offers:
        offer.status = offer_status(offer, on)
        offer.status_label = OFFER_STATUS_LABELS[offer.status]
    return offers
