"""The prospect's own project in "Mon espace" (/<lang>/mon-espace/projet/)."""

from django.urls import path

from .views import space

app_name = "prospects_space"

urlpatterns = [
    path("<int:pk>/", space.project_detail, name="detail"),
    path("<int:pk>/modifier/", space.project_edit, name="edit"),
    path("<int:pk>/consentements/", space.consents, name="consents"),
]
