"""A cache of whole pages for signed-in people, invalidated by any write to the database.

The advisors' daily pages (the pipeline list, a prospect's page, the "à faire" list, the committees'
pages) cost tens of milliseconds to build and are asked for again and again between two changes: back
to the list, the same prospect reopened, a page reloaded. Views opt in with ``@private_page_cache()``;
their successful answers are kept for a short time and served again to **the same session only**,
as long as nothing was written to the database since.

What makes it safe:

* **Keyed by the whole request as it reaches us**: scheme, host, path and query, the whole ``Cookie``
  header (so the session, the CSRF cookie, the language cookie and any pending message), the
  ``Accept-Language`` and htmx headers, and today's date (pages that say "en retard").
* **The session is checked at every hit**, before anything is served: it must still exist and be
  unexpired (the session engine's own ``load()``: a signed-out session is gone), belong to the same
  user, and hold exactly what it held when the page was stored (a digest of its content: messages,
  second-factor state, anything). Otherwise the request goes through the whole stack.
* **One version for all cached pages, moved by every write**: an execute wrapper on every database
  connection of every process (web and worker) sees each INSERT, UPDATE, DELETE or schema change, in
  any table but the few that no cached page reads (``IGNORED_TABLES``: the audit log, which a read
  writes to; sessions, checked at each hit; sign-in attempts; the task queue's and the scheduler's
  bookkeeping). The version moves at the first write of a transaction and again at its commit (and at
  later writes of the transaction when the same connection read in between); a page is stored under
  the version read *before* it was built, so a page built while a write was under way is never served
  after that write. A change of settings (tests) moves it too.
* **Only what the full stack answered itself** is stored: a 200 from an opted-in view, to a signed-in
  user, with the session unchanged by the request and no cookie set (but the CSRF cookie's renewal,
  with the value the request sent).
* **A read that is audited stays audited**: a view marks its response with the object whose read went
  to the audit log (``response.private_cache_access``); the page is stored with the ACCESS entry the
  full stack wrote, and each hit writes that entry again (same object, text and actor) with its own
  time, address and correlation id.
* A fresh CSP nonce on every hit (stored as a placeholder, as the anonymous page cache does), set on
  the request for the CSP middleware to put in the header.

Anything unexpected on the way (the cache unreachable, an unreadable entry) sends the request through
the whole stack. Pages stay at most ``seconds`` in the cache (personal data included): erasing a
person moves the version at once, so nothing of them is served again.

Install it after the CSP and Permissions-Policy middleware and before the session middleware.
"""

import functools
import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.db import connections, router, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import timezone

from . import csp
from .cache import new_version, shared_version
from .checks import PER_PROCESS_CACHES
from .page_cache import mark_responses

logger = logging.getLogger(__name__)

VERSION_KEY = "privatecache:version"
PLACEHOLDER = csp.PLACEHOLDER.encode()
DEFAULT_SECONDS = 120
# Written to without any cached page reading them (see the module's docstring).
IGNORED_TABLES = frozenset(
    {
        "auditlog_logentry",
        "django_session",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
        "django_tasks_database_dbtaskresult",
        "core_jobrun",
    }
)
_WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE", "CREATE", "ALTER", "DROP")
# A write inside a common table expression ("WITH … DELETE …"), which PostgreSQL allows.
_CTE_WRITE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
# The table a write statement changes, as Django's backends write them (quoted or not).
_TABLE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?([\w.]+)",
    re.IGNORECASE,
)


# --- Opting in ------------------------------------------------------------------------------------------


def private_page_cache(seconds: int = DEFAULT_SECONDS):
    """Mark a view's answers as cacheable for the session that asked (GET only)."""
    return mark_responses(private_cache_seconds=seconds)


# --- The version, moved by every write --------------------------------------------------------------------


def private_cache_bump() -> None:
    """Make every cached page unreachable (they expire on their own)."""
    try:
        new_version(VERSION_KEY)
    except Exception:  # the cache is down: nothing can be served from it either
        logger.exception("private page cache: could not move the version")


def changed_table(sql: str) -> str | None:
    """The table a statement writes to ("" for a write whose table is not read, such as DDL), else None."""
    head = sql.lstrip()[:8].upper()
    if head.startswith("WITH"):  # a common table expression may hold a write (PostgreSQL)
        return "" if _CTE_WRITE.search(sql) else None
    if not head.startswith(_WRITE_WORDS):
        return None
    match = _TABLE.match(sql)
    return match.group(1).lower() if match else ""


