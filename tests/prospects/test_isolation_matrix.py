"""Isolation matrix of the prospects' URLs: every URL × every kind of visitor → the expected answer.

The table below lists every URL pattern of the namespaces prospects_staff, prospects_committee,
prospects_space, prospects (the public form), prospects_survey and prospects_retention. The first test
walks the URL resolver and FAILS when a pattern is missing from the table (or the table names a URL
that no longer exists): a new URL cannot be added without deciding who may open it.

Each row says, for each actor, what the URL must answer:

- ``LOGIN``: a redirect to the login page (anonymous visitors on private pages);
- ``403``: signed in, with a role in the territory, but not allowed;
- ``404``: out of scope (no role in the territory) or the object is not theirs to see;
- ``200``: the page; ``ALLOWED``: any answer but a refusal (a POST that redirects or reports a form
  error, a download) — used where the answer depends on the data sent, not on who sends it.

Whenever an actor who must not see the target prospect gets a 2xx answer (their own list, a public
page), the body must not hold the target's email address or last name.

Actors (the territory is Gers, served on the test client's default host):

- ``anonymous``: no session;
- ``member``: a Solo of Gers (role MEMBER);
- ``prospect_owner``: the target prospect themselves (role PROSPECT, the account of their project);
- ``committee_other_village``: the committee of a Gers village the target did not choose;
- ``committee_with_consent``: the committee of the village the target chose, target consented;
- ``committee_without_consent``: the same committee, whose target is a second prospect of the same
  village who did NOT consent to share;
- ``advisor_other_territory``: an advisor of Landes, on the Gers host;
- ``advisor_other_territory_own_host``: the same advisor on the Landes host, asking for Gers objects
  (their lists answer 200, with their own territory's data only);
- ``advisor``, ``territory_admin``: the staff of Gers.

Every actor's requests run in a savepoint rolled back afterwards, with an empty cache (rate limits),
so a POST of one actor does not change what the next one sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sohosolo.accounts.models import Role
from tests.accounts.staff_factories import member
from tests.villages.factories import committee_member, village_in

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

NAMESPACES = (
    "prospects_staff",
    "prospects_committee",
    "prospects_space",
    "prospects",
    "prospects_survey",
    "prospects_retention",
)

ACTORS = (
    "anonymous",
    "member",
    "prospect_owner",
    "committee_other_village",
    "committee_with_consent",
    "committee_without_consent",
    "advisor_other_territory",
    "advisor_other_territory_own_host",
    "advisor",
    "territory_admin",
)
# Who may see the target prospect's personal data (the others must never find it in a body).
SEES_TARGET = {"prospect_owner", "committee_with_consent", "advisor", "territory_admin"}

LOGIN = "login"
ALLOWED = "allowed"
TARGET_EMAIL = "cible.isolation@exemple.fr"
TARGET_LAST_NAME = "Vasseur-Isolation"
OTHER_HOST = "landes.localhost"


# --- The world: Gers with two villages and their committees, two prospects, staff of two territories --


@dataclass
class World:
    gers: object
    landes: object
    village: object  # the village both prospects chose
    other_village: object
    shared: object  # chose `village` and consented to share
    unshared: object  # chose `village` and did not consent
    users: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # objects some rows need (an import batch…), made on demand

    def target(self, actor: str):
        return self.unshared if actor == "committee_without_consent" else self.shared


@pytest.fixture
def world(gers, landes) -> World:
    village = village_in(gers, commune__name="Lectoure")
    other_village = village_in(gers, commune__name="Fourcès")
    owner = member(gers, Role.PROSPECT, first_name="Camille")
    shared = ProspectFactory(
        territory=gers,
        user=owner,
        first_name="Camille",
        last_name=TARGET_LAST_NAME,
        email=TARGET_EMAIL,
        consent_share_villages=True,
    )
    shared.villages.set([village])
    unshared = ProspectFactory(
        territory=gers,
        first_name="Dominique",
        last_name="Sans-Partage",
        email="sans.partage@exemple.fr",
        consent_share_villages=False,
    )
    unshared.villages.set([village])
    committee = committee_member(village)
    users = {
        "anonymous": None,
        "member": member(gers, Role.MEMBER),
        "prospect_owner": owner,
        "committee_other_village": committee_member(other_village),
        "committee_with_consent": committee,
        "committee_without_consent": committee,
        "advisor_other_territory": member(landes, Role.ADVISOR),
        "advisor": member(gers, Role.ADVISOR),
        "territory_admin": member(gers, Role.TERRITORY_ADMIN),
    }
    users["advisor_other_territory_own_host"] = users["advisor_other_territory"]
    return World(gers, landes, village, other_village, shared, unshared, users)


# --- The table -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    method: str = "GET"
    expect: dict = field(default_factory=dict)  # actor -> status, LOGIN or ALLOWED
    data: dict | None = None  # what a POST sends
    # A GET page that also takes a POST (a form): the POST is checked too, with this data; the actors
    # who get the page (200) must not be refused (ALLOWED), the others get what they get on GET.
    post: dict | None = None
    kwargs: Callable[[World, str], dict] | None = None  # URL kwargs; default: pk of the actor's target
    exempt: str = ""  # why this URL is not tested here


def _expect(
    *,
    anonymous,
    member,
    owner,
    committee_other,
    committee_ok,
    committee_no,
    other_t,
    other_t_home,
    advisor,
    admin,
) -> dict:
    return {
        "anonymous": anonymous,
        "member": member,
        "prospect_owner": owner,
        "committee_other_village": committee_other,
        "committee_with_consent": committee_ok,
        "committee_without_consent": committee_no,
        "advisor_other_territory": other_t,
        "advisor_other_territory_own_host": other_t_home,
        "advisor": advisor,
        "territory_admin": admin,
    }


def staff(method: str = "GET", *, ok=200, has_object: bool = True, admin_only: bool = False, **row) -> Row:
    """The advisors' pipeline (perm prospects.view_pipeline & co.): territory staff only.

    ``has_object``: the URL names an object of Gers (a prospect, an import batch), which the advisor
    of Landes must not reach from the Landes host either (404); a list answers them their own (``ok``).
    """
    return Row(
        method,
        _expect(
            anonymous=LOGIN,
            member=403,
            owner=403,
            committee_other=403,
            committee_ok=403,
            committee_no=403,
            other_t=404,
            # The permission is checked before the object is looked up.
            other_t_home=403 if admin_only else (404 if has_object else ok),
            advisor=403 if admin_only else ok,
            admin=ok,
        ),
        **row,
    )


def staff_post(*, has_object: bool = True, **row) -> Row:
    return staff("POST", ok=ALLOWED, has_object=has_object, **row)


def committee(method: str = "GET", *, ok=200, has_object: bool = True, **row) -> Row:
    """Village committees (perm prospects.view_committee_prospects), and the territory's staff."""
    return Row(
        method,
        _expect(
            anonymous=LOGIN,
            member=403,
            owner=403,
            committee_other=404 if has_object else ok,
            committee_ok=ok,
            committee_no=404 if has_object else ok,
            other_t=404,
            other_t_home=404 if has_object else ok,
            advisor=ok,
            admin=ok,
        ),
        **row,
    )


