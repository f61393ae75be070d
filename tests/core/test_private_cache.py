"""The signed-in pages' cache (sohosolo/core/private_cache.py): a page seen again by the same session
is served from the cache until the next write to the database, and never to anyone else, never after
the session changed or ended, never without its audit entry."""

import re
from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.core.private_cache import VERSION_KEY, changed_table, private_cache_enabled
from sohosolo.prospects.models import Prospect
from tests.accounts.staff_factories import member
from tests.prospects.factories import ProspectFactory
from tests.prospects.test_committee import shared_prospect
from tests.villages.factories import committee_member, village_in

pytestmark = pytest.mark.django_db

LIST = "/fr/suivi/porteurs/"
NONCE = re.compile(r"'nonce-([^']+)'")
ACCESS = LogEntry.Action.ACCESS


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr")


@pytest.fixture
def camille(gers):
    return ProspectFactory(
        territory=gers, first_name="Camille", last_name="Zyxwvu", email="camille@exemple.fr"
    )


def sign_in(client, user):
    """Signed in, with the CSRF cookie a browser has from the sign-in form."""
    client.force_login(user)
    assert "csrftoken" in client.get("/fr/").cookies
    return client


@pytest.fixture
def signed_in(client, advisor):
    return sign_in(client, advisor)


def hit(response) -> bool:
    return response.get("X-Private-Cache") == "hit"


