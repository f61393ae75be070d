"""Tests: fast hashing, strict templates, a file SQLite database for threaded tests."""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, TEMPLATES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Undefined template variables fail loudly.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "INVALID_TEMPLATE_VARIABLE[%s]"
API_RATE_LIMIT = "100000/m"
MAP_TILE_URL = "https://tile.test.invalid/{z}/{x}/{y}.png"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # In-memory SQLite fails concurrent writers with SQLITE_LOCKED: give tests a file.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
