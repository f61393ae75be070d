from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sohosolo.core.decorators import public

from ..services import InvitationError, invitation_accept, invitation_check, invitation_for_token
from .space import landing_url_for


@public
@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    """Landing page of the invitation email: sign up or log in, then accept, then go to the right page."""
    invitation = invitation_for_token(token)
    if invitation is not None and invitation.territory_id != getattr(request.territory, "pk", None):
        invitation = None  # an invitation to another territory gives nothing here
    try:
        invitation_check(invitation)
    except InvitationError as exc:
        status = 404 if invitation is None else 410
        return render(request, "accounts/invitation_invalid.html", {"message": exc.message}, status=status)
    if not request.user.is_authenticated:
        # The link proves the person reads this mailbox: sign-up with it needs no second verification.
        get_adapter(request).stash_verified_email(request, invitation.email)
        here = request.get_full_path()
        context = {
            "invitation": invitation,
            "signup_url": reverse("account_signup")
            + "?"
            + urlencode({"next": here, "email": invitation.email}),
            "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
        }
        return render(request, "accounts/invitation.html", context)
    if request.method == "POST":
        try:
            membership = invitation_accept(invitation=invitation, user=request.user)
        except InvitationError as exc:
            messages.error(request, exc.message)
            return redirect(request.get_full_path())
        messages.success(
            request,
            _("Bienvenue ! Vous êtes désormais %(role)s pour %(territory)s.")
            % {"role": membership.get_role_display(), "territory": membership.territory.name},
        )
        return HttpResponseRedirect(landing_url_for(request))
    return render(request, "accounts/invitation.html", {"invitation": invitation})
