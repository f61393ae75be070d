"""Passports in the staff area (/<lang>/suivi/passeports/): the list, a passport's checklist and print
view, and the territory's checklist configuration."""

from django.urls import path

from .views import staff

app_name = "passports_staff"

urlpatterns = [
    path("", staff.passport_list, name="list"),
    path("<int:pk>/etapes/", staff.step_toggle, name="step"),
    path("<int:pk>/imprimer/", staff.passport_print, name="print"),
    path("etapes/", staff.checklist_config, name="checklist"),
    path("etapes/<int:pk>/modifier/", staff.step_edit, name="step_edit"),
    path("etapes/<int:pk>/deplacer/", staff.step_move_view, name="step_move"),
    path("etapes/<int:pk>/retirer/", staff.step_remove_view, name="step_remove"),
]
