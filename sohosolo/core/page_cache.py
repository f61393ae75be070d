"""Full-page cache for anonymous visitors of public pages and public API reads.

Views opt in with ``@cache_for_anonymous(seconds)``. The middleware answers a cached copy before the
session, locale, authentication and territory middleware run, which is what keeps public pages fast
under load. A cached page still gets a fresh CSP nonce on every response: the nonce is stored as a
placeholder and replaced on the way out. Requests with a session cookie (signed-in users, anyone
who submitted a form) and responses that set cookies are never cached. ``page_cache_bump()``
invalidates every cached page at once (called when territories or communes change).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from . import csp
from .cache import new_version, shared_version

VERSION_KEY = "pagecache:version"
PLACEHOLDER = csp.PLACEHOLDER.encode()
CSP_HEADER = "Content-Security-Policy"


def page_cache_bump() -> None:
    """Forget every cached page (a new version makes old keys unreachable; they expire on their own)."""
    new_version(VERSION_KEY)


def mark_responses(**attributes):
    """A view decorator that sets these attributes on the view's responses (read by a cache middleware)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            for name, value in attributes.items():
                setattr(response, name, value)
            return response

        return wrapper

    return decorator


def cache_for_anonymous(seconds: int = 300):
    """Mark a view's successful responses as cacheable for anonymous visitors."""
    return mark_responses(page_cache_seconds=seconds)


def _key(request, version: str) -> str:
    raw = "|".join(
        [
            version,
            request.get_host(),
            request.get_full_path(),
            request.headers.get("Accept-Language", ""),
            request.headers.get("HX-Request", ""),
        ]
    )
    return "pagecache:" + hashlib.sha256(raw.encode()).hexdigest()


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _cacheable_request(self, request) -> bool:
        return (
            settings.PAGE_CACHE_ENABLED
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
        )

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        version = shared_version(VERSION_KEY)
        key = _key(request, version)
        stored = cache.get(key)
        if stored is not None:
            return self._replay(stored)
        response = self.get_response(request)
        seconds = getattr(response, "page_cache_seconds", None)
        if seconds and response.status_code == 200 and not response.streaming and not response.cookies:
            self._store(key, request, response, seconds)
        return response

    def _store(self, key: str, request, response, seconds: int) -> None:
        nonce = getattr(request, "_csp_nonce", None)
        content = response.content
        headers = dict(response.items())
        if isinstance(nonce, str):
            content = content.replace(nonce.encode(), PLACEHOLDER)
            if CSP_HEADER in headers:
                headers[CSP_HEADER] = headers[CSP_HEADER].replace(nonce, PLACEHOLDER.decode())
        cache.set(key, (content, headers), seconds)

    def _replay(self, stored) -> HttpResponse:
        content, headers = stored
        if PLACEHOLDER in content or PLACEHOLDER.decode() in headers.get(CSP_HEADER, ""):
            nonce = csp.new_nonce()
            content = content.replace(PLACEHOLDER, nonce.encode())
            if CSP_HEADER in headers:
                headers = {**headers, CSP_HEADER: headers[CSP_HEADER].replace(PLACEHOLDER.decode(), nonce)}
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response
