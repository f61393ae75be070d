"""Registration pages of the public agenda (namespace "events")."""

from django.urls import path

from .views import registration as views

urlpatterns = [
    path("inscription/<int:occurrence_pk>/", views.register_view, name="register"),
    path("inscription/<int:occurrence_pk>/confirmation/", views.registered_view, name="registered"),
    path("annulation/<str:token>/", views.cancel_view, name="cancel"),
]
