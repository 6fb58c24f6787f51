"""Versioned cache namespaces for rendered maps, on top of `ciic.cache`.

A map's key carries the version of its content namespace ("proposals",
"areas"; see `ciic.cache.NAMESPACES`), so a service's
`ciic.cache.content_changed("proposals")` invalidates the proposal maps along
with every other cached view of proposals, and warms the default maps again
(the namespace's jobs in `settings.CONTENT_WARMERS`). Readers build keys with
`map_cache_key(namespace, *parts)`; `map_cache_bump(namespace)` bumps at once
(for code already running after the commit)."""

from ciic.cache import content_bump, content_key, content_version, content_warmers


def map_cache_version(namespace: str) -> int:
    return content_version(namespace)


def map_cache_bump(namespace: str, *, warm: bool = True) -> int:
    """Invalidate every map (and every cached view) of the namespace now; with
    `warm`, enqueue its warm-up jobs (`settings.CONTENT_WARMERS`)."""
    return content_bump(namespace, warm=warm)


def map_cache_key(namespace: str, *parts: object) -> str:
    """The key of one rendered map. It carries the builders' render stamp, so
    a release that changes how maps are drawn (or the static assets they link
    to) never serves maps rendered by the previous one."""
    from .maps import render_stamp

    return "geo:map:" + content_key(namespace, render_stamp(), *parts)


def map_cache_warmers(namespace: str) -> list[str]:
    return content_warmers(namespace)
