"""The public agenda (namespace "events", at /<lang>/agenda/): list and month view, an occurrence's
page and .ics, the iCalendar feeds of the territory and of a series."""

from django.urls import path, register_converter

from .views import agenda as views

# Words the other public pages of /agenda/ use as their first segment (registration, cancellation):
# never read as a series' slug, whatever the order in which the URL modules are included.
RESERVED_SLUGS = ("inscription", "inscriptions", "annulation", "desinscription", "ical")


class SeriesSlugConverter:
    regex = r"(?!(?:" + "|".join(RESERVED_SLUGS) + r")(?![-a-zA-Z0-9_]))[-a-zA-Z0-9_]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SeriesSlugConverter, "agenda_series_slug")

urlpatterns = [
    path("", views.agenda_view, name="agenda"),
    path("calendrier.ics", views.territory_feed, name="feed"),
    path("<int:pk>.ics", views.occurrence_ics_view, name="occurrence_ics"),
    path("<agenda_series_slug:series_slug>/calendrier.ics", views.series_feed, name="series_feed"),
    path("<agenda_series_slug:series_slug>/<int:pk>/", views.occurrence_detail, name="occurrence"),
]
