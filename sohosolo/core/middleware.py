from django.contrib.auth.middleware import LoginRequiredMiddleware
from django_ratelimit.exceptions import Ratelimited

from .views import ratelimited

# Paths that are public by design, not by oversight: the public JSON API (django-ninja views cannot
# be marked login_not_required one by one, upstream issue #1461), the health probe and static files.
PUBLIC_PATH_PREFIXES = ("/api/v1/", "/healthz", "/static/", "/media/", "/favicon.ico", "/robots.txt")


class PrivateByDefaultMiddleware(LoginRequiredMiddleware):
    """Require login for every view except those marked public and the public path prefixes."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(PUBLIC_PATH_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RatelimitMiddleware:
    """Answer django-ratelimit's refusals with a 429 page instead of a 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Ratelimited):
            return ratelimited(request, exception)
        return None
