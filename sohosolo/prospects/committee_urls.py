"""« Contacts des villages » (/<lang>/suivi/contacts-villages/): the prospects shared with a committee."""

from django.urls import path

from .views import committee

app_name = "prospects_committee"

urlpatterns = [
    path("", committee.prospect_list, name="list"),
    path("<int:pk>/", committee.prospect_detail, name="detail"),
    path("<int:pk>/contacte/", committee.prospect_contacted, name="contacted"),
]
