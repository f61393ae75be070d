"""Public pages of the project form: the form, its confirmation and the one-time sign-in link.

The form page renders a CSRF token and a signed stamp: it is never put in the anonymous page cache
(no ``cache_for_anonymous``) and is sent with ``Cache-Control: no-store``.
"""

from allauth.account.internal.flows.login import record_authentication
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from sohosolo.core.decorators import public, territory_or_404

from ..intake import IntakeError, email_mark_verified, project_intake, sign_in_user
from ..project_forms import ProjectForm, source_from_request, stamp_issue

LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _render_form(request, form: ProjectForm, status: int = 200):
    return render(request, "prospects/project_form.html", {"form": form}, status=status)


def _initial_villages(request, form: ProjectForm) -> list[int]:
    """``?village=<slug>`` (the call to action of a village's page) ticks that village."""
    slugs = request.GET.getlist("village")
    if not slugs:
        return []
    return list(form.fields["villages"].queryset.filter(slug__in=slugs).values_list("pk", flat=True))


@public
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@ratelimit(key="ip", rate="50/d", method="POST", block=True)
def project_form(request):
    """The project form; a valid post records the project and redirects to the confirmation."""
    territory = territory_or_404(request)
    if request.method != "POST":
        form = ProjectForm(territory=territory, initial={"stamp": stamp_issue(source_from_request(request))})
        form.initial["villages"] = _initial_villages(request, form)
        return _render_form(request, form)
    form = ProjectForm(request.POST, territory=territory)
    if form.is_valid():
        try:
            project_intake(
                territory=territory,
                answers=form.answers(),
                consents=form.consents(),
                villages=form.cleaned_data["villages"],
                language=request.LANGUAGE_CODE,
                source=form.source(),
                base_url=request.build_absolute_uri("/"),
            )
        except IntakeError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("prospects:thanks")
    # Nothing typed is lost: the bound form comes back with its errors (and a stamp that still counts).
    form.data = form.data.copy()
    form.data["stamp"] = form.stamp_for_redisplay()
    return _render_form(request, form, status=400)


@public
@require_safe
def project_thanks(request):
    """What happens next (the same page for every sender: it never says whether an email was known)."""
    territory_or_404(request)
    return render(request, "prospects/project_thanks.html")


@public
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/m", method="POST", block=True)
def project_sign_in(request, uidb64: str, token: str):
    """The link of the welcome email. GET shows a button (mail scanners that open links must not use
    it up); POST signs the person in, marks their address verified and opens "Mon espace"."""
    user = sign_in_user(uidb64, token)
    if user is None:
        return render(
            request,
            "prospects/project_sign_in_invalid.html",
            {"login_url": reverse("account_login")},
            status=400,
        )
    if request.method == "POST":
        email_mark_verified(user)
        login(request, user, backend=LOGIN_BACKEND)
        record_authentication(request, user, method="code", email=user.email)
        return redirect("accounts:space")
    return render(request, "prospects/project_sign_in.html", {"link_user": user})
