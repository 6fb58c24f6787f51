"""Django's Redis cache, made to survive Redis being down.

The cache only speeds things up: with Redis unreachable every read is a miss
and every write is dropped (a warning is logged, at most once a minute per
process), so the site keeps serving pages, accepting ballots and queuing mail
(the outbox keeps it; see ciic.jobs) instead of answering 500. Rate limits
kept in the cache are not enforced meanwhile. Settings: CACHES["default"]
["BACKEND"] = "ciic.redis_cache.ResilientRedisCache"."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_last_warning = 0.0


def _unreachable(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("Redis cache unreachable, serving without it: %s", exc)


def _guarded(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    method = getattr(RedisCacheClient, name)

    def call(self: RedisCacheClient, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return fallback(*args, **kwargs)

    call.__name__ = name
    return call


def _missing_key(*args: Any, **kwargs: Any) -> Any:
    raise ValueError("Key not found (the cache is unreachable)")


class ResilientRedisCacheClient(RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        """One client per connection pool, kept: Django's builds a new one (and
        its table of some 250 response callbacks) for every cache operation,
        which costs every request that reads a content version."""
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        clients: dict[int, Any] = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    # True: callers use add() as a lock (allauth's rate limits); failing open
    # lets requests through rather than refusing every log-in.
    add = _guarded("add", lambda *a, **k: True)
    get = _guarded("get", lambda key, default=None: default)
    set = _guarded("set", lambda *a, **k: None)
    touch = _guarded("touch", lambda *a, **k: False)
    delete = _guarded("delete", lambda *a, **k: False)
    get_many = _guarded("get_many", lambda *a, **k: {})
    has_key = _guarded("has_key", lambda *a, **k: False)
    incr = _guarded("incr", _missing_key)
    set_many = _guarded("set_many", lambda *a, **k: [])
    delete_many = _guarded("delete_many", lambda *a, **k: None)
    clear = _guarded("clear", lambda *a, **k: False)


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
