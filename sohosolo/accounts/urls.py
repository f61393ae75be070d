from django.urls import path

from .views import invitations, space

app_name = "accounts"

urlpatterns = [
    path("mon-espace/", space.space, name="space"),
    path("mon-espace/mes-donnees.json", space.export, name="export"),
    path("mon-espace/supprimer/", space.delete, name="delete"),
    path("invitation/<str:token>/", invitations.accept, name="invitation"),
]
