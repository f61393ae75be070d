from django.contrib.auth import views as auth_views
from django.urls import path

from sohosolo.core.decorators import public

from .forms import LoginForm

app_name = "accounts"

# Foundation II replaces these with django-allauth (one-time codes, MFA, sign-up).
urlpatterns = [
    path(
        "connexion/",
        public(
            auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm)
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
]