def own(method: str = "GET", *, ok=200, **row) -> Row:
    """« Mon espace »: the signed-in person's own project; anyone else's project is 404."""
    expect = {actor: 404 for actor in ACTORS}
    return Row(method, {**expect, "anonymous": LOGIN, "prospect_owner": ok}, **row)


def everyone(status=200, method: str = "GET", **row) -> Row:
    """A public page: the same answer for every visitor."""
    return Row(method, {actor: status for actor in ACTORS}, **row)


def exempt(reason: str) -> Row:
    return Row(exempt=reason)


SIGNED_TOKEN = "exempt: signed-token URLs, tested in test_followup/test_retention"


def _batch(world: World, actor: str) -> dict:
    """An import batch of Gers (the advisor of Landes asks for it on the Landes host: 404)."""
    from sohosolo.prospects.models import ImportBatch

    batch = world.extra.get("batch")
    if batch is None:
        batch = world.extra["batch"] = ImportBatch.objects.create(
            territory=world.gers,
            created_by=world.users["advisor"],
            filename="contacts.csv",
            columns=["Prénom", "Nom", "Courriel"],
            rows=[["Camille", TARGET_LAST_NAME, TARGET_EMAIL]],
        )
    return {"pk": batch.pk}


TABLE: dict[str, Row] = {
    # The advisors' pipeline (urls_pipeline.py): lists, exports, the prospect page and its actions.
    "prospects_staff:list": staff(has_object=False),
    "prospects_staff:export": staff(has_object=False, kwargs=lambda world, actor: {"fmt": "csv"}),
    "prospects_staff:todo": staff(has_object=False),
    "prospects_staff:create": staff(has_object=False, post={}),
    "prospects_staff:detail": staff(),
    "prospects_staff:activity": staff_post(data={"kind": "note", "text": "Note de la matrice"}),
    "prospects_staff:next_action": staff_post(data={"next_action_on": "", "next_action": ""}),
    "prospects_staff:assign": staff_post(data={"advisor": ""}),
    "prospects_staff:transition": staff(ok=ALLOWED, post={"to": "qualified"}),
    "prospects_staff:edit": staff(post={}),
    "prospects_staff:propose_meeting": staff_post(),
    # Import of contacts (urls_import.py): the batch is one of Gers.
    "prospects_staff:import_upload": staff(has_object=False, post={}),
    "prospects_staff:import_mapping": staff(kwargs=_batch, post={}),
    "prospects_staff:import_preview": staff(ok=ALLOWED, kwargs=_batch),
    "prospects_staff:import_confirm": staff_post(kwargs=_batch),
    "prospects_staff:import_cancel": staff_post(kwargs=_batch),
    "prospects_staff:import_done": staff(ok=ALLOWED, kwargs=_batch),
    # Privacy (urls_privacy.py): erasure (GET asks to confirm), the person's data, the audit log.
    "prospects_staff:erase": staff(post={"confirm": "on"}),
    "prospects_staff:export_json": staff(),
    "prospects_staff:audit": staff(admin_only=True),
    # Committees (« Contacts des villages »).
    "prospects_committee:list": committee(has_object=False),
    "prospects_committee:detail": committee(),
    "prospects_committee:contacted": committee("POST", ok=302, data={"note": "Appelée."}),
    # « Mon espace »: the person's own project only; anyone else's answers 404.
    "prospects_space:detail": own(),
    "prospects_space:edit": own(post={}),
    "prospects_space:consents": own(post={}),
    # The public project form and its confirmation: the same page for everyone.
    "prospects:form": everyone(200, post={}),
    "prospects:thanks": everyone(200),
    # Signed links sent by email: their own tests check the token (valid, expired, another's).
    "prospects:sign_in": exempt(
        "exempt: signed-token URL (one-time sign-in link), tested in test_intake/test_project_form"
    ),
    "prospects_survey:answer": exempt(SIGNED_TOKEN),
    "prospects_retention:confirm": exempt(SIGNED_TOKEN),
}


