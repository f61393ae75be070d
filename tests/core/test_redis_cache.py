"""The Redis cache backend keeps one client per connection pool (sohosolo/core/cache.py)."""

from sohosolo.core.cache import RedisCache, cache_settings


def test_one_client_per_pool_is_kept():
    cache = RedisCache("redis://127.0.0.1:6390/0", {})  # no connection is opened to build a client

    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is first


def test_several_servers_keep_a_client_each():
    cache = RedisCache("redis://127.0.0.1:6390/0,redis://127.0.0.1:6391/0", {})

    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client()

    assert reader is not writer
    assert reader.connection_pool.connection_kwargs["port"] == 6391
    assert cache._cache.get_client() is reader


def test_settings_use_it_for_redis_only():
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/1"}
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "x"}

    assert cache_settings(redis) == {**redis, "BACKEND": "sohosolo.core.cache.RedisCache"}
    assert cache_settings(local) == local
