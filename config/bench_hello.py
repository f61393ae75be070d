"""R0, the benchmark's reference: a bare Django hello view, no middleware, no database, DEBUG off.

Settings module and URLconf in one file, served through the same entry point and gunicorn options as
the application: DJANGO_SETTINGS_MODULE=config.bench_hello gunicorn config.wsgi:application.
"""

from django.http import HttpResponse
from django.urls import path

DEBUG = False
SECRET_KEY = "bench-hello-reference-only-0b7e3f9a2c41d8e6f5a7c9b1d3e5f7a9c2b4d6e8"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "config.bench_hello"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
TEMPLATES: list = []
USE_TZ = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}


def hello(request):
    return HttpResponse("Hello, world!\n", content_type="text/plain")


urlpatterns = [path("", hello)]
