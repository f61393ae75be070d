"""Public pages of partners (/<lang>/partenaires/): the directory and a partner's page."""

from django.urls import path

from .views import public

app_name = "partners"

urlpatterns = [
    path("", public.directory, name="directory"),
    path("<slug:slug>/", public.partner_detail, name="detail"),
]
