"""Who may manage housing offers (rules predicates on a territory).

Committee members manage the offers of their own villages only: which villages that is comes from
``Village.objects.editable_by``; these permissions only say whether the pages are open to them.
Out of the territory → 404; in the territory without a committee or staff role → 403.
"""

import rules

from sohosolo.accounts.models import Role
from sohosolo.accounts.rules import is_staff_of, roles_in


@rules.predicate
def is_committee_member(user, territory) -> bool:
    return Role.COMMITTEE in roles_in(user, territory)


rules.add_perm("housing.manage_offers", is_staff_of | is_committee_member)
# Territory staff may take down what a committee published, with a reason sent to its author.
rules.add_perm("housing.unpublish_offer", is_staff_of)
