from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from sohosolo.api.api import api
from sohosolo.content import views as content_views
from sohosolo.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", content_views.robots_txt, name="robots_txt"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("sohosolo.content.urls")),
    path("communes/", include("sohosolo.territories.urls")),
    path("", include("sohosolo.accounts.urls")),
    path("compte/", include("sohosolo.accounts.allauth_urls")),
    path("suivi/", include("sohosolo.accounts.staff_urls")),
    prefix_default_language=True,
)

handler400 = "sohosolo.core.views.bad_request"
handler403 = "sohosolo.core.views.permission_denied"
handler404 = "sohosolo.core.views.page_not_found"
handler500 = "sohosolo.core.views.server_error"
