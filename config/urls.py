from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
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
    path("suivi/villages/", include("sohosolo.villages.staff_urls")),
    path("suivi/services/", include("sohosolo.services.staff_urls")),
    path("suivi/couverture/", include("sohosolo.connectivity.staff_urls")),
    path("suivi/logements/", include("sohosolo.housing.staff_urls")),
    path("suivi/porteurs/", include("sohosolo.prospects.staff_urls")),
    path("suivi/contacts-villages/", include("sohosolo.prospects.committee_urls")),
    path("villages/", include("sohosolo.villages.urls")),
    path("services/", include("sohosolo.services.urls")),
    path("couverture/", include("sohosolo.connectivity.urls")),
    path("logements/", include("sohosolo.housing.urls")),
    path("projet/", include("sohosolo.prospects.urls")),
    path("agenda/", include("sohosolo.events.urls")),
    path("suivi/agenda/", include("sohosolo.events.staff_urls")),
    path("mon-espace/projet/", include("sohosolo.prospects.space_urls")),
    path("mon-espace/passeport/", include("sohosolo.passports.urls")),
    path("suivi/passeports/", include("sohosolo.passports.staff_urls")),
    path("enquete/", include("sohosolo.prospects.survey_urls")),
    path("conservation/", include("sohosolo.prospects.retention_urls")),
    path("carte/", include("sohosolo.maps.urls")),
    path("partenaires/", include("sohosolo.partners.urls")),
    path("suivi/partenaires/", include("sohosolo.partners.staff_urls")),
    path("passeport/", include("sohosolo.passports.scan_urls")),
    path("suivi/orientations/", include("sohosolo.partners.referral_urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    # Development only: uploads served by Django (production serves them from object storage or the proxy).
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "sohosolo.core.views.bad_request"
handler403 = "sohosolo.core.views.permission_denied"
handler404 = "sohosolo.core.views.page_not_found"
handler500 = "sohosolo.core.views.server_error"
