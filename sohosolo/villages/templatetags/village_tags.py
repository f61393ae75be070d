from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def travel_duration(minutes) -> str:
    """55 → « 55 min », 75 → « 1 h 15 », 120 → « 2 h »."""
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        return ""
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": minutes}
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(hours)s h %(minutes)02d") % {"hours": hours, "minutes": rest}


@register.filter
def join_names(names) -> str:
    """["Jeanne"] → « Jeanne »; ["Jeanne", "Paul", "Ana"] → « Jeanne, Paul et Ana »."""
    names = [str(n) for n in names or []]
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s et %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}
