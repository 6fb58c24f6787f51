"""Project-wide middleware: Romanian first, and the Permissions-Policy header.

Romanian first: the site speaks Romanian unless the visitor chose English.

A browser's Accept-Language header is ignored on purpose: many residents use
phones set to English but expect their city hall's site in Romanian. The
choice made with the language switch (a cookie) is what counts."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
