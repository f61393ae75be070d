"""Staff check-in list (namespace "events_staff")."""

from django.urls import path

from .views import checkin as views

urlpatterns = [
    path("pointage/<int:occurrence_pk>/", views.checkin_list, name="checkin"),
    path("pointage/<int:occurrence_pk>/<int:registration_pk>/", views.checkin_mark, name="checkin_mark"),
]
