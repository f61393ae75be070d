"""Who may do what with villages (rules predicates on the territory, like sohosolo.accounts.rules).

- ``villages.manage_villages``: the territory's staff (administrators and advisors) list, create,
  publish and unpublish villages. Advisors are included on purpose: they follow the villages day to
  day and must be able to take a page offline at once; inviting committee members stays with the
  administrators (``accounts.manage_team``).
- ``villages.view_my_villages``: staff and committee members open "Mes villages". Which village a
  committee member may edit is decided per object by ``Village.objects.editable_by`` (404 otherwise).
"""

import rules

from sohosolo.accounts.models import Role
from sohosolo.accounts.rules import is_staff_of, roles_in


@rules.predicate
def is_committee_member(user, territory) -> bool:
    return Role.COMMITTEE in roles_in(user, territory)


rules.add_perm("villages.manage_villages", is_staff_of)
rules.add_perm("villages.view_my_villages", is_staff_of | is_committee_member)


def can_see_my_villages(user, territory) -> bool:
    """Whether the navigation shows "Mes villages" (staff and committee members of the territory)."""
    return bool(
        user is not None
        and user.is_authenticated
        and territory is not None
        and user.has_perm("villages.view_my_villages", territory)
    )
