"""Settings shared by every environment; each value comes from the environment.

A value that cannot be parsed fails loudly at start-up (django-environ raises).
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from sohosolo.core.cache import cache_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-secret-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", ".localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # "ninja" must be installed so Swagger UI is served from local static files.
    "ninja",
    "csp",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "auditlog",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "sohosolo.core",
    "sohosolo.accounts",
    "sohosolo.territories",
    "sohosolo.villages",
    "sohosolo.services",
    "sohosolo.connectivity",
    "sohosolo.housing",
    "sohosolo.prospects",
    "sohosolo.partners",
    "sohosolo.passports",
    "sohosolo.events",
    "sohosolo.maps",
    "sohosolo.content",
    "sohosolo.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CSP (so the cached copy gets a fresh nonce) and before sessions, locale and auth (a hit skips them).
    "sohosolo.core.page_cache.AnonymousPageCacheMiddleware",
    "sohosolo.core.csp.MemoizedCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Signed-in pages that opted in, served again to the same session until the next database write.
    "sohosolo.core.private_cache.PrivatePageCacheMiddleware",
    # Anonymous GET of the map endpoint skips sessions and auth (see its docstring); all else passes through.
    "sohosolo.maps.middleware.MapFastPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sohosolo.core.middleware.PrivateByDefaultMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sohosolo.territories.middleware.TerritoryMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "sohosolo.accounts.middleware.StaffMFAMiddleware",
    "sohosolo.core.middleware.RatelimitMiddleware",
    # Must be last: turns axes lockouts into our 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sohosolo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "sohosolo.core.context_processors.site",
            ],
        },
    },
]

# Databases: embedded SQLite by default, PostgreSQL with DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Fit for concurrent writers: WAL, writers take the lock up front, and wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": cache_settings(env.cache("CACHE_URL", default="locmemcache://sohosolo"))}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses locked-out (username, IP) pairs before any password check.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:space"
LOGOUT_REDIRECT_URL = "content:home"

# Accounts (django-allauth): email login, by password or by a one-time code sent by email.
ACCOUNT_ADAPTER = "sohosolo.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 900  # rural connections and slow mailboxes: 15 minutes
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Soho Solo] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# allauth's own limits stay on. The per-(username, IP) lockout after 5 failures is axes' job, so
# allauth's per-key limit is set above it and its per-IP limit guards against spraying many emails.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "30/m/ip,10/15m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "request_login_code": "20/m/ip,3/m/key",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Soho Solo"
# Advisors, territory admins and superusers must set up TOTP (on in production).
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=False)
SAMPLE_PASSWORD = env.str("SAMPLE_PASSWORD", default="soho-solo-exemple")

# Lockout (django-axes): per (username, IP) after 5 failures, for 15 minutes, site and admin login.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A locked-out visitor who keeps trying is free 15 minutes after the lock, not after the last try.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "sohosolo.accounts.security.axes_username"
AXES_LOCKOUT_CALLABLE = "sohosolo.accounts.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "sohosolo.accounts.security.client_ip"
AXES_VERBOSE = False

# Audit trail (django-auditlog).
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "accounts.membership"},
    {"model": "accounts.invitation", "exclude_fields": ["token_hash"]},
    {"model": "villages.village"},
    {"model": "villages.villagephoto"},
    {"model": "villages.measuredtraveltime"},
    {"model": "services.service"},
    {"model": "connectivity.connectivitycorrection"},
    {"model": "housing.housingoffer", "exclude_fields": ["expiry_reminder_sent_at"]},
    {"model": "housing.housingphoto"},
    {
        "model": "prospects.prospect",
        "exclude_fields": ["phone_normalised", "updated_at", "version", "passport"],
    },
    {"model": "prospects.activity"},
    {"model": "prospects.consentrecord"},
    {"model": "partners.partner"},
    {"model": "partners.offer"},
    {"model": "partners.referral"},
    {"model": "passports.passport"},
    {"model": "passports.redemption"},
    {"model": "events.series"},
    {"model": "events.occurrence"},
    {"model": "events.registration", "exclude_fields": ["reminder_sent_at"]},
)

# Background tasks: a database queue, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Languages: French is the source language; every UI string exists in EN, ES, PT.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English")), ("es", _("Español")), ("pt", _("Português"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr",)
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "sohosolo" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Territories (design §8).
DEFAULT_TERRITORY = env.str("DEFAULT_TERRITORY", default="gers")

# Map tiles: any XYZ tile server; tests never fetch tiles.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)


def tile_origin(url: str) -> str:
    """Return the origin of the tile URL for img-src, with a wildcard for {s} subdomains."""
    parts = urlsplit(url)
    host = parts.netloc.replace("{s}.", "*.")
    return f"{parts.scheme}://{host}" if host else SELF


# Strict CSP: scripts only from us with a per-response nonce, no inline styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", tile_origin(MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": ["self"],
    "geolocation": ["self"],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_REFERRER_POLICY = REFERRER_POLICY
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Sessions in the database, read through the cache (Redis in production): no query to know who asks.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Full-page cache of public pages for anonymous visitors (sohosolo.core.page_cache).
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
# Signed-in pages that opted in, until the next database write (sohosolo/core/private_cache.py). Unset: on
# when the cache is shared by every process (Redis in production), off with a per-process cache (dev).
PRIVATE_PAGE_CACHE_ENABLED = env.bool("PRIVATE_PAGE_CACHE_ENABLED", default=None)

# Public API rate limit per client IP (django-ninja throttling, backed by the cache).
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/m")
# Number of proxies in front of the app whose X-Forwarded-For may be trusted (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT  # never trust X-Forwarded-For unless told
RATELIMIT_VIEW = "sohosolo.core.views.ratelimited"
# Rate limits key on the client address the trusted proxies report (TRUSTED_PROXY_COUNT), not the proxy's.
RATELIMIT_IP_META_KEY = "sohosolo.accounts.security.client_ip"

# Email: SMTP from EMAIL_URL in production; in development messages are written as files in var/mail/.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")
EMAIL_TIMEOUT = 20
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="soho-solo.localhost")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Soho Solo <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admins", a) for a in env.list("ADMINS", default=[])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler would print every line a second time beside the root one.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
