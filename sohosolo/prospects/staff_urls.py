"""Staff area for prospects (/suivi/porteurs/): each part of the pipeline keeps its own URL module."""

from django.urls import include, path

app_name = "prospects_staff"

urlpatterns = [
    path("", include("sohosolo.prospects.urls_pipeline")),
    path("import/", include("sohosolo.prospects.urls_import")),
    path("", include("sohosolo.prospects.urls_privacy")),
]
