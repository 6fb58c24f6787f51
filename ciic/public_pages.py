"""Public pages served fast: cached for visitors, compressed when safe.

**Page cache.** A view decorated with `@public_page("proposals", "calls")`
names the content namespaces (see `ciic.cache`) its page shows. For a GET or
HEAD of such a view by a visitor who carries no session and no messages (no
cookie that could make the page personal), `PublicPageCacheMiddleware`
answers from the cache, keyed by the full URL (path and query string), the
language and the current version of every namespace named: a service that
calls `content_changed(namespace)` makes the next request render afresh.
A rendered page is stored only when nothing in it can belong to one visitor:
status 200, no `Set-Cookie` (so no CSRF token was rendered: the token sets
its cookie), no `Cache-Control: private/no-store`. Logged-in users and
visitors with a session always get a freshly rendered page, except on views
marked `shared=True` (the same bytes for everyone: GeoJSON, map frames).

Pages that depend on the date (a call's phase opens at midnight) are kept at
most until the next midnight in Bucharest and at most `PUBLIC_PAGE_SECONDS`.

The CSP nonce of a cached page is replaced by a fresh one for each visitor.
Every cached answer carries an ETag and a Last-Modified date (when it was
rendered) and answers 304 to a matching conditional request.

**A hit is cheap.** It is answered in the middleware's request phase, before
the CSRF, authentication, messages, frame, CSP and permissions middleware run:
the headers they add were stored with the page (the CSP's nonce as a
placeholder), and what they read (a session, a token, messages) a cacheable
request does not carry. Which view a path shows is resolved once per path and
language and remembered by the process. A page is stored under its URL and
language, with the content versions it was rendered from; the versions and the
page are read in one round trip (`cache.get_many`), and a page whose versions
are no longer the current ones is a miss (rendered again and stored over it).

**Compression.** `PublicGZipMiddleware` gzips HTML, JSON and GeoJSON only
when the answer holds no secret an attacker could guess byte by byte through
its compressed size (BREACH): no `Set-Cookie` and no CSRF token used, and
either a visitor without a session or a `shared` view. Cached pages keep a
gzipped copy, so a hit costs no compression (a page with that copy is stored
only gzipped, and decompressed for the rare client that does not accept it).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import os
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.regex_helper import _lazy_re_compile
from django.utils.translation import get_language

from ciic.cache import NAMESPACES, content_versions_and

F = TypeVar("F", bound=Callable[..., Any])

COMPRESSIBLE = ("text/html", "application/json", "application/geo+json", "text/plain")
NONCE_PLACEHOLDER = "__ciic_csp_nonce__"
_ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")
_DEFAULT_SECONDS = 600


def public_page(*namespaces: str, shared: bool = False) -> Callable[[F], F]:
    """Mark a view as a public page that shows `namespaces` (cache keys follow
    their versions). `shared=True`: the page is the same for every visitor,
    logged in or not (no user menu, nothing personal)."""
    for namespace in namespaces:
        if namespace not in NAMESPACES:
            raise ValueError(f"unknown content namespace {namespace!r}")

    def decorate(view: F) -> F:
        view.public_page_namespaces = tuple(namespaces)  # type: ignore[attr-defined]
        view.public_page_shared = shared  # type: ignore[attr-defined]
        return view

    return decorate


def _view_marks(request: HttpRequest) -> tuple[tuple[str, ...], bool] | None:
    match = getattr(request, "resolver_match", None)
    func = getattr(match, "func", None) if match is not None else None
    return _func_marks(func)


def _func_marks(func: Any) -> tuple[tuple[str, ...], bool] | None:
    namespaces = getattr(func, "public_page_namespaces", None)
    if namespaces is None:
        return None
    return namespaces, bool(getattr(func, "public_page_shared", False))


# {(urlconf, language, path): the marks of the view the path resolves to}:
# a process's URL configuration does not change while it runs (a test that
# overrides ROOT_URLCONF gets keys of its own).
_PATH_MARKS: dict[tuple[str, str, str], tuple[tuple[str, ...], bool] | None] = {}
_PATH_MARKS_MAX = 20_000


def _path_marks(request: HttpRequest) -> tuple[tuple[str, ...], bool] | None:
    urlconf = getattr(request, "urlconf", None) or get_urlconf() or settings.ROOT_URLCONF
    key = (str(urlconf), get_language() or "", request.path_info)
    try:
        return _PATH_MARKS[key]
    except KeyError:
        pass
    try:
        marks = _func_marks(resolve(request.path_info, urlconf).func)
    except Resolver404:
        marks = None
    if len(_PATH_MARKS) >= _PATH_MARKS_MAX:
        _PATH_MARKS.clear()
    _PATH_MARKS[key] = marks
    return marks


def _personal_request(request: HttpRequest) -> bool:
    """The visitor may see something of their own: a session (logged in, or a
    form in progress) or messages waiting to be shown."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


def _sets_cookie_or_token(request: HttpRequest, response: HttpResponseBase) -> bool:
    return bool(response.cookies) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def _compressible(response: HttpResponseBase) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return content_type in COMPRESSIBLE


def _seconds_left() -> int:
    """Until the next midnight in Bucharest (dates change what calls show),
    at most settings.PUBLIC_PAGE_SECONDS."""
    now = timezone.localtime()
    midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    limit = int(getattr(settings, "PUBLIC_PAGE_SECONDS", _DEFAULT_SECONDS))
    return max(1, min(limit, int((midnight - now).total_seconds())))


