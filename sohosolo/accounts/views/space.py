import json

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ..forms import DeleteAccountForm
from ..models import Role
from ..rules import roles_in
from ..services import AccountError, account_delete, account_export


def landing_url_for(request) -> str:
    """Where a user lands after login: ?next=, else the staff area for staff, else their space."""
    roles = roles_in(request.user, getattr(request, "territory", None))
    if request.user.is_superuser or roles & {Role.ADVISOR, Role.TERRITORY_ADMIN}:
        return reverse("staff:home")
    return reverse("accounts:space")


@require_safe
def space(request):
    memberships = request.user.memberships.select_related("territory")
    return render(request, "accounts/space.html", {"memberships": memberships})


@require_safe
def export(request):
    data = account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="soho-solo-compte-{stamp}.json"'
    return response


@require_http_methods(["GET", "POST"])
def delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(user=request.user)
        except AccountError as exc:
            form.add_error(None, exc.message)
        else:
            logout(request)
            messages.success(request, _("Votre compte a été supprimé."))
            return redirect("content:home")
    return render(request, "accounts/delete.html", {"form": form}, status=400 if form.errors else 200)
