"""Tests: fast hashing, strict templates, a file SQLite database for threaded tests."""

from csp.constants import SELF

from .base import *  # noqa: F403
from .base import BASE_DIR, CONTENT_SECURITY_POLICY, DATABASES, TEMPLATES, env, tile_origin

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
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [SELF, "data:", tile_origin(MAP_TILE_URL)]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # In-memory SQLite fails concurrent writers with SQLITE_LOCKED: give tests a file.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("TEST_SQLITE_NAME", default=str(BASE_DIR / ".test-db.sqlite3"))
    }
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STAFF_MFA_REQUIRED = False
# Tests run from a fresh clone, before any collectstatic: WhiteNoise must not warn (an error under
# filterwarnings=error) because STATIC_ROOT does not exist yet.
WHITENOISE_AUTOREFRESH = True
# Tests measure the views themselves; tests/core/test_page_cache.py turns the page cache on.
PAGE_CACHE_ENABLED = False
# Signed-in pages are served from their cache as in production (one process: the local cache is shared).
PRIVATE_PAGE_CACHE_ENABLED = True
