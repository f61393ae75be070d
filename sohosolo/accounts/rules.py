"""Who may do what, in one place (rules predicates), used by views, templates and the API.

Objects are territories: ``user.has_perm("accounts.manage_team", territory)``.
Out of scope (no role at all in the territory) → 404; in scope but not allowed → 403
(see ``sohosolo.accounts.permissions``).
"""

import rules

from .models import Membership, Role


def roles_in(user, territory) -> set[str]:
    """The user's roles in a territory, cached on the user object for the request.

    Read and written with getattr/setattr, never through ``user.__dict__``: ``request.user`` is a lazy
    object whose own ``__dict__`` is not the user's, so the middleware (given ``request.user``) and
    ``has_perm`` (given the user itself) would each keep a cache of their own and query twice.
    """
    if not user.is_authenticated or territory is None:
        return set()
    cache = getattr(user, "_roles_cache", None)
    if cache is None:
        cache = {}
        user._roles_cache = cache  # through a lazy request.user: set on the user it wraps
    if territory.pk not in cache:
        cache[territory.pk] = set(
            # order_by(): the model's ordering would join the territory and the user for nothing.
            Membership.objects.filter(user=user, territory=territory)
            .order_by()
            .values_list("role", flat=True)
        )
    return cache[territory.pk]


def forget_roles(user) -> None:
    try:
        del user._roles_cache
    except AttributeError:
        pass


@rules.predicate
def is_platform_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


@rules.predicate
def is_territory_admin(user, territory) -> bool:
    return Role.TERRITORY_ADMIN in roles_in(user, territory)


@rules.predicate
def is_advisor(user, territory) -> bool:
    return Role.ADVISOR in roles_in(user, territory)


@rules.predicate
def has_role_in(user, territory) -> bool:
    return bool(roles_in(user, territory))


is_staff_of = is_platform_admin | is_territory_admin | is_advisor
is_admin_of = is_platform_admin | is_territory_admin

rules.add_perm("accounts.view_staff_area", is_staff_of)
rules.add_perm("accounts.view_team", is_staff_of)
rules.add_perm("accounts.manage_team", is_admin_of)
rules.add_perm("accounts.view_audit_log", is_admin_of)
rules.add_perm("core.view_outbox", is_admin_of)
rules.add_perm("accounts.in_scope", is_platform_admin | has_role_in)
