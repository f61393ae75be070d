from django.urls import path

from .views import public

app_name = "villages"

urlpatterns = [
    path("", public.village_list, name="list"),
    path("<slug:slug>/", public.village_detail, name="detail"),
    path("<slug:slug>/contact/", public.village_contact, name="contact"),
]
