"""Who may do what with events (rules predicates, like sohosolo.accounts.rules).

- ``events.manage_events`` (object: the territory): the territory's staff (administrators and
  advisors) create and edit series, edit, move and cancel occurrences.
- ``events.check_in`` (object: the territory): the territory's staff open check-in lists.
- ``events.check_in_occurrence`` (object: an occurrence): the territory's staff, and the welcome
  committee of the occurrence's village for a village event — for a check-in view that wants to let
  a committee run its own event's door.
"""

import rules

from sohosolo.accounts.models import Membership, Role
from sohosolo.accounts.rules import is_staff_of, roles_in


@rules.predicate
def is_staff_of_occurrence_territory(user, occurrence) -> bool:
    return bool(occurrence is not None and is_staff_of(user, occurrence.series.territory))


@rules.predicate
def is_committee_of_occurrence_village(user, occurrence) -> bool:
    """A committee member of the village the occurrence's series belongs to."""
    if occurrence is None or not user.is_authenticated:
        return False
    series = occurrence.series
    if series.village_id is None or Role.COMMITTEE not in roles_in(user, series.territory):
        return False
    return Membership.objects.filter(
        user=user,
        territory_id=series.territory_id,
        role=Role.COMMITTEE,
        scope_type__app_label="villages",
        scope_type__model="village",
        scope_id=series.village_id,
    ).exists()


rules.add_perm("events.manage_events", is_staff_of)
rules.add_perm("events.check_in", is_staff_of)
rules.add_perm(
    "events.check_in_occurrence", is_staff_of_occurrence_territory | is_committee_of_occurrence_village
)
