from django import template

from sohosolo.connectivity.models import Connectivity

register = template.Library()


@register.simple_tag
def commune_connectivity(commune) -> dict:
    """The official figures of a commune (None when there are none) and its committees' ground checks.

    Reads `commune.connectivity` and `commune.connectivity_corrections.all()`, so a caller that used
    select_related("connectivity") / prefetch_related("connectivity_corrections") runs no query.
    """
    try:
        official = commune.connectivity
    except Connectivity.DoesNotExist:
        official = None
    return {"official": official, "corrections": list(commune.connectivity_corrections.all())}
