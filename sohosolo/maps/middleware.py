"""A shorter way through the middleware for anonymous reads of the map endpoint (GET /api/v1/map).

The map page asks the endpoint again at every pan and zoom, and most of the middleware stack concerns
sessions and signed-in people. For an anonymous GET (no session cookie, no Authorization header) with a
valid query from a client within its rate limit, this middleware answers itself, with the endpoint's
own pieces: its query schema (MapQuery), its throttle (MapThrottle), its answer (map_response). Around
that answer it runs the middleware the answer depends on, taken from settings.MIDDLEWARE in their order
(locale: language and Content-Language; common: host validation and Content-Length; X-Frame-Options),
sets request.territory as TerritoryMiddleware does, and skips the ones that only concern sessions and users (SKIPPED below).
The middleware placed before this one (security headers, CSP, Permissions-Policy, the anonymous page
cache) apply to its answers as to any other.

Anything else goes through the full stack and gets the same answer as without this middleware: another
method or path, a session or credentials, an invalid query (ninja's 422), a throttled client (ninja's
429), a host not allowed (400). If MIDDLEWARE lists one this module does not know, after this one, the
short way is off: a middleware added later is never skipped by accident.

Install it right after django_permissions_policy.PermissionsPolicyMiddleware.
"""

import logging
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError

logger = logging.getLogger(__name__)

# Run on the short way too, in the order of settings.MIDDLEWARE: what the answer depends on.
KEPT = frozenset(
    {
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    }
)
# Done by the short way itself, with the same function: request.territory from the host.
REPLACED = frozenset({"sohosolo.territories.middleware.TerritoryMiddleware"})
# Nothing to do for an anonymous, cookie-less, safe read of a public JSON endpoint.
SKIPPED = frozenset(
    {
        "django.contrib.sessions.middleware.SessionMiddleware",  # no session cookie
        "sohosolo.core.private_cache.PrivatePageCacheMiddleware",  # requests with a session cookie only
        "django.middleware.csrf.CsrfViewMiddleware",  # a safe method; the API is csrf-exempt anyway
        "django.contrib.auth.middleware.AuthenticationMiddleware",  # anonymous
        "sohosolo.core.middleware.PrivateByDefaultMiddleware",  # /api/v1/ is public
        "django.contrib.messages.middleware.MessageMiddleware",  # no messages in JSON
        "django_htmx.middleware.HtmxMiddleware",  # not read by the endpoint
        "allauth.account.middleware.AccountMiddleware",  # sign-in flows only
        "auditlog.middleware.AuditlogMiddleware",  # actor of writes; a read writes nothing
        "sohosolo.accounts.middleware.StaffMFAMiddleware",  # staff pages only
        "sohosolo.core.middleware.RatelimitMiddleware",  # django-ratelimit is not used by the endpoint
        "axes.middleware.AxesMiddleware",  # sign-in lockouts only
    }
)
_QUERY_SCHEMA = None


def _query_schema():
    """The endpoint's MapQuery, reading a dict as it is: without ninja's wrapper for model instances
    (DjangoGetter), which only matters for objects and costs more than the validation itself. Same
    fields, same validators, same errors."""
    global _QUERY_SCHEMA  # noqa: PLW0603 (built once per process)
    if _QUERY_SCHEMA is None:
        from pydantic import model_validator

        from sohosolo.api.routers.map import MapQuery

        class DictMapQuery(MapQuery):
            @model_validator(mode="wrap")
            @classmethod
            def _run_root_validator(cls, values, handler, info):
                return handler(values)

        _QUERY_SCHEMA = DictMapQuery
    return _QUERY_SCHEMA


class MapFastPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.chain = self._build_chain()
        self.path = None

    def _build_chain(self):
        names = list(settings.MIDDLEWARE)
        me = f"{__name__}.{type(self).__name__}"
        after = names[names.index(me) + 1 :] if me in names else []
        unknown = [name for name in after if name not in KEPT | SKIPPED | REPLACED]
        if unknown:
            logger.warning("map fast path off: unknown middleware after it: %s", ", ".join(unknown))
            return None
        handler = self._answer
        for name in reversed([name for name in after if name in KEPT]):
            handler = import_string(name)(handler)
        return handler

    def __call__(self, request):
        prepared = self._prepare(request) if self.chain is not None else None
        if prepared is None:
            return self.get_response(request)
        request._map_query = prepared
        response = self.chain(request)
        # As the full stack's session middleware does (the session is looked at there), after locale's.
        patch_vary_headers(response, ("Cookie",))
        return response

    def _prepare(self, request):
        """(query, filters) when this request can take the short way, else None."""
        if self.path is None:
            self.path = reverse("api:map_points")
        if (
            request.method != "GET"
            or request.path_info != self.path
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return None
        from sohosolo.api.routers.map import router
        from sohosolo.territories.middleware import territory_for_host

        try:
            # The query string as QueryDict.dict() reads it (the last value of a repeated name).
            data = dict(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))
            query = _query_schema().model_validate(data)
            request.territory = territory_for_host(request.get_host())
            filters = query.to_filters(request)
        except (ValidationError, NinjaValidationError, DisallowedHost, ValueError):
            return None  # the full stack answers: 422 or 400
        for throttle in router.throttle:
            if not throttle.allow_request(request):
                return None  # the full stack answers 429
        return query, filters

    def _answer(self, request):
        from sohosolo.api.routers.map import CACHE_SECONDS, map_response

        query, filters = request._map_query
        response = map_response(query, filters)
        response.page_cache_seconds = CACHE_SECONDS  # as @cache_for_anonymous on the endpoint
        return response