def page_key(request: HttpRequest) -> str:
    """The cache key of the page `request` asks for: its full URL (path and
    query string) and the language. The entry stored under it names the
    content versions it was rendered from."""
    url = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"ciic:page:{get_language() or ''}:{url}"


def _lookup(
    request: HttpRequest, namespaces: tuple[str, ...]
) -> tuple[str, dict[str, int], dict[str, Any] | None]:
    """(the page's key, the current versions of `namespaces`, the stored
    entry if it was rendered from those versions), in one round trip."""
    key = page_key(request)
    versions, entry = content_versions_and(namespaces, key)
    if entry is not None and entry.get("versions") != versions:
        entry = None
    return key, versions, entry


def _fresh_nonce() -> str:
    # As django-csp makes it (csp.middleware.CSPMiddleware._make_nonce).
    return base64.b64encode(os.urandom(16)).decode("ascii")


class PublicPageCacheMiddleware:
    """Serves and stores `@public_page` views (see the module's docstring).
    Placed after LocaleMiddleware (the language is part of the key) and before
    the CSRF, authentication and CSP middleware (a hit skips them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        lookup = self._cacheable(request)
        if lookup is None:
            return self.get_response(request)
        key, versions, entry = lookup
        if entry is not None:
            return self._answer(request, entry)
        response = self.get_response(request)
        # Stored only if the view that answered is the one resolved above
        # (a middleware in between may have answered instead).
        if _view_marks(request) is not None:
            self._store(request, response, key, versions)
        return response

    def _cacheable(
        self, request: HttpRequest
    ) -> tuple[str, dict[str, int], dict[str, Any] | None] | None:
        if request.method not in ("GET", "HEAD") or not settings.PUBLIC_PAGE_CACHE:
            return None
        marks = _path_marks(request)
        if marks is None:
            return None
        namespaces, shared = marks
        if not shared and _personal_request(request):
            return None
        request._public_page_marks = marks  # type: ignore[attr-defined]
        return _lookup(request, namespaces)

    def _store(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        key: str,
        versions: dict[str, int],
    ) -> None:
        if (
            response.status_code != 200
            or response.streaming
            or _sets_cookie_or_token(request, response)
            or "private" in response.get("Cache-Control", "")
            or "no-store" in response.get("Cache-Control", "")
            or response.has_header("Content-Encoding")
        ):
            return
        body: bytes = response.content  # type: ignore[attr-defined]
        headers = {
            name: value
            for name, value in response.items()
            if name.lower() not in ("content-length", "vary", "etag", "last-modified")
        }
        nonce = getattr(request, "_csp_nonce", None)
        if isinstance(nonce, str) and nonce:
            body = body.replace(nonce.encode(), NONCE_PLACEHOLDER.encode())
            headers = {k: v.replace(nonce, NONCE_PLACEHOLDER) for k, v in headers.items()}
        has_nonce = NONCE_PLACEHOLDER.encode() in body
        compressed = (
            gzip.compress(body, 6, mtime=0)
            if _compressible(response) and not has_nonce and len(body) >= 200
            else None
        )
        # A page with a gzipped copy is stored only gzipped: nearly every
        # visitor accepts it, and a hit reads the entry whole (the GeoJSON's
        # 1.4 MB against 0.13 MB); the rare client that does not is answered
        # from the copy decompressed.
        entry: dict[str, Any] = {
            "versions": versions,
            "body": body if compressed is None else None,
            "gzip": compressed,
            "headers": headers,
            "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
            "modified": http_date(),
            "nonce": has_nonce,
        }
        cache.set(key, entry, _seconds_left())
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = entry["modified"]

    def _answer(self, request: HttpRequest, entry: dict[str, Any]) -> HttpResponseBase:
        etag, modified = entry["etag"], entry["modified"]
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=_parse_http_date(modified)
        )
        if not_modified is not None:
            return not_modified
        headers: dict[str, str] = entry["headers"]
        compressed: bytes | None = entry["gzip"]
        gzipped = compressed is not None and bool(
            _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
        )
        body: bytes = (
            entry["body"]
            if compressed is None
            else compressed
            if gzipped
            else gzip.decompress(compressed)
        )
        if entry["nonce"]:
            fresh = _fresh_nonce()
            body = body.replace(NONCE_PLACEHOLDER.encode(), fresh.encode())
            headers = {k: v.replace(NONCE_PLACEHOLDER, fresh) for k, v in headers.items()}
        response = HttpResponse(body)
        for name, value in headers.items():
            response[name] = value
        response["ETag"] = etag
        response["Last-Modified"] = modified
        response["X-Page-Cache"] = "hit"
        if compressed is not None:
            patch_vary_headers(response, ("Accept-Encoding",))
            if gzipped:
                response["Content-Encoding"] = "gzip"
                response["ETag"] = "W/" + etag
        return response


def _parse_http_date(value: str) -> int | None:
    from django.utils.http import parse_http_date_safe

    return parse_http_date_safe(value)


class PublicGZipMiddleware(GZipMiddleware):
    """Django's gzip (with its random padding) for public answers only."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not _compressible(response) or _sets_cookie_or_token(request, response):
            return response
        # A hit carries the marks resolved for it (it never reached the view).
        marks = getattr(request, "_public_page_marks", None) or _view_marks(request)
        shared = marks is not None and marks[1]
        if _personal_request(request) and not shared:
            return response
        return super().process_response(request, response)  # type: ignore[no-any-return]
