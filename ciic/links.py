"""Absolute links to our own site, for what leaves a request: emails, feeds,
calendar files. They always use `settings.SITE_URL` (the public address),
never the host a request happened to come in on (a proxy, a port, "testserver")."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def site_url(path_or_url: str = "/") -> str:
    """`"/proposals/S6-2026-0001/"` -> `"https://pb.example.ro/proposals/S6-2026-0001/"`.

    An absolute URL is moved onto SITE_URL (same path, query and fragment), so
    links built from a request (allauth's) point at the public site too."""
    base = urlsplit(settings.SITE_URL)
    target = urlsplit(path_or_url or "/")
    path = target.path if target.path.startswith("/") else "/" + target.path
    prefix = base.path.rstrip("/")
    if prefix and not path.startswith(prefix + "/"):
        path = prefix + path
    return urlunsplit((base.scheme, base.netloc, path, target.query, target.fragment))


@dataclass(frozen=True)
class SiteInfo:
    """What templates written for Django's sites framework expect as
    `current_site` (allauth's), taken from SITE_URL."""

    name: str
    domain: str


def site_info() -> SiteInfo:
    return SiteInfo(
        name=str(getattr(settings, "WAGTAIL_SITE_NAME", "")) or urlsplit(settings.SITE_URL).netloc,
        domain=urlsplit(settings.SITE_URL).netloc,
    )