# --- Enumerating the URLs ---------------------------------------------------------------------------


def _walk(patterns, namespace: str | None = None, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns, pattern.namespace or namespace, prefix + str(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern, prefix + str(pattern.pattern)


def prospect_urls() -> dict[str, str]:
    """Every URL pattern of the prospects' namespaces: "namespace:name" -> route."""
    found: dict[str, str] = {}
    for namespace, pattern, route in _walk(get_resolver().url_patterns):
        if namespace in NAMESPACES:
            assert pattern.name, f"unnamed URL pattern {route!r} in {namespace}: name it and add it to TABLE"
            found[f"{namespace}:{pattern.name}"] = route
    return found


def test_every_url_of_the_prospects_namespaces_is_in_the_table():
    urls = prospect_urls()
    missing = sorted(set(urls) - set(TABLE))
    stale = sorted(set(TABLE) - set(urls))
    assert not missing, "URLs missing from TABLE in tests/prospects/test_isolation_matrix.py:\n" + "\n".join(
        f"  {name}  ({urls[name]})" for name in missing
    )
    assert not stale, "TABLE names URLs that no longer exist:\n" + "\n".join(f"  {name}" for name in stale)


def test_every_row_says_what_each_actor_gets():
    for name, row in TABLE.items():
        if not row.exempt:
            assert set(row.expect) == set(ACTORS), name
            assert row.method in ("GET", "POST"), name


# --- Running the matrix -----------------------------------------------------------------------------


def _url(world: World, name: str, row: Row, actor: str) -> str:
    from django.utils import translation

    if row.kwargs is not None:
        kwargs = row.kwargs(world, actor)
    else:
        route = prospect_urls()[name]
        kwargs = {"pk": world.target(actor).pk} if "<int:pk>" in route else {}
        unknown = [part for part in route.split("<")[1:] if not part.startswith("int:pk>")]
        assert not unknown, f"{name}: say in TABLE how to build the URL's arguments ({route})"
    with translation.override("fr"):
        return reverse(name, kwargs=kwargs)


def _client(world: World, actor: str) -> Client:
    host = OTHER_HOST if actor == "advisor_other_territory_own_host" else "testserver"
    client = Client(HTTP_HOST=host)
    user = world.users[actor]
    if user is not None:
        client.force_login(user)
    return client


def _verdict(response) -> str | int:
    if response.status_code == 302 and "/compte/connexion/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


def _matches(expected, got, response) -> bool:
    if expected == ALLOWED:
        return got not in (LOGIN, 403, 404) and response.status_code < 500
    return expected == got


def _leaks(world: World, actor: str, response) -> bool:
    if actor in SEES_TARGET or not 200 <= response.status_code < 300 or response.streaming:
        return False
    body = response.content.decode(errors="replace")
    target = world.target(actor)
    return target.email in body or target.last_name in body


RUN = [name for name, row in TABLE.items() if not row.exempt]


@pytest.mark.parametrize("name", RUN)
def test_who_may_open_it(name, world):
    row = TABLE[name]
    failures = []
    runs = [(row.method, row.data)]
    if row.post is not None and row.method == "GET":
        runs.append(("POST", row.post))
    for method, data in runs:
        for actor in ACTORS:
            cache.clear()  # rate limits start afresh for each actor
            url = _url(world, name, row, actor)  # before the savepoint: objects it makes must outlive it
            with transaction.atomic():
                client = _client(world, actor)
                response = client.post(url, data or {}) if method == "POST" else client.get(url)
                got = _verdict(response)
                expected = row.expect[actor]
                if method != row.method and expected == 200:
                    expected = ALLOWED
                if not _matches(expected, got, response):
                    failures.append(f"  {actor:<34} expected {expected!s:<8} got {got}  ({method} {url})")
                elif _leaks(world, actor, response):
                    failures.append(f"  {actor:<34} got {got} with the target prospect's data ({method})")
                transaction.set_rollback(True)
            for user in world.users.values():
                if user is not None:
                    user.__dict__.pop("_roles_cache", None)  # the rolled-back roles must not linger
    assert not failures, f"{name}:\n" + "\n".join(failures)


def test_the_two_committee_actors_are_one_user_with_two_targets(world):
    """The matrix's committee of the chosen village: one user, a consenting and a refusing target."""
    assert world.users["committee_with_consent"] == world.users["committee_without_consent"]
    assert world.target("committee_with_consent").consent_share_villages
    assert not world.target("committee_without_consent").consent_share_villages
    assert set(world.shared.villages.all()) == set(world.unshared.villages.all()) == {world.village}
