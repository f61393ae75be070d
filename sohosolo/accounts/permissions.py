from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404


def check_territory_perm(request, perm: str) -> None:
    """404 when the territory is outside the user's scope; 403 when in scope but not allowed."""
    territory = request.territory
    if territory is None or not request.user.has_perm("accounts.in_scope", territory):
        raise Http404("Not in this user's territories.")
    if not request.user.has_perm(perm, territory):
        raise PermissionDenied


def territory_permission_required(perm: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            check_territory_perm(request, perm)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
