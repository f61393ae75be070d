"""The one-year follow-up survey, reached from a signed link (/<lang>/enquete/<token>/, public)."""

from django.urls import path

from .views import survey

app_name = "prospects_survey"

urlpatterns = [
    path("<str:token>/", survey.answer, name="answer"),
]