class _WriteWatcher:
    """An execute wrapper: moves the version after any write to a table that cached pages may read."""

    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        connection = context["connection"]
        table = changed_table(sql)
        if table is None:
            connection._private_cache_read = True  # a read: may have gone into a page being built
        elif table not in IGNORED_TABLES:
            self._written(connection)
        return result

    def _written(self, connection) -> None:
        """Move the version now (and at the commit, once per transaction). Inside a transaction, a write
        after an earlier one moves it again only if this connection read something in between: only this
        connection sees its uncommitted writes, and only what it read since could be in a stored page."""
        if not connection.in_atomic_block:
            private_cache_bump()
            return
        registered = any(func is private_cache_bump for _sids, func, _robust in connection.run_on_commit)
        if registered and not getattr(connection, "_private_cache_read", True):
            return
        private_cache_bump()
        connection._private_cache_read = False
        if not registered:
            transaction.on_commit(private_cache_bump, using=self.alias)


def watch_writes(connection) -> None:
    if not any(isinstance(wrapper, _WriteWatcher) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(_WriteWatcher(connection.alias))


@receiver(connection_created)
def _watch_new_connection(sender, connection, **kwargs) -> None:
    watch_writes(connection)


def watch_all_connections() -> None:
    """Called once the apps are ready: connections opened before the receiver existed are watched too."""
    for connection in connections.all(initialized_only=True):
        watch_writes(connection)


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    private_cache_bump()


# --- The middleware -----------------------------------------------------------------------------------------


def private_cache_enabled() -> bool:
    """PRIVATE_PAGE_CACHE_ENABLED, or when unset: whether the cache is one all processes share (a write
    in one process must reach the others: not with a local-memory or dummy cache)."""
    enabled = getattr(settings, "PRIVATE_PAGE_CACHE_ENABLED", None)
    if enabled is None:
        return not settings.CACHES["default"]["BACKEND"].endswith(PER_PROCESS_CACHES)
    return bool(enabled)


def _session_digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _key(request) -> str:
    meta = request.META
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        meta.get("HTTP_COOKIE", ""),
        meta.get("HTTP_ACCEPT_LANGUAGE", ""),
        timezone.localdate().isoformat(),
        *sorted(f"{name}={value}" for name, value in meta.items() if name.startswith("HTTP_HX_")),
    ]
    # Header values never hold a line break: one per part keeps them apart.
    return "privatecache:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _only_csrf_renewal(request, response) -> bool:
    """No cookie set, or only the CSRF cookie sent again with the value the request had: Django renews
    its expiry on every page with a form, a hit served without it changes nothing (it lasts a year)."""
    names = set(response.cookies)
    if not names:
        return True
    name = settings.CSRF_COOKIE_NAME
    return names == {name} and response.cookies[name].value == request.COOKIES.get(name)


# What is copied of the ACCESS entry the full stack wrote; the rest is the request's own.
ACCESS_FIELDS = (
    "content_type_id", "object_pk", "object_id", "object_repr", "serialized_data", "action", "changes_text",
    "changes", "actor_id", "additional_data", "actor_email",
)  # fmt: skip


# Written anew at each hit.
OWN_FIELDS = ("remote_addr", "remote_port", "cid", "timestamp")


def _access_entry(request, instance) -> tuple[str, list] | None | bool:
    """The INSERT of the audit entry this request wrote for reading ``instance``, but for its own fields
    (None: nothing to audit; False: no such entry, the page is not stored)."""
    if instance is None:
        return None
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    written = (
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS,
            content_type=ContentType.objects.get_for_model(instance),
            object_pk=str(instance.pk),
            actor_id=request.user.pk,
        )
        .order_by("-pk")
        .values(*ACCESS_FIELDS)
        .first()
    )
    if not written:
        return False
    # One INSERT with the values as the ORM prepares them, kept with the page: at a hit only the request's
    # own values are added (the ORM's query compiler would cost more than the write itself). LogEntry has
    # no save() or signal of its own to run for a plain read.
    connection = connections[router.db_for_write(LogEntry)]
    columns = [_field(name).column for name in [*written, *OWN_FIELDS]]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(LogEntry._meta.db_table), ", ".join(map(quote, columns)), ", ".join(["%s"] * len(columns))
    )
    return sql, [_field(name).get_db_prep_save(value, connection) for name, value in written.items()]


@functools.cache
def _field(attname: str):
    from auditlog.models import LogEntry

    return next(field for field in LogEntry._meta.concrete_fields if field.attname == attname)


# The pages this process served or stored last (most recent last), checked against the shared version
# before use like the shared copies: reading them again from a shared cache costs more than serving them.
LOCAL_PAGES = 128
_local_pages: OrderedDict[str, dict] = OrderedDict()
_local_lock = threading.Lock()


def _local_entry(key: str) -> dict | None:
    with _local_lock:
        entry = _local_pages.get(key)
        if entry is not None and entry["expires"] <= time.time():
            del _local_pages[key]
            return None
        return entry


