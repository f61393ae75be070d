"""Staff pages of series and occurrences (namespace "events_staff", under /<lang>/suivi/agenda/)."""

from django.urls import path

from .views import staff_series as views

urlpatterns = [
    path("", views.series_list, name="series_list"),
    path("series/nouvelle/", views.series_create_view, name="series_create"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/modifier/", views.series_edit_view, name="series_edit"),
    path("rendez-vous/<int:pk>/modifier/", views.occurrence_edit_view, name="occurrence_edit"),
    path("rendez-vous/<int:pk>/deplacer/", views.occurrence_move_view, name="occurrence_move"),
    path("rendez-vous/<int:pk>/annuler/", views.occurrence_cancel_view, name="occurrence_cancel"),
]
