"""Reads of the advisors' pipeline: the list, its funnel, the "à faire" list (no writes here).

Every function takes the territory of the request: nothing of another territory is ever returned.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from .models import FUNNEL, Prospect, Stage

# How far ahead the "à faire" list and the "this week" filter look (days after today, inclusive).
WEEK_AHEAD = 7

# What the pipeline's list shows of each prospect, and of its advisor: only these columns are read
# (no free text, no JSON). Reading another field of a listed prospect would cost a query per row.
LIST_FIELDS = (
    "id", "territory_id", "first_name", "last_name", "email", "is_sample", "anonymised_at",
    "stage", "lost_reason", "channel", "utm_source", "sector", "anywhere", "created_at",
    "next_action_on", "next_action",
    "advisor", "advisor__id", "advisor__first_name", "advisor__last_name", "advisor__email",
)  # fmt: skip
# Staff as lists name them (person_name) and choose them: no password hash, no dates.
STAFF_FIELDS = ("id", "first_name", "last_name", "email")


def villages_named():
    """The villages with their commune's name only (not its outline, postcodes or opening hours,
    JSON that would be decoded for nothing): what lists and choices of villages show."""
    from sohosolo.villages.models import Village

    return Village.objects.select_related("commune").only(
        "id", "territory_id", "commune", "commune__id", "commune__name"
    )


def pipeline_prospects(territory) -> QuerySet:
    """The territory's active (not anonymised) prospects, with what the list shows in a constant
    number of queries: the advisor joined, the chosen villages (and their commune's name) prefetched
    as ``chosen_villages``; only the columns the list shows (LIST_FIELDS)."""
    return (
        Prospect.objects.active()
        .of_territory(territory)
        .select_related("advisor")
        .only(*LIST_FIELDS)
        .prefetch_related(
            # A plain list (to_attr): no related manager built per prospect to read it.
            Prefetch(
                "villages", queryset=villages_named().order_by("commune__name"), to_attr="chosen_villages"
            )
        )
    )


def staff_of_territory(territory) -> QuerySet:
    """The people who may follow prospects in the territory (advisors and territory admins)."""
    from sohosolo.accounts.models import STAFF_ROLES

    return (
        get_user_model()
        .objects.filter(memberships__territory=territory, memberships__role__in=STAFF_ROLES, is_active=True)
        .only(*STAFF_FIELDS)
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

    def count_of(self, stage: str) -> int:
        return next(step.count for step in [*self.steps, self.lost] if step.stage == stage)


def stage_counts(queryset: QuerySet) -> dict[str, int]:
    """Number of prospects per stage, in one grouped query (read from an index when no other filter
    applies: prospects_funnel_idx)."""
    if queryset.query.distinct:  # a filter through a relation: count each prospect once
        queryset = queryset.model.objects.filter(pk__in=queryset.values("pk"))
    counts = dict(queryset.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    return {stage: counts.get(stage, 0) for stage in Stage.values}


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


# At most this many actions are listed per group (the oldest first); the count says how many there
# are, and the full list is the pipeline's, filtered the same way.
TODO_LIMIT = 50
TODO_GROUPS = ("overdue", "today", "coming")
# What the "à faire" list shows of each prospect (and its advisor's name).
TODO_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "anonymised_at",
    "stage",
    "next_action_on",
    "next_action",
    "advisor",
)
# ... and of their advisors, when the list is the whole team's (else it is one advisor, or nobody).
TODO_ADVISOR_FIELDS = ("advisor__id", "advisor__first_name", "advisor__last_name", "advisor__email")


@dataclass
class TodoGroups:
    overdue: list = field(default_factory=list)
    today: list = field(default_factory=list)
    coming: list = field(default_factory=list)  # tomorrow to WEEK_AHEAD days ahead
    # How many actions each group holds: its list stops at TODO_LIMIT.
    counts: dict = field(default_factory=lambda: dict.fromkeys(TODO_GROUPS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def truncated(self, group: str) -> bool:
        return self.counts[group] > len(getattr(self, group))


ALL = "all"
UNASSIGNED = "none"


def todo(territory, *, advisor, today: date | None = None, limit: int = TODO_LIMIT) -> TodoGroups:
    """Next actions due up to a week ahead, grouped overdue / today / coming, at most ``limit`` per
    group (the oldest first), with each group's full count.

    ``advisor``: a user (their prospects), ``ALL`` (every prospect of the territory) or
    ``UNASSIGNED`` (prospects without an advisor). The prospects' ``advisor`` is joined only for
    ``ALL`` (otherwise it is the one given, or nobody).

    Two queries: the dates of every due action (small tuples, in the list's order), then the
    prospects shown. (A window function would do it in one, but costs SQLite more than both.)
    """
    today = today or timezone.localdate()
    prospects = (
        Prospect.objects.active()
        .of_territory(territory)
        .filter(next_action_on__isnull=False, next_action_on__lte=today + timedelta(days=WEEK_AHEAD))
    )
    if advisor == UNASSIGNED:
        prospects = prospects.filter(advisor__isnull=True)
    elif advisor != ALL:
        prospects = prospects.filter(advisor=advisor)
    order = ("next_action_on", "last_name", "first_name", "pk")
    groups = TodoGroups()
    shown: list[int] = []
    for pk, when in prospects.order_by(*order).values_list("pk", "next_action_on"):
        name = "overdue" if when < today else "today" if when == today else "coming"
        groups.counts[name] += 1
        if groups.counts[name] <= limit:
            shown.append(pk)
    if shown:
        rows = prospects.filter(pk__in=shown).only(*TODO_FIELDS).order_by(*order)
        if advisor == ALL:
            rows = rows.select_related("advisor").only(*TODO_FIELDS, *TODO_ADVISOR_FIELDS)
        for prospect in rows:
            when = prospect.next_action_on
            name = "overdue" if when < today else "today" if when == today else "coming"
            getattr(groups, name).append(prospect)
    return groups
