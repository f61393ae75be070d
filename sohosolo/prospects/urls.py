"""Public pages of prospects (/<lang>/projet/): the project form, its confirmation, the sign-in link."""

from django.urls import path

from .views import public

app_name = "prospects"

urlpatterns = [
    path("", public.project_form, name="form"),
    path("merci/", public.project_thanks, name="thanks"),
    path("connexion/<str:uidb64>/<str:token>/", public.project_sign_in, name="sign_in"),
]
