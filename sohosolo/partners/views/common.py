from django.shortcuts import render

MANAGE = "partners.manage_partners"
MANAGE_OFFERS = "partners.manage_offers"


def render_staff_page(request, template: str, context: dict, status: int = 200):
    """Render a page of /suivi/partenaires/, telling it whether the user is the territory's staff
    (their breadcrumb starts at the partners' list) or a partner's staff (at « Mon partenaire »)."""
    context.setdefault("can_manage_partners", request.user.has_perm(MANAGE, request.territory))
    return render(request, template, context, status=status)
