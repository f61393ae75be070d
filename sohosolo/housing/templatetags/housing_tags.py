from django import template
from django.db.models import Prefetch
from django.utils import formats
from django.utils.translation import get_language

from ..models import HousingOffer, HousingPhoto

register = template.Library()


@register.filter
def euros(value) -> str:
    """An amount in euros in the reader's locale: « 1 200 € » in French, « €1,200 » in English."""
    if value in (None, ""):
        return ""
    number = formats.number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
    if (get_language() or "fr").startswith("en"):
        return f"€{number}"
    return f"{number}\u00a0€"


@register.simple_tag
def public_offers_of(village) -> list[HousingOffer]:
    """The village's public offers with their photos, in two queries whatever their number."""
    offers = (
        HousingOffer.objects.public()
        .filter(village=village)
        .prefetch_related(Prefetch("photos", queryset=HousingPhoto.objects.order_by("position", "pk")))
    )
    return list(offers)