def page(client, path=LIST, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200
    return response


def test_a_page_seen_again_comes_from_the_cache_with_a_fresh_nonce(signed_in, camille):
    first = page(signed_in)
    second = page(signed_in)

    assert not hit(first) and hit(second)
    first_nonce = NONCE.search(first["Content-Security-Policy"]).group(1)
    second_nonce = NONCE.search(second["Content-Security-Policy"]).group(1)
    assert first_nonce != second_nonce
    body = second.content.decode()
    assert f'nonce="{second_nonce}"' in body and first_nonce not in body
    assert body.replace(second_nonce, "N") == first.content.decode().replace(first_nonce, "N")
    assert "Camille" in body
    assert second["Content-Length"] == str(len(second.content))
    assert second.get("Cache-Control") == first.get("Cache-Control")
    assert second["Content-Language"] == first["Content-Language"] == "fr"


def test_any_write_to_the_database_makes_the_page_built_anew(signed_in, camille, advisor):
    page(signed_in)
    assert hit(page(signed_in))

    Prospect.objects.filter(pk=camille.pk).update(first_name="Camilla")  # no signal: the SQL is seen

    response = page(signed_in)
    assert not hit(response)
    assert "Camilla" in response.content.decode()
    assert hit(page(signed_in))


def test_a_write_in_raw_sql_counts_too(signed_in, camille):
    page(signed_in)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE prospects_prospect SET first_name = %s WHERE id = %s", ["Camilla", camille.pk])

    assert "Camilla" in page(signed_in).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_moves_the_version_at_its_first_write_and_at_its_commit(gers, camille):
    from django.core.cache import cache

    prospects = Prospect.objects.filter(pk=camille.pk)
    before = cache.get(VERSION_KEY)
    with transaction.atomic():
        prospects.update(first_name="A")
        during = cache.get(VERSION_KEY)
        prospects.update(first_name="B")
        assert cache.get(VERSION_KEY) == during  # no read in between: once per transaction
        prospects.get()
        prospects.update(first_name="C")
        again = cache.get(VERSION_KEY)  # a read in between could be in a page: it moves again
    after = cache.get(VERSION_KEY)

    assert len({before, during, again, after}) == 4


def test_writing_only_the_audit_log_or_a_session_keeps_the_pages(signed_in, camille):
    page(signed_in)
    LogEntry.objects.create(action=ACCESS, object_repr="x", content_type_id=1, object_pk="1")
    session = SessionStore()
    session["anything"] = "else"
    session.create()  # a row in django_session

    assert hit(page(signed_in))


def test_the_page_is_never_served_to_another_session(signed_in, camille, advisor, gers):
    page(signed_in)
    page(signed_in)
    other = sign_in(Client(), member(gers, Role.ADVISOR, email="autre@gers.fr"))

    assert not hit(page(other))
    same_person_other_session = sign_in(Client(), advisor)
    assert not hit(page(same_person_other_session))


def test_after_signing_out_the_same_cookie_gets_nothing(signed_in, camille):
    page(signed_in)
    cookie = signed_in.cookies["sessionid"].value
    signed_in.post("/fr/compte/deconnexion/")
    replay = Client()
    replay.cookies["sessionid"] = cookie

    response = replay.get(LIST)

    assert response.status_code == 302 and "/connexion/" in response["Location"]
    assert not hit(response)


def test_a_changed_session_gets_the_page_built_anew(signed_in, camille):
    page(signed_in)
    session = signed_in.session
    session["something"] = "changed"
    session.save()

    assert not hit(page(signed_in))


def test_a_pending_message_is_shown_not_a_cached_page(signed_in, camille, advisor):
    page(signed_in)
    page(signed_in)
    # A message left by a form elsewhere (the cookie storage comes first).
    response = signed_in.get("/fr/suivi/porteurs/nouveau/")
    storage = messages.storage.cookie.CookieStorage(response.wsgi_request)
    storage.add(messages.SUCCESS, "Un message laissé par une autre page.")
    storage.update(response)
    signed_in.cookies.update(response.cookies)

    shown = page(signed_in)

    assert not hit(shown)
    assert "Un message laissé par une autre page." in shown.content.decode()


def test_a_deactivated_account_is_signed_out_not_served(signed_in, camille, advisor):
    page(signed_in)
    type(advisor).objects.filter(pk=advisor.pk).update(is_active=False)

    response = signed_in.get(LIST)

    assert response.status_code == 302
    assert not hit(response)


def test_a_new_day_builds_the_page_again(signed_in, camille):
    page(signed_in)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert not hit(page(signed_in))


def test_each_cached_read_of_a_prospect_is_audited_like_the_first(signed_in, camille, advisor):
    url = f"/fr/suivi/porteurs/{camille.pk}/"
    first = page(signed_in, url, REMOTE_ADDR="10.0.0.1")
    second = page(signed_in, url, REMOTE_ADDR="10.0.0.2")

    assert not hit(first) and hit(second)
    entries = list(LogEntry.objects.filter(action=ACCESS).order_by("pk"))
    assert len(entries) == 2
    fields = [
        "content_type_id", "object_pk", "object_id", "object_repr", "serialized_data", "changes_text",
        "changes", "actor_id", "additional_data", "actor_email",
    ]  # fmt: skip
    assert [getattr(entries[1], name) for name in fields] == [getattr(entries[0], name) for name in fields]
    assert entries[1].actor == advisor and entries[1].object_repr == "Camille Zyxwvu"
    assert [entry.remote_addr for entry in entries] == ["10.0.0.1", "10.0.0.2"]
    assert entries[1].timestamp >= entries[0].timestamp


def test_a_committee_member_s_cached_read_is_audited_too(client, gers):
    lectoure = village_in(gers, commune__name="Lectoure")
    member_user = committee_member(lectoure, first_name="Jeanne", email="jeanne@exemple.fr")
    shared = shared_prospect(gers, [lectoure], first_name="Alice", last_name="Martin")
    sign_in(client, member_user)
    url = f"/fr/suivi/contacts-villages/{shared.pk}/"
    page(client, url)

    assert hit(page(client, url))
    assert LogEntry.objects.filter(action=ACCESS, object_pk=str(shared.pk), actor=member_user).count() == 2


def test_pages_that_did_not_opt_in_are_never_kept(client, gers):
    sign_in(client, member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr"))
    for url in ("/fr/suivi/journal/", "/fr/suivi/equipe/"):
        page(client, url)
        assert not hit(page(client, url))


def test_a_refusal_is_never_kept(client, landes, camille):
    sign_in(client, member(landes, Role.ADVISOR, email="conseiller@landes.fr"))
    url = f"/fr/suivi/porteurs/{camille.pk}/"

    assert client.get(url, HTTP_HOST="landes.localhost").status_code == 404
    assert client.get(url, HTTP_HOST="landes.localhost").status_code == 404


def test_the_language_the_host_and_htmx_are_part_of_the_key(signed_in, camille):
    page(signed_in)
    assert not hit(page(signed_in, "/en/suivi/porteurs/"))
    assert not hit(page(signed_in, LIST, HTTP_HX_REQUEST="true"))
    assert not hit(page(signed_in, LIST + "?stage=contact"))


@override_settings(PRIVATE_PAGE_CACHE_ENABLED=False)
def test_switched_off_nothing_is_kept(signed_in, camille):
    page(signed_in)
    assert not hit(page(signed_in))


@pytest.mark.parametrize(
    ("backend", "enabled"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", False),
        ("django.core.cache.backends.dummy.DummyCache", False),
        ("django.core.cache.backends.redis.RedisCache", True),
        ("django.core.cache.backends.db.DatabaseCache", True),
    ],
)
def test_unset_it_is_on_only_with_a_cache_every_process_shares(backend, enabled):
    with override_settings(PRIVATE_PAGE_CACHE_ENABLED=None, CACHES={"default": {"BACKEND": backend}}):
        assert private_cache_enabled() is enabled


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "prospects_activity" ("kind") VALUES (%s)', "prospects_activity"),
        ("INSERT OR IGNORE INTO prospects_activity (kind) VALUES (%s)", "prospects_activity"),
        ('UPDATE "accounts_user" SET "is_active" = %s', "accounts_user"),
        ('DELETE FROM "villages_village" WHERE id = 1', "villages_village"),
        ("  update accounts_membership set role = 'x'", "accounts_membership"),
        ('CREATE TABLE "x" ("id" integer)', ""),
        ('SELECT "prospects_prospect"."id" FROM "prospects_prospect"', None),
        ('SAVEPOINT "s1"', None),
        ("WITH RECURSIVE r(z) AS (SELECT 1 UNION ALL SELECT z + 1 FROM r) SELECT z FROM r", None),
        ('WITH moved AS (DELETE FROM "x" RETURNING *) INSERT INTO "y" SELECT * FROM moved', ""),
        ('RELEASE SAVEPOINT "s1"', None),
    ],
)
def test_the_table_a_statement_writes_to(sql, table):
    assert changed_table(sql) == table


