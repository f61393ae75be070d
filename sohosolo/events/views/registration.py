"""Public registration pages (/<lang>/agenda/): the form, its confirmation, cancellation by signed link.

- ``register``: the occurrence's form (name, email, its questions), prefilled for a logged-in user;
  says before submitting when the registration goes to the waiting list. An occurrence reserved to
  members or prospects answers an anonymous visitor with a 403 page that explains it and links to the
  login page. Errors keep what was typed (status 400); 5 submissions per minute and per address.
- ``registered``: the confirmation (post/redirect/get), read from the session: confirmed, or on the
  waiting list with the position.
- ``cancel``: the link of every email; GET shows what will be cancelled, POST cancels (a seat freed
  goes to the first person waiting). A forged, unknown or expired link → a clear page with status 400.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from sohosolo.core.decorators import public, territory_or_404

from ..models import Occurrence, Registration, RegistrationStatus
from ..registration import (
    AlreadyRegistered,
    AnswersMissing,
    AudienceNotAllowed,
    CancelLinkError,
    RegistrationClosed,
    RegistrationError,
    audience_check,
    cancel,
    register,
    registration_closed_reason,
    registration_for_cancel_token,
    seats_left,
    waitlist_position,
)
from ..registration_forms import RegistrationForm

SESSION_KEY = "events_registrations"  # {occurrence pk: registration pk}, for the confirmation page


def occurrence_page_url(occurrence: Occurrence) -> str | None:
    """The public page of the occurrence (the agenda's), when it exists."""
    for kwargs in ({"series_slug": occurrence.series.slug, "pk": occurrence.pk}, {"pk": occurrence.pk}):
        try:
            return reverse("events:occurrence", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def _occurrence(request, occurrence_pk: int) -> Occurrence:
    territory = territory_or_404(request)
    return get_object_or_404(
        Occurrence.objects.of_territory(territory)
        .filter(series__is_published=True)
        .select_related("series__territory", "series__village"),
        pk=occurrence_pk,
    )


def _base_context(occurrence: Occurrence) -> dict:
    return {
        "occurrence": occurrence,
        "series": occurrence.series,
        "time_zone": occurrence.series.timezone,
        "occurrence_page": occurrence_page_url(occurrence),
    }


def _refused(request, occurrence: Occurrence, error: AudienceNotAllowed):
    context = {
        **_base_context(occurrence),
        "message": error.message,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        if error.login_may_help
        else None,
    }
    return render(request, "events/registration_refused.html", context, status=403)


def _closed(request, occurrence: Occurrence, reason: str, status: int):
    return render(
        request,
        "events/registration_closed.html",
        {**_base_context(occurrence), "reason": reason},
        status=status,
    )


def _form_page(request, occurrence: Occurrence, form: RegistrationForm, status: int = 200):
    left = seats_left(occurrence)
    context = {**_base_context(occurrence), "form": form, "seats_left": left, "full": left == 0}
    return render(request, "events/registration_form.html", context, status=status)


@public
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate="5/m", method="POST", block=True)
def register_view(request, occurrence_pk: int):
    occurrence = _occurrence(request, occurrence_pk)
    reason = registration_closed_reason(occurrence)
    if reason:
        return _closed(request, occurrence, reason, status=200 if request.method != "POST" else 400)
    try:
        audience_check(occurrence=occurrence, user=request.user)
    except AudienceNotAllowed as error:
        return _refused(request, occurrence, error)

    if request.method != "POST":
        initial = {}
        if request.user.is_authenticated:
            initial = {"name": request.user.get_full_name().strip(), "email": request.user.email}
        return _form_page(request, occurrence, RegistrationForm(occurrence=occurrence, initial=initial))

    form = RegistrationForm(request.POST, occurrence=occurrence)
    if form.is_valid():
        try:
            registration = register(
                occurrence=occurrence,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                language=request.LANGUAGE_CODE,
                answers=form.answers(),
                user=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except AudienceNotAllowed as error:
            return _refused(request, occurrence, error)
        except RegistrationClosed as error:
            return _closed(request, occurrence, error.message, status=400)
        except AnswersMissing as error:
            form.add_answer_errors(error.errors)
        except AlreadyRegistered as error:
            form.add_error("email", error.message)
        except RegistrationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            done = request.session.get(SESSION_KEY, {})
            done[str(occurrence.pk)] = registration.pk
            request.session[SESSION_KEY] = done
            return redirect("events:registered", occurrence_pk=occurrence.pk)
    return _form_page(request, occurrence, form, status=400)


@public
@require_safe
def registered_view(request, occurrence_pk: int):
    """The confirmation after the form: confirmed, or waitlisted with the position."""
    occurrence = _occurrence(request, occurrence_pk)
    registration_pk = request.session.get(SESSION_KEY, {}).get(str(occurrence.pk))
    registration = (
        Registration.objects.filter(occurrence=occurrence, pk=registration_pk).first()
        if registration_pk
        else None
    )
    if registration is None:
        return redirect("events:register", occurrence_pk=occurrence.pk)
    context = {
        **_base_context(occurrence),
        "registration": registration,
        "position": waitlist_position(registration),
    }
    return render(request, "events/registration_done.html", context)


@public
@require_http_methods(["GET", "HEAD", "POST"])
def cancel_view(request, token: str):
    territory = territory_or_404(request)
    try:
        registration = registration_for_cancel_token(token)
    except CancelLinkError as error:
        return render(
            request,
            "events/registration_cancel_invalid.html",
            {"message": error.message, "reason": error.reason},
            status=400,
        )
    occurrence = registration.occurrence
    if occurrence.series.territory_id != territory.pk:
        raise Http404("A registration of another territory.")
    if request.method == "POST" and registration.status != RegistrationStatus.CANCELLED:
        was_waitlisted = registration.status == RegistrationStatus.WAITLISTED
        cancel(registration, base_url=request.build_absolute_uri("/"))
        messages.success(
            request,
            _("Vous avez quitté la liste d'attente.")
            if was_waitlisted
            else _("Votre inscription est annulée. Merci de nous avoir prévenus : votre place est libérée."),
        )
        return redirect("events:cancel", token=token)
    context = {
        **_base_context(occurrence),
        "registration": registration,
        "position": waitlist_position(registration),
        "token": token,
    }
    return render(request, "events/registration_cancel.html", context)
