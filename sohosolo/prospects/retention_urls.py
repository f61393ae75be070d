"""The link of the retention email: the person keeps their file (public, signed token)."""

from django.urls import path

from .views import privacy

app_name = "prospects_retention"

urlpatterns = [
    path("<str:token>/", privacy.retention_confirm, name="confirm"),
]
