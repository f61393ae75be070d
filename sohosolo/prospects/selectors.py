"""Reads of the advisors' pipeline: the list, its funnel, the "à faire" list (no writes here).

Every function takes the territory of the request: nothing of another territory is ever returned.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import FUNNEL, Prospect, Stage

# How far ahead the "à faire" list and the "this week" filter look (days after today, inclusive).
WEEK_AHEAD = 7


def pipeline_prospects(territory) -> QuerySet:
    """The territory's active (not anonymised) prospects, with what the list shows in a constant
    number of queries: the advisor joined, the chosen villages (and their commune) prefetched."""
    from sohosolo.villages.models import Village

    return (
        Prospect.objects.active()
        .of_territory(territory)
        .select_related("advisor")
        .prefetch_related(
            Prefetch("villages", queryset=Village.objects.select_related("commune").order_by("commune__name"))
        )
    )


def staff_of_territory(territory) -> QuerySet:
    """The people who may follow prospects in the territory (advisors and territory admins)."""
    from sohosolo.accounts.models import STAFF_ROLES

    return (
        get_user_model()
        .objects.filter(memberships__territory=territory, memberships__role__in=STAFF_ROLES, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def person_name(user) -> str:
    """How staff are named in lists: their full name, else their email address."""
    if user is None:
        return ""
    return user.get_full_name() or user.email


def utm_sources(territory) -> list[str]:
    """The distinct campaign sources (utm_source) recorded on the territory's active prospects."""
    return list(
        Prospect.objects.active()
        .of_territory(territory)
        .exclude(utm_source="")
        .order_by("utm_source")
        .values_list("utm_source", flat=True)
        .distinct()
    )


@dataclass
class FunnelStep:
    stage: str
    label: str
    count: int
    query: str = ""  # the list's query string filtered on this stage
    current: bool = False


@dataclass
class Funnel:
    steps: list[FunnelStep]  # contact → installed, in order
    lost: FunnelStep
    total: int


def stage_counts(queryset: QuerySet) -> dict[str, int]:
    """Number of prospects per stage, in one aggregate query."""
    aggregates = {stage: Count("pk", filter=Q(stage=stage)) for stage in Stage.values}
    counts = queryset.order_by().aggregate(**aggregates)
    return {stage: counts[stage] or 0 for stage in Stage.values}


def funnel(queryset: QuerySet, *, query=None, current: str = "") -> Funnel:
    """The funnel of a (filtered) queryset; ``query`` (a QueryDict of the list's other filters)
    gives each step its link to the list filtered on that stage."""
    counts = stage_counts(queryset)

    def step(stage) -> FunnelStep:
        link = ""
        if query is not None:
            params = query.copy()
            params.pop("page", None)
            params["stage"] = stage.value
            link = params.urlencode()
        return FunnelStep(
            stage=stage.value,
            label=str(stage.label),
            count=counts[stage.value],
            query=link,
            current=current == stage.value,
        )

    return Funnel(
        steps=[step(stage) for stage in FUNNEL],
        lost=step(Stage.LOST),
        total=sum(counts.values()),
    )


# --- "À faire" ----------------------------------------------------------------------------------


@dataclass
class TodoGroups:
    overdue: list = field(default_factory=list)
    today: list = field(default_factory=list)
    coming: list = field(default_factory=list)  # tomorrow to WEEK_AHEAD days ahead

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.coming)


ALL = "all"
UNASSIGNED = "none"


def todo(territory, *, advisor, today: date | None = None) -> TodoGroups:
    """Next actions due up to a week ahead, grouped overdue / today / coming.

    ``advisor``: a user (their prospects), ``ALL`` (every prospect of the territory) or
    ``UNASSIGNED`` (prospects without an advisor).
    """
    today = today or timezone.localdate()
    prospects = (
        Prospect.objects.active()
        .of_territory(territory)
        .filter(next_action_on__isnull=False, next_action_on__lte=today + timedelta(days=WEEK_AHEAD))
        .select_related("advisor")
        .order_by("next_action_on", "last_name", "first_name", "pk")
    )
    if advisor == UNASSIGNED:
        prospects = prospects.filter(advisor__isnull=True)
    elif advisor != ALL:
        prospects = prospects.filter(advisor=advisor)
    groups = TodoGroups()
    for prospect in prospects:
        if prospect.next_action_on < today:
            groups.overdue.append(prospect)
        elif prospect.next_action_on == today:
            groups.today.append(prospect)
        else:
            groups.coming.append(prospect)
    return groups
