from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("", views.commune_list, name="commune_list"),
    path("<str:code>/", views.commune_detail, name="commune_detail"),
]
