"""Benchmark (`make bench`): production-like (no debug, cached templates, whitenoise with the manifest)
but plain HTTP on loopback and no external service (local-memory cache instead of Redis).

SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL are required as in production: scripts/bench.py sets them.
"""

from .base import BASE_DIR, cache_settings, env
from .production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
# A local-memory cache unless CACHE_URL says otherwise (scripts/bench_prospects.py starts a Redis for the
# signed-in pages' cache, which needs a cache shared by the workers).
CACHES = {"default": cache_settings(env.cache("CACHE_URL", default="locmemcache://bench"))}
API_RATE_LIMIT = "100000000/m"
MAP_API_RATE_LIMIT = "100000000/m"
# Connections kept between requests, as production keeps its PostgreSQL ones (DATABASE_CONN_MAX_AGE,
# 60 s): opening a SQLite connection and running its PRAGMAs would add ≈ 1.5 ms to every uncached request.
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
# Collected static files of the benchmark stay apart from a real deployment's STATIC_ROOT.
STATIC_ROOT = BASE_DIR / ".bench" / "staticfiles"
# Errors only, on the console: a failing request must show, access logs would only cost time.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
