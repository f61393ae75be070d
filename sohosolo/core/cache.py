"""Django's Redis cache backend, with one Redis client per connection pool instead of one per call.

``django.core.cache.backends.redis.RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every
cache operation; since redis-py 5 that constructor fills a table of about 170 response callbacks, which
costs more than a round trip to a local Redis. A ``redis.Redis`` over a connection pool is safe to share
between threads (each command takes a connection from the pool), so this client keeps one per pool.
Same pools, same commands, same serialisation: only the construction is saved.

Settings use it in place of Django's when CACHE_URL names a Redis server (``cache_settings()``).

Also here: the shared versions that say to every process "what you derived from the data is stale"
(the page caches, the territory table): one short value per key, moved by any process.
"""

import uuid

from django.core.cache import cache
from django.core.cache.backends import redis as django_redis

DJANGO_REDIS = "django.core.cache.backends.redis.RedisCache"


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def shared_version(key: str) -> str:
    """The current value of a shared version (one is set if there is none yet, the same for everyone)."""
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key)
    return version


def new_version(key: str) -> None:
    """Move a shared version: whatever was derived under the old one is stale, in every process."""
    cache.set(key, uuid.uuid4().hex, None)


def cache_settings(config: dict) -> dict:
    """A CACHES entry (as django-environ reads CACHE_URL) with this backend for Redis."""
    if config.get("BACKEND") == DJANGO_REDIS:
        return {**config, "BACKEND": f"{__name__}.RedisCache"}
    return config
