"""Who may do what with partners and their offers (rules predicates on the territory).

- ``partners.manage_partners``: the territory's staff (administrators and advisors) list, create and
  edit the partners, and see their staff. Inviting partner staff stays with the administrators
  (``accounts.manage_team``), like committee members.
- ``partners.view_my_partner``: a partner's staff, for the "Mon partenaire" link of the navigation.
- ``partners.manage_offers``: staff, and the staff of a partner (role PARTNER), open "Mon partenaire".
  Which partner's offers a partner's staff member may manage is decided per object by
  ``sohosolo.partners.services.partners_managed_by`` (404 for another partner, even of the territory).
"""

import rules

from sohosolo.accounts.models import Role
from sohosolo.accounts.rules import is_staff_of, roles_in


@rules.predicate
def is_partner_staff(user, territory) -> bool:
    return Role.PARTNER in roles_in(user, territory)


rules.add_perm("partners.manage_partners", is_staff_of)
rules.add_perm("partners.manage_offers", is_staff_of | is_partner_staff)
# The navigation's "Mon partenaire" link (a partner's staff; territory staff reach it from /suivi/).
rules.add_perm("partners.view_my_partner", is_partner_staff)


def can_see_my_partner(user, territory) -> bool:
    """Whether the navigation shows "Mon partenaire" (a partner's staff of the territory)."""
    return bool(
        user is not None
        and user.is_authenticated
        and territory is not None
        and user.has_perm("partners.view_my_partner", territory)
    )
