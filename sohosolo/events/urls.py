"""Public agenda (/<lang>/agenda/): each part keeps its own URL module."""

from django.urls import include, path

app_name = "events"

urlpatterns = [
    path("", include("sohosolo.events.urls_agenda")),
    path("", include("sohosolo.events.urls_registration")),
]
