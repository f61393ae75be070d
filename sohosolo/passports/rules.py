"""Who may see and change passports (rules predicates on the territory).

- ``passports.view_passports``: the territory's staff (advisors, administrators) list the passports
  and open their print view.
- ``passports.change_passport``: the same staff tick or untick a passport's checklist steps.
- ``passports.configure_checklist``: the territory's administrators edit the checklist itself.

The holder sees their own passport in "Mon espace" (no permission: it is found from their account).
"""

import rules

from sohosolo.accounts.rules import is_admin_of, is_staff_of

rules.add_perm("passports.view_passports", is_staff_of)
rules.add_perm("passports.change_passport", is_staff_of)
rules.add_perm("passports.configure_checklist", is_admin_of)
