"""Staff area for events (/<lang>/suivi/agenda/)."""

from django.urls import include, path

app_name = "events_staff"

urlpatterns = [
    path("", include("sohosolo.events.urls_staff_series")),
    path("", include("sohosolo.events.urls_checkin")),
]
