"""Staff area of partners (/<lang>/suivi/partenaires/): territory staff and partners' own staff."""

from django.urls import path

from .views import offers, staff

app_name = "partners_staff"

urlpatterns = [
    path("", staff.partner_list, name="list"),
    path("nouveau/", staff.partner_create_view, name="create"),
    path("mes-offres/", offers.my_offers, name="my_offers"),
    path("<int:pk>/", staff.partner_detail, name="detail"),
    path("<int:pk>/modifier/", staff.partner_edit_view, name="edit"),
    path("<int:partner_pk>/offres/ajouter/", offers.offer_create_view, name="offer_create"),
    path("offres/<int:pk>/modifier/", offers.offer_edit_view, name="offer_edit"),
    path("offres/<int:pk>/activation/", offers.offer_active_view, name="offer_active"),
]