def _keep_local(key: str, entry: dict) -> None:
    with _local_lock:
        _local_pages[key] = entry
        _local_pages.move_to_end(key)
        while len(_local_pages) > LOCAL_PAGES:
            _local_pages.popitem(last=False)


@receiver(setting_changed)
def _forget_local_pages(**kwargs) -> None:
    with _local_lock:
        _local_pages.clear()


class PrivatePageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.sessions = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request):
        if not (
            request.method == "GET"
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and private_cache_enabled()
            and "HTTP_AUTHORIZATION" not in request.META
        ):
            return self.get_response(request)
        try:
            key = _key(request)
            session = self.sessions(request.COOKIES[settings.SESSION_COOKIE_NAME])
            # A session kept in this same cache (cached_db, cache) is read in the same round trip.
            session_key = getattr(session, "cache_key", None) if session.session_key else None
            shared = session_key and settings.SESSION_CACHE_ALIAS == "default"
            # This process's copy of the page saves fetching it; the version says whether it still holds.
            local = _local_entry(key)
            wanted = [VERSION_KEY] + ([] if local else [key]) + ([session_key] if shared else [])
            stored = cache.get_many(wanted)
            version = stored.get(VERSION_KEY) or shared_version(VERSION_KEY)
            entry = local if local and local["version"] == version else stored.get(key)
            if entry is None and local:
                entry = cache.get(key)  # another process stored it under the current version
            if entry is not None and entry["version"] == version:
                _keep_local(key, entry)
                data = stored.get(session_key) if shared else None
                response = self._replay(request, entry, data if data is not None else session.load())
                if response is not None:
                    return response
        except DisallowedHost:
            return self.get_response(request)  # the full stack answers 400
        except Exception:
            logger.exception("private page cache: lookup failed, the full stack answers")
            return self.get_response(request)
        response = self.get_response(request)
        try:
            self._store(request, response, key, version)
        except Exception:
            logger.exception("private page cache: could not store the page")
        return response

    # A hit: the session still holds what it held, then the page with a fresh nonce (and its audit entry).
    def _replay(self, request, entry, data: dict) -> HttpResponse | None:
        if (
            not data
            or str(data.get(SESSION_KEY)) != entry["user"]
            or _session_digest(data) != entry["session"]
        ):
            return None
        if entry["access"]:
            self._audit(request, entry)
        content = entry["content"]
        if entry["nonce"]:
            nonce = csp.new_nonce()
            content = content.replace(PLACEHOLDER, nonce.encode())
            request._csp_nonce = nonce  # the CSP middleware writes it in the header
        response = HttpResponse(content, status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["Content-Length"] = str(len(content))
        response["X-Private-Cache"] = "hit"
        return response

    def _audit(self, request, entry) -> None:
        """The ACCESS entry again: the one the full stack wrote when the page was stored (same object,
        actor and text: any change to them is a write, after which the page is not served), with this
        request's time, address and correlation id."""
        from auditlog.cid import get_cid, set_cid
        from auditlog.middleware import AuditlogMiddleware
        from auditlog.models import LogEntry

        set_cid(request)
        connection = connections[router.db_for_write(LogEntry)]
        own = {
            "remote_addr": AuditlogMiddleware._get_remote_addr(request),
            "remote_port": AuditlogMiddleware._get_remote_port(request),
            "cid": get_cid(),
            "timestamp": timezone.now(),
        }
        sql, params = entry["access"]
        params = [*params, *(_field(name).get_db_prep_save(value, connection) for name, value in own.items())]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    # A miss: keep what the full stack answered, if it may be served again to this session.
    def _store(self, request, response, key: str, version: str) -> None:
        seconds = getattr(response, "private_cache_seconds", None)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            not seconds
            or response.status_code != 200
            or response.streaming
            or not _only_csrf_renewal(request, response)
            or user is None
            or not user.is_authenticated
            or session is None
            or session.modified
            or session.session_key != request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        ):
            return
        content = response.content
        nonce = getattr(request, "_csp_nonce", None)
        if isinstance(nonce, str):
            content = content.replace(nonce.encode(), PLACEHOLDER)
        access = _access_entry(request, getattr(response, "private_cache_access", None))
        if access is False:
            return
        entry = {
            "version": version,
            "user": str(user.pk),
            "session": _session_digest(dict(session.items())),
            "status": response.status_code,
            "content": content,
            "nonce": isinstance(nonce, str),
            "headers": [(name, value) for name, value in response.items() if name != "Content-Length"],
            "access": access,
            # Wall-clock time: the entry travels through the shared cache to other processes and machines.
            "expires": time.time() + seconds,
        }
        cache.set(key, entry, seconds)
        _keep_local(key, entry)
