""" "Mon passeport" in "Mon espace" (/<lang>/mon-espace/passeport/): the holder's own passport."""

from django.urls import path

from .views import holder

app_name = "passports"

urlpatterns = [
    path("", holder.passport_detail, name="detail"),
    path("imprimer/", holder.passport_print, name="print"),
    path("etapes/", holder.step_toggle, name="step"),
]