def test_this_process_s_copy_is_not_served_once_another_process_wrote(signed_in, camille):
    from django.core.cache import cache

    page(signed_in)
    assert hit(page(signed_in))
    cache.set(VERSION_KEY, "moved-by-a-write-in-another-process", None)

    assert not hit(page(signed_in))
    assert hit(page(signed_in))


def test_this_process_s_copy_serves_when_the_shared_one_is_gone(signed_in, camille):
    from django.core.cache import cache

    page(signed_in)
    page(signed_in)
    version = cache.get(VERSION_KEY)
    cache.clear()
    cache.set(VERSION_KEY, version, None)
    assert signed_in.session.load()  # the session, read again from the database

    assert hit(page(signed_in))


@pytest.mark.parametrize(
    ("enabled", "backend", "warned"),
    [
        (True, "django.core.cache.backends.locmem.LocMemCache", True),
        (None, "django.core.cache.backends.locmem.LocMemCache", False),
        (True, "sohosolo.core.cache.RedisCache", False),
    ],
)
def test_check_deploy_warns_when_forced_on_with_a_per_process_cache(enabled, backend, warned):
    from django.core.checks import run_checks

    with override_settings(PRIVATE_PAGE_CACHE_ENABLED=enabled, CACHES={"default": {"BACKEND": backend}}):
        ids = [message.id for message in run_checks(include_deployment_checks=True, tags=["caches"])]

    assert ("sohosolo.W001" in ids) is warned
