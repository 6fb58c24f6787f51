"""Project-wide middleware: Romanian first, the Permissions-Policy header, and
django-csp's middleware with the site-wide policy built once.

Romanian first: the site speaks Romanian unless the visitor chose English.

A browser's Accept-Language header is ignored on purpose: many residents use
phones set to English but expect their city hall's site in Romanian. The
choice made with the language switch (a cookie) is what counts."""

import functools
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase


class RomanianFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "geolocation": ["self"]}` -> `camera=(), geolocation=(self)`."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Sends `settings.PERMISSIONS_POLICY` as the Permissions-Policy header:
    browser features (camera, microphone, geolocation, payment...) no page of
    ours uses are refused to every page and every frame."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


# What makes a response's policy its own (django-csp's decorators set them).
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


@functools.cache
def _plain_policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, its value, the exemption attribute, the excluded path
    prefixes) of the site-wide policies, built once per process."""
    built = []
    for header, name, exempt, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    ):
        value = build_policy(report_only=report_only)
        prefixes = tuple((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
        if value:
            built.append((header, value, exempt, prefixes))
    return tuple(built)


@receiver(setting_changed)
def _policy_settings_changed(setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _plain_policies.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware; a response that used no nonce and has no
    policy of its own (casts, redirects, most pages) gets the site-wide
    header built once per process, where django-csp builds both policies
    again for every response (about 0.1 ms of CPU each time)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in _OWN_POLICY)
        ):
            return super().process_response(request, response)  # type: ignore[no-any-return]
        for header, value, exempt, prefixes in _plain_policies():
            if (
                header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = value
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
