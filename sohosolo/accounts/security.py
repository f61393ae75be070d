"""django-axes hooks: who is failing to log in, from where, and what a locked-out visitor sees."""

from django.conf import settings

from sohosolo.core.views import ratelimited


def axes_username(request, credentials) -> str:
    """The login attempted, whichever form sent it (allauth: email or login; admin: username)."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login") or request.POST.get("username") or request.POST.get("email")
    return (value or "").strip().lower()


def client_ip(request) -> str:
    """REMOTE_ADDR, or the address TRUSTED_PROXY_COUNT proxies away in X-Forwarded-For."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """A clear 429 page in the visitor's language."""
    return ratelimited(request)
