"""Staff area (/suivi/partenaires/): the territory's partners, their creation and edition, their staff.

Territory staff (``partners.manage_partners``) list, create and edit partners. A partner's page is
also open to that partner's own staff (read-only, with its offers); another partner's answers 404.
"""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from sohosolo.accounts.models import Invitation, Membership, Role
from sohosolo.accounts.permissions import check_territory_perm, territory_permission_required
from sohosolo.territories.models import Commune

from ..forms import PartnerForm
from ..models import Offer, Partner
from ..services import PartnerError, partner_create, partner_update, partners_managed_by, with_status
from .common import MANAGE, MANAGE_OFFERS, render_staff_page


def _partner_scope() -> dict:
    return {"role": Role.PARTNER, "scope_type": ContentType.objects.get_for_model(Partner)}


def _managed_partner(request, pk: int) -> Partner:
    """The partner if the user manages it (staff: any of the territory; partner staff: theirs)."""
    check_territory_perm(request, MANAGE_OFFERS)
    return get_object_or_404(
        partners_managed_by(request.user, request.territory).select_related("commune", "territory"), pk=pk
    )


def _map_data(territory, partner: Partner | None, form: PartnerForm) -> dict | None:
    """What point-picker.js needs: the chosen commune (else the territory's largest), the point."""
    commune = getattr(form, "cleaned_data", {}).get("commune")
    if commune is None and partner is not None:
        commune = partner.commune
    if commune is None:
        commune = Commune.objects.of_territory(territory).order_by("-population", "pk").first()
    if commune is None:
        return None
    point = None
    if partner is not None and partner.lat is not None and partner.lon is not None:
        point = [partner.lat, partner.lon]
    return {
        "boundary": commune.boundary,
        "centre": [commune.lat, commune.lon],
        "point": point,
        "markerLabel": _("Position du partenaire"),
        "commune": commune.name,
    }


@require_safe
@territory_permission_required(MANAGE)
def partner_list(request):
    staff_count = (
        Membership.objects.filter(territory=request.territory, scope_id=OuterRef("pk"), **_partner_scope())
        .values("scope_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    partners = (
        Partner.objects.of_territory(request.territory)
        .select_related("commune")
        .annotate(
            staff_count=Coalesce(Subquery(staff_count), 0),
            offer_count=Count("offers", filter=Q(offers__is_active=True)),
        )
        .order_by("name")
    )
    return render_staff_page(request, "partners/staff/partner_list.html", {"partners": partners})


def _save_partner(request, form: PartnerForm, partner: Partner | None):
    """Validate and save; return the partner, or None with the errors on the form."""
    if not form.is_valid():
        return None
    try:
        if partner is None:
            return partner_create(
                territory=request.territory,
                data=form.partner_data(),
                logo=form.cleaned_data.get("logo"),
                by=request.user,
            )
        return partner_update(
            partner=partner,
            data=form.partner_data(),
            logo=form.cleaned_data.get("logo"),
            remove_logo=bool(form.cleaned_data.get("remove_logo")),
            by=request.user,
        )
    except PartnerError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _render_form(request, form: PartnerForm, partner: Partner | None):
    context = {
        "form": form,
        "partner": partner,
        "map_data": _map_data(request.territory, partner, form),
        "logo_dropped": bool(form.errors and request.FILES.get("logo")),
    }
    return render_staff_page(
        request, "partners/staff/partner_form.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@territory_permission_required(MANAGE)
def partner_create_view(request):
    form = PartnerForm(request.POST or None, request.FILES or None, territory=request.territory)
    if request.method == "POST":
        partner = _save_partner(request, form, None)
        if partner is not None:
            messages.success(
                request,
                _("Partenaire « %(name)s » créé. Invitez son équipe pour qu'elle publie ses offres.")
                % {"name": partner.name},
            )
            return redirect("partners_staff:detail", pk=partner.pk)
    return _render_form(request, form, None)


@require_http_methods(["GET", "POST"])
def partner_edit_view(request, pk: int):
    partner = _managed_partner(request, pk)
    check_territory_perm(request, MANAGE)  # a partner's own staff may read its page, not edit it
    form = PartnerForm(
        request.POST or None, request.FILES or None, territory=request.territory, instance=partner
    )
    if request.method == "POST":
        saved = _save_partner(request, form, partner)
        if saved is not None:
            messages.success(request, _("Partenaire « %(name)s » enregistré.") % {"name": saved.name})
            return redirect("partners_staff:detail", pk=saved.pk)
        partner.refresh_from_db()  # the page's title and logo stay those saved
    return _render_form(request, form, partner)


@require_safe
def partner_detail(request, pk: int):
    partner = _managed_partner(request, pk)
    can_manage = request.user.has_perm(MANAGE, request.territory)
    context = {
        "partner": partner,
        "offers": with_status(
            Offer.objects.filter(partner=partner).order_by("-is_active", "valid_until", "pk")
        ),
        "can_manage_partners": can_manage,
        "can_invite": can_manage and request.user.has_perm("accounts.manage_team", request.territory),
    }
    if can_manage:
        scope = {**_partner_scope(), "scope_id": partner.pk}
        context["staff"] = (
            Membership.objects.of_territory(request.territory)
            .filter(**scope)
            .select_related("user")
            .order_by("user__email")
        )
        context["invitations"] = Invitation.objects.of_territory(request.territory).pending().filter(**scope)
        context["invite_query"] = f"role={Role.PARTNER.value}&scope={Role.PARTNER.value}:{partner.pk}"
    return render_staff_page(request, "partners/staff/partner_detail.html", context)
