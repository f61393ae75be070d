"""The site's URLs plus one view guarded by django-ratelimit, for the 429 tests."""

from django.http import HttpResponse
from django.urls import path
from django_ratelimit.decorators import ratelimit

from config.urls import urlpatterns as site_urlpatterns
from sohosolo.core.decorators import public


@public
@ratelimit(key="ip", rate="2/m", block=True)
def limited(request):
    return HttpResponse("ok")


urlpatterns = [path("limited/", limited), *site_urlpatterns]
