"""Versioned cache namespaces: what public pages show, grouped by what changes it.

A *namespace* names a family of public content. Readers (a page cache, the map
cache in `geo.cache`) build their keys with `content_key(namespace, *parts)`,
which carries the namespace's current version; writers (services) call
`content_changed(namespace, ...)` when that content changes, which bumps the
version *after the transaction commits*. Stale entries are then never read
again and simply expire; nothing has to find and delete them. A key may
depend on several namespaces: `content_key("proposals", "areas-v%d" %
content_version("areas"), ...)`.

The namespaces (add yours here, with what invalidates it):

    "proposals"  proposals as the public sees them: lists, pages, maps,
                 counts (submitted, status changed, edited while public)
    "calls"      calls for proposals: dates, phases, budgets, categories
    "areas"      the sector and its planning zones (an import of zones)
    "results"    the results of a vote: tallies, winners, charts
    "workshops"  workshop pages and lists: dates, places, seats left (every
                 registration bumps it, so only the pages under /workshops/
                 name it: not the home page)
    "pages"      Wagtail pages (home, information pages): a publish, an
                 unpublish, a move or a deletion (cms.apps, Wagtail's signals)

After a bump, the jobs listed for the namespace in
`settings.CONTENT_WARMERS` (dotted paths) are enqueued, so the most visited
entries (the default maps) are rendered again in the background rather than
by the next visitor. Correctness never depends on them having run.

Without Redis (`make run`, tests) the cache is per process (LocMemCache): a
bump is seen by that process only, which is what a single development server
needs; production shares Redis between all web processes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import transaction

NAMESPACES: dict[str, str] = {
    "proposals": "public proposal lists, pages, maps and counts",
    "calls": "calls for proposals: dates, phases, budgets, categories",
    "areas": "the sector and its planning zones",
    "results": "results of a vote: tallies, winners, charts",
    "workshops": "workshop pages and lists: dates, places, seats left",
    "pages": "Wagtail pages: home, information pages",
}

# The cache key of a namespace's version (readers that fetch it with other keys
# in one round trip, as the page cache does).
VERSION_KEY = "ciic:content-version:{}"


def content_version(namespace: str) -> int:
    """The current version of `namespace` (1 until its first change)."""
    key = VERSION_KEY.format(namespace)
    version = cache.get(key)
    if version is None:
        cache.add(key, 1, timeout=None)
        version = cache.get(key, 1)
    return int(version)


# Versions read by this process: {namespace: (when read, version)} (see
# `content_version_recent`).
_RECENT: dict[str, tuple[float, int]] = {}


def content_version_recent(namespace: str, *, seconds: float) -> int:
    """`content_version(namespace)` as this process read it less than
    `seconds` ago (a bump made by this process is seen at once; one made by
    another, within `seconds`): for hot paths where a Redis round trip per
    request costs more than a change seen a moment later (voting day's casts
    ask for the "calls" version in every request)."""
    now = time.monotonic()
    kept = _RECENT.get(namespace)
    if kept is not None and now - kept[0] < seconds:
        return kept[1]
    version = content_version(namespace)
    _RECENT[namespace] = (now, version)
    return version


def content_versions_forget() -> None:
    """Forget the versions `content_version_recent` kept (tests)."""
    _RECENT.clear()


def content_versions_and(
    namespaces: tuple[str, ...], key: str | None
) -> tuple[dict[str, int], Any]:
    """The current versions of `namespaces` and the cache entry under `key`
    (None if absent, or if `key` is None), read in one round trip: the page
    cache reads a page with the versions it must have been rendered from."""
    keys = {VERSION_KEY.format(namespace): namespace for namespace in namespaces}
    found = cache.get_many([*keys, key] if key is not None else list(keys))
    versions = {
        namespace: int(found[vkey]) if found.get(vkey) is not None else content_version(namespace)
        for vkey, namespace in keys.items()
    }
    return versions, found.get(key) if key is not None else None


def content_key(namespace: str, *parts: object) -> str:
    """A cache key that changes whenever `namespace` changes."""
    tail = ":".join(str(p) for p in parts)
    return f"ciic:content:{namespace}:v{content_version(namespace)}:{tail}"


def content_bump(namespace: str, *, warm: bool = True) -> int:
    """Bump `namespace` now (no waiting for a commit) and return the new
    version. Services call `content_changed` instead."""
    key = VERSION_KEY.format(namespace)
    _RECENT.pop(namespace, None)
    try:
        version = int(cache.incr(key))
    except ValueError:  # missing: never set, or evicted
        cache.set(key, 2, timeout=None)
        version = 2
    if warm:
        _enqueue_warmers(namespace)
    return version


def content_changed(*namespaces: str, warm: bool = True) -> None:
    """Say that the public content of `namespaces` changed: each is bumped
    once the current transaction commits (at once outside a transaction;
    never if it rolls back), then its warm-up jobs are enqueued."""
    for namespace in namespaces:
        if namespace not in NAMESPACES:
            raise ValueError(
                f"unknown content namespace {namespace!r}: add it to ciic.cache.NAMESPACES"
            )
    for namespace in dict.fromkeys(namespaces):
        transaction.on_commit(partial(content_bump, namespace, warm=warm), robust=True)


def content_warmers(namespace: str) -> list[str]:
    """Dotted paths of the jobs that re-render a namespace's most visited
    entries (`settings.CONTENT_WARMERS`: project wiring, so lower apps import
    no higher one)."""
    from django.conf import settings

    return list(getattr(settings, "CONTENT_WARMERS", {}).get(namespace, ()))


# The namespaces whose warm-up jobs are held back (see `warmers_held`); None
# when nothing holds them.
_HELD: ContextVar[dict[str, None] | None] = ContextVar("ciic_cache_held_warmers", default=None)


@contextmanager
def warmers_held() -> Iterator[None]:
    """Hold back the warm-up jobs of the namespaces bumped inside, and enqueue
    each of those jobs once on leaving: a bulk load (the demo data, an import)
    changes the same content hundreds of times, and without Redis every warm-up
    job runs at once, in this process. Versions are bumped as usual, so nothing
    stale is read in between; only the re-rendering waits."""
    held: dict[str, None] = {}
    token = _HELD.set(held)
    try:
        yield
    finally:
        _HELD.reset(token)
        # (a job that warms several of the namespaces runs once)
        _enqueue_warmers(*held)


def _enqueue_warmers(*namespaces: str) -> None:
    from django.utils.module_loading import import_string

    from ciic.jobs import enqueue

    held = _HELD.get()
    if held is not None:
        held.update(dict.fromkeys(namespaces))
        return
    for dotted in dict.fromkeys(d for namespace in namespaces for d in content_warmers(namespace)):
        enqueue(import_string(dotted))
