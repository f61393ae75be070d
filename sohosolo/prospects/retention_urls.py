from django.urls import path  # noqa: F401

app_name = "prospects_retention"

urlpatterns: list = []
