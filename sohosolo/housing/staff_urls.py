from django.urls import path

from .views import staff

app_name = "housing_staff"

# Committee members and territory staff: /<lang>/suivi/logements/...
urlpatterns = [
    path("", staff.offer_list, name="list"),
    path("nouvelle/", staff.offer_create, name="create"),
    path("<int:pk>/", staff.offer_edit, name="edit"),
    path("<int:pk>/publier/", staff.offer_publish, name="publish"),
    path("<int:pk>/retirer/", staff.offer_withdraw, name="withdraw"),
    path("<int:pk>/depublier/", staff.offer_unpublish, name="unpublish"),
    path("<int:pk>/photos/<int:photo_pk>/", staff.photo_update, name="photo_update"),
    path("<int:pk>/photos/<int:photo_pk>/deplacer/", staff.photo_move, name="photo_move"),
    path("<int:pk>/photos/<int:photo_pk>/supprimer/", staff.photo_delete, name="photo_delete"),
]
