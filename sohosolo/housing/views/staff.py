"""Committee and staff pages for housing offers (/<lang>/suivi/logements/).

A committee member sees and edits the offers of their own villages only; another village's offer
answers 404. Territory staff see every village of their territory and may also unpublish.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sohosolo.accounts.permissions import check_territory_perm
from sohosolo.core.locking import EditConflict
from sohosolo.villages.models import Village

from ..forms import HousingOfferForm, PhotoAltForm, PublishForm, UnpublishForm
from ..models import MAX_PHOTOS, HousingOffer, HousingPhoto, HousingStatus
from ..services import (
    EDITABLE_FIELDS,
    HousingError,
    housing_create,
    housing_photo_add,
    housing_photo_move,
    housing_photo_remove,
    housing_photo_update,
    housing_publish,
    housing_unpublish_by_staff,
    housing_update,
    housing_withdraw,
)

PAGE_SIZE = 50


def _villages(request):
    check_territory_perm(request, "housing.manage_offers")
    return Village.objects.editable_by(request.user, request.territory).select_related("commune")


def _offer(request, pk: int) -> HousingOffer:
    """The offer if it belongs to a village the user may edit; 404 otherwise (even if it is public)."""
    check_territory_perm(request, "housing.manage_offers")
    offers = HousingOffer.objects.editable_by(request.user, request.territory).with_photos()
    return get_object_or_404(offers.select_related("village__territory", "author"), pk=pk)


def _photo(offer: HousingOffer, photo_pk: int) -> HousingPhoto:
    photo = next((p for p in offer.photos.all() if p.pk == photo_pk), None)
    if photo is None:
        raise Http404("No such photo on this offer.")
    return photo


def _edit_url(offer: HousingOffer) -> str:
    return reverse("housing_staff:edit", kwargs={"pk": offer.pk})


def _add_error(form, exc: HousingError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_safe
def offer_list(request):
    villages = list(_villages(request))
    offers = (
        HousingOffer.objects.filter(village__in=[v.pk for v in villages])
        .with_photos()
        .order_by("village__commune__search_name", "-updated_at", "-pk")
    )
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "housing/staff/offer_list.html",
        {
            "villages": villages,
            "page": page,
            "query": "",
            "can_unpublish": request.user.has_perm("housing.unpublish_offer", request.territory),
        },
    )


@require_http_methods(["GET", "POST"])
def offer_create(request):
    villages = _villages(request)
    if not villages.exists():
        return render(request, "housing/staff/offer_form.html", {"form": None, "creating": True})
    initial = {"transaction": "rent"}
    if request.GET.get("village", "").isdigit():
        initial["village"] = int(request.GET["village"])
    form = HousingOfferForm(request.POST or None, request.FILES or None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                offer = housing_create(
                    village=form.cleaned_data["village"],
                    by=request.user,
                    data=form.offer_data(),
                    lat=form.cleaned_data["lat"],
                    lon=form.cleaned_data["lon"],
                )
                if form.processed_photo:
                    housing_photo_add(
                        offer=offer,
                        by=request.user,
                        processed=form.processed_photo,
                        alt_text=form.cleaned_data["photo_alt"],
                    )
                if request.POST.get("action") == "publish":
                    offer = housing_publish(offer=offer, by=request.user)
        except HousingError as exc:
            _add_error(form, exc)
        else:
            if offer.status == HousingStatus.PUBLISHED:
                messages.success(request, _("Offre publiée : elle est en ligne pour 60 jours."))
            else:
                messages.success(
                    request, _("Offre enregistrée comme brouillon. Publiez-la pour la mettre en ligne.")
                )
            return redirect(_edit_url(offer))
    return render(
        request,
        "housing/staff/offer_form.html",
        {"form": form, "creating": True, "photo_dropped": bool(form.errors and request.FILES)},
        status=400 if form.errors else 200,
    )


def _initial(offer: HousingOffer) -> dict:
    initial = {name: getattr(offer, name) for name in EDITABLE_FIELDS}
    initial.update(lat=offer.lat, lon=offer.lon, version=offer.version)
    return initial


def _render_edit(
    request, offer, *, form=None, publish_form=None, unpublish_form=None, photo_forms=None, status=200
):
    photos = list(offer.photos.all())
    photo_forms = photo_forms or {}
    rows = [
        (
            photo,
            photo_forms.get(photo.pk)
            or PhotoAltForm(prefix=f"photo-{photo.pk}", initial={"alt_text": photo.alt_text}),
        )
        for photo in photos
    ]
    context = {
        "offer": offer,
        "form": form or HousingOfferForm(initial=_initial(offer), photo_count=len(photos)),
        "publish_form": publish_form or PublishForm(initial=PublishForm.default_initial()),
        "unpublish_form": unpublish_form,
        "photo_rows": rows,
        "max_photos": MAX_PHOTOS,
        "is_public": offer.is_public(),
        "can_unpublish": request.user.has_perm("housing.unpublish_offer", request.territory),
        "conflict": status == 409,
        "photo_dropped": bool(form is not None and form.errors and request.FILES),
    }
    return render(request, "housing/staff/offer_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def offer_edit(request, pk: int):
    offer = _offer(request, pk)
    if request.method != "POST":
        return _render_edit(request, offer)
    form = HousingOfferForm(request.POST, request.FILES, photo_count=len(offer.photos.all()))
    if not form.is_valid():
        return _render_edit(request, offer, form=form, status=400)
    try:
        with transaction.atomic():
            housing_update(
                offer=offer,
                by=request.user,
                data=form.offer_data(),
                expected_version=form.cleaned_data["version"] or 0,
                lat=form.cleaned_data["lat"],
                lon=form.cleaned_data["lon"],
            )
            if form.processed_photo:
                housing_photo_add(
                    offer=offer,
                    by=request.user,
                    processed=form.processed_photo,
                    alt_text=form.cleaned_data["photo_alt"],
                )
    except EditConflict as exc:
        # Keep what this person typed, show what is saved now, and let the next save go through.
        current = _offer(request, pk)
        data = request.POST.copy()
        data["version"] = current.version
        form = HousingOfferForm(data, photo_count=len(current.photos.all()))
        form.is_valid()
        form.add_error(None, exc.message)
        return _render_edit(request, current, form=form, status=409)
    except HousingError as exc:
        _add_error(form, exc)
        return _render_edit(request, _offer(request, pk), form=form, status=400)
    messages.success(request, _("Modifications enregistrées."))
    return redirect(_edit_url(offer))


@require_POST
def offer_publish(request, pk: int):
    offer = _offer(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            housing_publish(offer=offer, by=request.user, expires_at=form.expires_at())
        except HousingError as exc:
            form.add_error("expires_on", exc.message)
    if form.errors:
        return _render_edit(request, offer, publish_form=form, status=400)
    day = date_format(form.cleaned_data["expires_on"], "DATE_FORMAT")
    messages.success(request, _("Offre en ligne jusqu'au %(date)s.") % {"date": day})
    return redirect(_edit_url(offer))


@require_POST
def offer_withdraw(request, pk: int):
    offer = _offer(request, pk)
    try:
        housing_withdraw(offer=offer, by=request.user)
    except HousingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Offre retirée : elle n'apparaît plus sur le site."))
    return redirect(_edit_url(offer))


@require_http_methods(["GET", "POST"])
def offer_unpublish(request, pk: int):
    offer = _offer(request, pk)
    check_territory_perm(request, "housing.unpublish_offer")
    form = UnpublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            housing_unpublish_by_staff(
                offer=offer,
                by=request.user,
                reason=form.cleaned_data["reason"],
                base_url=request.build_absolute_uri("/"),
            )
        except HousingError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Offre dépubliée. Son auteur a reçu le motif par courriel."))
            return redirect(_edit_url(offer))
    return render(
        request,
        "housing/staff/offer_unpublish.html",
        {"offer": offer, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def photo_update(request, pk: int, photo_pk: int):
    offer = _offer(request, pk)
    photo = _photo(offer, photo_pk)
    form = PhotoAltForm(request.POST, prefix=f"photo-{photo.pk}")
    if form.is_valid():
        try:
            housing_photo_update(photo=photo, by=request.user, alt_text=form.cleaned_data["alt_text"])
        except HousingError as exc:
            form.add_error("alt_text", exc.message)
    if form.errors:
        return _render_edit(request, offer, photo_forms={photo.pk: form}, status=400)
    messages.success(request, _("Description de la photo enregistrée."))
    return redirect(_edit_url(offer) + "#photos")


@require_POST
def photo_move(request, pk: int, photo_pk: int):
    offer = _offer(request, pk)
    photo = _photo(offer, photo_pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    housing_photo_move(photo=photo, by=request.user, offset=offset)
    messages.success(request, _("Ordre des photos enregistré."))
    return redirect(_edit_url(offer) + "#photos")


@require_POST
def photo_delete(request, pk: int, photo_pk: int):
    offer = _offer(request, pk)
    photo = _photo(offer, photo_pk)
    housing_photo_remove(photo=photo, by=request.user)
    messages.success(request, _("Photo supprimée."))
    return redirect(_edit_url(offer) + "#photos")
