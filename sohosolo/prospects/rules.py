"""Who may see and change prospects (rules predicates on a territory).

- Advisors and territory admins of T work T's pipeline (any prospect of T); out of T → 404.
- A village committee sees only the prospects who chose one of its villages and consented to share
  their project (``Prospect.objects.visible_to_committee``); never exports, never other prospects.
- The prospect sees their own project in "Mon espace".
"""

import rules

from sohosolo.accounts.models import Role
from sohosolo.accounts.rules import is_admin_of, is_staff_of, roles_in


@rules.predicate
def is_committee_member(user, territory) -> bool:
    return Role.COMMITTEE in roles_in(user, territory)


rules.add_perm("prospects.view_pipeline", is_staff_of)
rules.add_perm("prospects.change_prospect", is_staff_of)
rules.add_perm("prospects.export_prospects", is_staff_of)
rules.add_perm("prospects.import_prospects", is_staff_of)
rules.add_perm("prospects.view_committee_prospects", is_staff_of | is_committee_member)
rules.add_perm("prospects.erase_prospect", is_staff_of)
rules.add_perm("prospects.view_prospect_audit", is_admin_of)
