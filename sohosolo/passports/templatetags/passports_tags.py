"""Passport blocks included in pages of other apps: ``{% passport_panel prospect %}`` on the advisor's
prospect page, ``{% passport_space_link %}`` in "Mon espace".

Self-contained, so that the prospect page includes it in one line (``passports/_prospect_panel.html``)
without its view knowing about passports.
"""

from django import template
from django.utils import translation

from sohosolo.passports.models import Passport
from sohosolo.passports.views.holder import (
    holder_passport,
    passport_checklist,
    passport_state,
    print_language,
)

register = template.Library()


@register.inclusion_tag("passports/staff_prospect_panel.html", takes_context=True)
def passport_panel(context, prospect):
    request = context["request"]
    passport = Passport.objects.filter(prospect=prospect).select_related("territory").first()
    data = {
        "request": request,
        "prospect": prospect,
        "passport": passport,
        "csrf_token": context.get("csrf_token"),
    }
    if passport is None:
        return data
    passport.prospect = prospect
    territory = passport.territory
    data.update(
        state=passport_state(passport),
        checklist=passport_checklist(passport),
        can_change=request.user.has_perm("passports.change_passport", territory),
        can_print=request.user.has_perm("passports.view_passports", territory),
        print_language=print_language(passport),
        print_language_name=translation.get_language_info(print_language(passport))["name_translated"],
        here=request.get_full_path(),
    )
    return data


@register.inclusion_tag("passports/holder_space_card.html", takes_context=True)
def passport_space_link(context):
    """The "Mon passeport" block of "Mon espace": the user's passport in the request's territory."""
    request = context["request"]
    passport = None
    if request.user.is_authenticated and getattr(request, "territory", None) is not None:
        passport = holder_passport(request)
    return {"request": request, "passport": passport, "print_language": passport and print_language(passport)}
