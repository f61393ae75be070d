from django.urls import path

from . import views

app_name = "services_staff"

# Pages of the staff area (/<lang>/suivi/services/...) used by territory staff and village committees.
urlpatterns = [
    path("", views.index, name="index"),
    path("village/<slug:village_slug>/", views.village_services, name="village"),
    path("village/<slug:village_slug>/ajouter/", views.service_add, name="add"),
    path("<int:pk>/modifier/", views.service_edit, name="edit"),
    path("<int:pk>/confirmer/", views.service_confirm_view, name="confirm"),
    path("<int:pk>/supprimer/", views.service_delete_view, name="delete"),
]
