"""Import of existing contacts (/suivi/porteurs/import/), in the prospects_staff namespace."""

from django.urls import path

from .views import imports

urlpatterns = [
    path("", imports.import_upload, name="import_upload"),
    path("<int:pk>/colonnes/", imports.import_mapping, name="import_mapping"),
    path("<int:pk>/apercu/", imports.import_preview, name="import_preview"),
    path("<int:pk>/confirmer/", imports.import_confirm, name="import_confirm"),
    path("<int:pk>/annuler/", imports.import_cancel, name="import_cancel"),
    path("<int:pk>/resultat/", imports.import_done, name="import_done"),
]
