"""Versioned cache namespaces for rendered maps.

Writers call `map_cache_bump(namespace)` (after commit) whenever the data
behind a family of maps change; readers build their cache keys with
`map_cache_key(namespace, *parts)`, so stale maps are never served and old
entries simply expire."""

from django.core.cache import cache

_VERSION_KEY = "geo:mapver:{}"


def map_cache_version(namespace: str) -> int:
    key = _VERSION_KEY.format(namespace)
    version = cache.get(key)
    if version is None:
        cache.add(key, 1, timeout=None)
        version = cache.get(key, 1)
    return int(version)


def map_cache_bump(namespace: str) -> int:
    key = _VERSION_KEY.format(namespace)
    try:
        return int(cache.incr(key))
    except ValueError:  # key missing (evicted or never set)
        cache.set(key, 2, timeout=None)
        return 2


def map_cache_key(namespace: str, *parts: object) -> str:
    tail = ":".join(str(p) for p in parts)
    return f"geo:map:{namespace}:v{map_cache_version(namespace)}:{tail}"
