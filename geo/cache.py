"""Versioned cache namespaces for rendered maps.

Writers call `map_cache_bump(namespace)` (after commit) whenever the data
behind a family of maps change; readers build their cache keys with
`map_cache_key(namespace, *parts)`, so stale maps are never served and old
entries simply expire.

Warm-up: a bump also enqueues the jobs listed for its namespace in
`settings.MAP_CACHE_WARMERS` (dotted paths, e.g. "proposals" ->
"proposals.map_tasks.proposal_maps_rebuild"), which re-render the default
maps in the background (django-rq; in-process without Redis). Any map not
warmed (a filtered view, an evicted entry) is rendered on first request and
cached, so correctness never depends on the job having run."""

from django.core.cache import cache

_VERSION_KEY = "geo:mapver:{}"


def map_cache_version(namespace: str) -> int:
    key = _VERSION_KEY.format(namespace)
    version = cache.get(key)
    if version is None:
        cache.add(key, 1, timeout=None)
        version = cache.get(key, 1)
    return int(version)


def map_cache_bump(namespace: str, *, warm: bool = True) -> int:
    """Invalidate every map of the namespace; with `warm`, enqueue (after
    commit, via `ciic.jobs`) the warm-up jobs configured for it in
    `settings.MAP_CACHE_WARMERS`, so the default maps are rendered again in
    the background instead of by the next visitor."""
    key = _VERSION_KEY.format(namespace)
    try:
        version = int(cache.incr(key))
    except ValueError:  # key missing (evicted or never set)
        cache.set(key, 2, timeout=None)
        version = 2
    if warm:
        _enqueue_warmers(namespace)
    return version


def map_cache_key(namespace: str, *parts: object) -> str:
    """The key of one rendered map. It carries the builders' render stamp, so
    a release that changes how maps are drawn (or the static assets they link
    to) never serves maps rendered by the previous one."""
    from .maps import render_stamp

    tail = ":".join(str(p) for p in parts)
    return f"geo:map:{render_stamp()}:{namespace}:v{map_cache_version(namespace)}:{tail}"


def map_cache_warmers(namespace: str) -> list[str]:
    """Dotted paths of the jobs that re-render a namespace's default maps,
    from `settings.MAP_CACHE_WARMERS` (project wiring, so geo imports no
    higher app)."""
    from django.conf import settings

    return list(getattr(settings, "MAP_CACHE_WARMERS", {}).get(namespace, ()))


def _enqueue_warmers(namespace: str) -> None:
    from django.utils.module_loading import import_string

    from ciic.jobs import enqueue

    for dotted in map_cache_warmers(namespace):
        enqueue(import_string(dotted))
