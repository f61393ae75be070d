from django.urls import path

from . import views

app_name = "connectivity_staff"

# Pages of the staff area (/<lang>/suivi/couverture/...) used by territory staff and village committees.
urlpatterns = [
    path("", views.index, name="index"),
    path("village/<slug:village_slug>/", views.village_connectivity, name="village"),
    path("village/<slug:village_slug>/ajouter/", views.correction_add, name="add"),
    path("<int:pk>/modifier/", views.correction_edit, name="edit"),
    path("<int:pk>/supprimer/", views.correction_delete_view, name="delete"),
]
