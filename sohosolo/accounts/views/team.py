"""The staff area's team pages: members, invitations, roles, and the log of what staff changed."""

from auditlog.models import LogEntry
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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


# Filters of the journal: what kind of action (a read and an export are both ACCESS entries; an
# export is marked in its additional data, see prospects.privacy.prospect_log_export).
AUDIT_ACTIONS = {
    "read": Q(action=LogEntry.Action.ACCESS) & ~Q(additional_data__has_key="export"),
    "export": Q(action=LogEntry.Action.ACCESS, additional_data__has_key="export"),
    "change": Q(action__in=[LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE]),
}


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[
            ("", gettext_lazy("Toutes")),
            ("read", gettext_lazy("Consultations")),
            ("change", gettext_lazy("Modifications")),
            ("export", gettext_lazy("Exports")),
        ],
    )
    prospect = forms.IntegerField(label=gettext_lazy("N° du porteur de projet"), required=False, min_value=1)


@require_safe
@territory_permission_required("accounts.view_audit_log")
def audit_log(request):
    return audit_log_page(request)


def audit_log_page(request, *, prospect=None):
    """The journal, optionally of one prospect (``prospects_staff:audit``; permission checked there)."""
    entries = (
        LogEntry.objects.filter(additional_data__territory=request.territory.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    data = request.GET.copy()
    if prospect is not None:
        data["prospect"] = str(prospect.pk)
    form = AuditFilterForm(data or None)
    if form.is_valid():
        if form.cleaned_data["action"]:
            entries = entries.filter(AUDIT_ACTIONS[form.cleaned_data["action"]])
        if form.cleaned_data["prospect"]:
            entries = entries.filter(additional_data__prospect=form.cleaned_data["prospect"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    prospects = _prospects_of(page.object_list, request.territory)
    for entry in page.object_list:
        data = entry.additional_data or {}
        entry.role_label = _role_label(data.get("role", ""))
        entry.object_label = data.get("email") or data.get("village") or data.get("commune") or ""
        entry.action_label = entry.get_action_display()
        entry.prospect_pk, entry.prospect_anonymised = None, False
        if entry.content_type.app_label == "prospects":
            entry.action_label = _prospect_action_label(entry)
            _describe_prospect_entry(entry, prospects.get(data.get("prospect")))
        else:
            entry.shown_changes = readable_changes(
                entry, hidden=_HIDDEN_FIELDS, display={"role": _role_label}
            )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {"page": page, "form": form, "query": query.urlencode(), "prospect": prospect},
        status=400 if form.errors else 200,
    )


def _prospects_of(entries, territory) -> dict:
    """The prospects the entries are about, by pk (only what labels them, never their data)."""
    from sohosolo.prospects.models import Prospect

    pks = {(e.additional_data or {}).get("prospect") for e in entries} - {None}
    return {
        p.pk: p
        for p in Prospect.objects.of_territory(territory)
        .filter(pk__in=pks)
        .only("pk", "first_name", "last_name", "anonymised_at", "territory")
    }


def _describe_prospect_entry(entry, prospect) -> None:
    """Label and changes of an entry about a prospect; nothing personal once it is anonymised."""
    from sohosolo.prospects.models import Prospect
    from sohosolo.prospects.privacy import (
        ACTIVITY_FREE_TEXT,
        CONSENT_FREE_TEXT,
        PERSONAL_FIELDS,
        REASON_LABELS,
    )

    data = entry.additional_data or {}
    pk = data.get("prospect")
    anonymised = prospect is None or prospect.anonymised_at is not None
    if prospect is not None:
        name = str(prospect)
    else:
        name = str(_("Porteur de projet anonymisé n° %(pk)s") % {"pk": pk})
    model = entry.content_type.model_class()
    if model is not None and model is not Prospect:
        entry.object_label = f"{name} – {entry.object_repr}" if entry.object_repr else name
    else:
        entry.object_label = name
    entry.prospect_pk = pk
    entry.prospect_anonymised = anonymised
    hidden = {*_HIDDEN_FIELDS, *_PROSPECT_HIDDEN_FIELDS}
    if anonymised:
        hidden |= {*PERSONAL_FIELDS, *ACTIVITY_FREE_TEXT, *CONSENT_FREE_TEXT}
    display = {"advisor": _user_label}
    if model is not None:
        display |= {f.name: _choice_label(f) for f in model._meta.concrete_fields if f.choices}
    entry.shown_changes = readable_changes(entry, hidden=hidden, verbose_names=True, display=display)
    if data.get("anonymised"):
        reason = data.get("reason", "")
        entry.shown_changes = [(str(_("Motif")), "", str(REASON_LABELS.get(reason, reason)))]


# Technical fields of prospects, activities and consents an administrator does not need in the log.
_PROSPECT_HIDDEN_FIELDS = {"prospect", "version", "updated_at", "stage_changed_at", "author", "recorded_by"}


def _choice_label(field):
    labels = {str(value): str(label) for value, label in field.flatchoices}
    return lambda value: labels.get(value, value)


def _user_label(value: str) -> str:
    """A user's pk, as the log stores a foreign key, shown as their email."""
    from ..models import User

    if not value or value == "None":
        return ""
    user = User.objects.filter(pk=value).only("email").first() if value.isdigit() else None
    return user.email if user else value


def _prospect_action_label(entry) -> str:
    data = entry.additional_data or {}
    if entry.action == LogEntry.Action.ACCESS:
        if "export" in data:
            return _("export (%(format)s)") % {"format": data["export"]}
        return _("consultation")
    if data.get("anonymised"):
        return _("anonymisation")
    return {
        LogEntry.Action.CREATE: _("création"),
        LogEntry.Action.UPDATE: _("modification"),
        LogEntry.Action.DELETE: _("suppression"),
    }.get(entry.action, entry.get_action_display())


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
