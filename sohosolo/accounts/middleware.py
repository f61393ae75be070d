from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import STAFF_ROLES
from .rules import roles_in


def mfa_required_for(user, territory) -> bool:
    """Advisors, territory admins and superusers must use MFA when STAFF_MFA_REQUIRED is on."""
    if not settings.STAFF_MFA_REQUIRED or not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles_in(user, territory) & STAFF_ROLES)


class StaffMFAMiddleware:
    """Send staff without a second factor to the TOTP set-up page before anything else."""

    ALLOWED_URL_NAMES = {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_logout",
        "account_reauthenticate",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            match is None
            or match.url_name in self.ALLOWED_URL_NAMES
            or request.path_info.startswith(("/static/", "/healthz", "/api/"))
        ):
            return None
        if not mfa_required_for(request.user, getattr(request, "territory", None)):
            return None
        if Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
            return None
        messages.warning(
            request, _("Votre rôle demande une double authentification : configurez-la pour continuer.")
        )
        return redirect(reverse("mfa_activate_totp"))
