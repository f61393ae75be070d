"""Staff privacy pages of a prospect (included in the prospects_staff namespace)."""

from django.urls import path

from .views import privacy

urlpatterns = [
    path("<int:pk>/effacer/", privacy.erase, name="erase"),
    path("<int:pk>/donnees.json", privacy.export_json, name="export_json"),
    path("<int:pk>/journal/", privacy.audit, name="audit"),
]
