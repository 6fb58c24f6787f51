"""The Redis cache of production serves on while Redis is down: misses on
read, writes dropped, add() open (a lock nobody can hold), incr() as a
missing key. Nothing listens on the address used here."""

import pytest

from ciic.redis_cache import ResilientRedisCache
from tests.workers import UNREACHABLE_REDIS


@pytest.fixture
def down():  # type: ignore[no-untyped-def]
    return ResilientRedisCache(
        UNREACHABLE_REDIS, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    )


def test_reads_miss_and_writes_are_dropped_while_redis_is_down(down):  # type: ignore[no-untyped-def]
    assert down.get("k") is None
    assert down.get("k", 7) == 7
    assert down.get_many(["a", "b"]) == {}
    assert down.has_key("k") is False
    down.set("k", 1)
    down.set_many({"a": 1})
    down.delete("k")
    down.delete_many(["a"])
    down.touch("k")
    down.clear()
    assert down.add("lock", True) is True  # fail open: allauth's rate-limit lock
    with pytest.raises(ValueError):
        down.incr("counter")


def test_content_versions_work_without_redis(settings):  # type: ignore[no-untyped-def]
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "ciic.redis_cache.ResilientRedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    from ciic.cache import content_bump, content_key, content_versions_and

    assert caches["default"].get("x") is None
    assert content_key("proposals", "list")  # no exception
    assert content_versions_and(("proposals", "calls"), "page") == (
        {"proposals": 1, "calls": 1},
        None,
    )
    assert content_bump("proposals", warm=False) == 2


def test_one_client_per_connection_pool_is_kept(down):  # type: ignore[no-untyped-def]
    """Django's cache builds a Redis client per operation; ours keeps one per
    pool (same pool, same connections), and still serves on while Redis is down."""
    client = down._cache.get_client()
    assert down._cache.get_client(write=True) is client
    assert client.connection_pool is down._cache._get_connection_pool(False)
    assert down.get("k", 3) == 3
    assert down._cache.get_client() is client
