"""The one-year follow-up survey: a public page reached from the signed link of the email."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from sohosolo.core.decorators import public, territory_or_404

from ..followup import (
    LINK_MAX_AGE,
    AlreadyAnswered,
    ExpiredLink,
    InvalidLink,
    followup_answer,
    followup_prospect_for,
)

YES_NO = [("yes", _("Oui")), ("no", _("Non"))]


class SurveyForm(forms.Form):
    still_living = forms.ChoiceField(
        label=_("Vivez-vous toujours sur le territoire ?"), choices=YES_NO, widget=forms.RadioSelect
    )
    activity_going = forms.ChoiceField(
        label=_("Votre activité professionnelle continue-t-elle ?"), choices=YES_NO, widget=forms.RadioSelect
    )
    would_recommend = forms.ChoiceField(
        label=_("Recommanderiez-vous le territoire à un ami qui veut s'installer ?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Un mot à ajouter ? (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce qui vous a aidé, ce qui vous a manqué, ce que vous aimeriez pour les prochains."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("still_living", "activity_going", "would_recommend"):
            self.fields[name].error_messages["required"] = _("Répondez oui ou non.")

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            "still_living": data["still_living"] == "yes",
            "activity_going": data["activity_going"] == "yes",
            "would_recommend": data["would_recommend"] == "yes",
            "comment": data["comment"],
        }


@public
@never_cache
@ratelimit(key="ip", rate="10/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    territory = territory_or_404(request)
    try:
        prospect = followup_prospect_for(token, territory=territory)
    except InvalidLink as exc:
        context = {"expired": isinstance(exc, ExpiredLink), "valid_days": LINK_MAX_AGE.days}
        return render(request, "prospects/survey_invalid.html", context, status=400)
    if prospect.followup_answered_at is not None:
        return render(request, "prospects/survey_done.html", {"prospect": prospect, "already": True})
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            followup_answer(prospect=prospect, **form.answers())
        except AlreadyAnswered:
            return render(request, "prospects/survey_done.html", {"prospect": prospect, "already": True})
        return render(request, "prospects/survey_done.html", {"prospect": prospect, "already": False})
    context = {"form": form, "prospect": prospect}
    return render(request, "prospects/survey_form.html", context, status=400 if form.errors else 200)
