"""django-allauth's pages, with French paths for the ones people type or see most."""

from allauth.account import views as account_views
from django.urls import include, path

from sohosolo.core.decorators import public

urlpatterns = [
    path("", include("allauth.urls")),
    # Defined after allauth's own paths so that reverse() gives these French ones.
    path("connexion/", public(account_views.login), name="account_login"),
    path("inscription/", public(account_views.signup), name="account_signup"),
    path("deconnexion/", account_views.logout, name="account_logout"),
    path("mot-de-passe/oublie/", public(account_views.password_reset), name="account_reset_password"),
]
