from django.urls import path

from . import views

app_name = "maps"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("fiche/<slug:kind>/<int:pk>/", views.popup, name="popup"),
]
