from django.urls import path

from .views import committee, staff

app_name = "villages_staff"

# Pages of the staff area (/<lang>/suivi/villages/...) and of committees ("Mes villages").
urlpatterns = [
    path("", staff.village_list, name="list"),
    path("ajouter/", staff.village_create_view, name="create"),
    path("mes-villages/", committee.my_villages, name="mine"),
    path("mes-villages/<slug:slug>/", committee.village_edit, name="edit"),
    path("mes-villages/<slug:slug>/photos/", committee.village_photo_add_view, name="photo_add"),
    path(
        "mes-villages/<slug:slug>/photos/<int:pk>/retirer/",
        committee.village_photo_remove_view,
        name="photo_remove",
    ),
    path("mes-villages/<slug:slug>/trajets/", committee.village_travel_times_view, name="travel_times"),
    path("<slug:slug>/publier/", staff.village_publish_view, name="publish"),
    path("<slug:slug>/depublier/", staff.village_unpublish_view, name="unpublish"),
    path("<slug:slug>/historique/", staff.village_history, name="history"),
]
