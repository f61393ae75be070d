"""Referrals to partners (/<lang>/suivi/orientations/): partners' list and page, the advisor's form."""

from django.urls import path

from . import views_referrals as views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("nouvelle/<int:prospect_pk>/", views.referral_create_view, name="create"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/statut/", views.referral_status, name="status"),
]
