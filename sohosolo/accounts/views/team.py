"""The staff area's team pages: members, invitations, roles, and the log of what staff changed."""

from auditlog.models import LogEntry
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sohosolo.core.audit import readable_changes
from sohosolo.core.models import OutboxMessage

from ..forms import ChangeRoleForm, InvitationForm
from ..models import Invitation, Membership, Role
from ..permissions import territory_permission_required
from ..services import (
    AccountError,
    invitation_cancel,
    invitation_create,
    invitation_resend,
    membership_change_role,
    membership_revoke,
)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@require_safe
@territory_permission_required("accounts.view_staff_area")
def staff_home(request):
    return render(request, "accounts/staff_home.html")


@require_safe
@territory_permission_required("accounts.view_team")
def team(request):
    territory = request.territory
    memberships = (
        Membership.objects.of_territory(territory)
        .exclude(role__in=[Role.PROSPECT, Role.MEMBER])
        .select_related("user", "scope_type")
        .order_by("role", "user__email")
    )
    invitations = Invitation.objects.of_territory(territory).pending().select_related("invited_by")
    return render(
        request,
        "accounts/team.html",
        {"memberships": memberships, "invitations": invitations, "change_role_form": ChangeRoleForm()},
    )


@require_http_methods(["GET", "POST"])
@territory_permission_required("accounts.manage_team")
def invite(request):
    # Links from other pages may preselect the role and its scope (?role=committee&scope=committee:<pk>).
    initial = {
        "language": request.LANGUAGE_CODE,
        **{k: request.GET[k] for k in ("role", "scope") if k in request.GET},
    }
    form = InvitationForm(request.POST or None, territory=request.territory, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                territory=request.territory,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                scope=form.cleaned_data["scope_object"],
                language=form.cleaned_data["language"],
                by=request.user,
                base_url=_base_url(request),
            )
        except AccountError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": invitation.email})
            return redirect("staff:team")
    return render(request, "accounts/invite.html", {"form": form}, status=400 if form.errors else 200)


def _invitation(request, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.of_territory(request.territory), pk=pk)


def _membership(request, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.of_territory(request.territory).select_related("user"), pk=pk)


def _run(request, action, success: str):
    try:
        action()
    except AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("staff:team")


@require_POST
@territory_permission_required("accounts.manage_team")
def invitation_resend_view(request, pk: int):
    invitation = _invitation(request, pk)
    return _run(
        request,
        lambda: invitation_resend(invitation=invitation, by=request.user, base_url=_base_url(request)),
        _("Invitation renvoyée à %(email)s.") % {"email": invitation.email},
    )


@require_POST
@territory_permission_required("accounts.manage_team")
def invitation_cancel_view(request, pk: int):
    invitation = _invitation(request, pk)
    return _run(
        request,
        lambda: invitation_cancel(invitation=invitation, by=request.user),
        _("Invitation de %(email)s annulée.") % {"email": invitation.email},
    )


@require_POST
@territory_permission_required("accounts.manage_team")
def membership_change_view(request, pk: int):
    membership = _membership(request, pk)
    form = ChangeRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle valide."))
        return redirect("staff:team")
    return _run(
        request,
        lambda: membership_change_role(
            membership=membership, role=form.cleaned_data["role"], by=request.user
        ),
        _("Rôle de %(email)s modifié.") % {"email": membership.user.email},
    )


@require_POST
@territory_permission_required("accounts.manage_team")
def membership_revoke_view(request, pk: int):
    membership = _membership(request, pk)
    return _run(
        request,
        lambda: membership_revoke(membership=membership, by=request.user),
        _("Rôle de %(email)s retiré.") % {"email": membership.user.email},
    )


@require_safe
@territory_permission_required("accounts.view_audit_log")
def audit_log(request):
    entries = (
        LogEntry.objects.filter(additional_data__territory=request.territory.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.shown_changes = readable_changes(entry, hidden=_HIDDEN_FIELDS, display={"role": _role_label})
        data = entry.additional_data or {}
        entry.role_label = _role_label(data.get("role", ""))
        entry.object_label = data.get("email") or data.get("village") or data.get("commune") or ""
    return render(request, "accounts/audit_log.html", {"page": page})


# Technical fields an administrator does not need in the log.
_HIDDEN_FIELDS = {
    "id",
    "territory",
    "created_at",
    "token_hash",
    "scope_type",
    "invited_by",
    "user",
    "accepted_by",
}


def _role_label(value: str) -> str:
    return str(Role(value).label) if value in Role.values else value


@require_safe
@territory_permission_required("core.view_outbox")
def outbox(request):
    """Emails of the territory that could not be delivered, and the latest ones (no content shown)."""
    base = OutboxMessage.objects.of_territory(request.territory).only(
        "to", "subject", "status", "attempts", "created_at", "sent_at", "last_error", "kind"
    )
    return render(
        request,
        "accounts/outbox.html",
        {"failed": base.failed()[:200], "recent": base.exclude(status="failed")[:50]},
    )
