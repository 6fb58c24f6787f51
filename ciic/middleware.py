"""Romanian first: the site speaks Romanian unless the visitor chose English.

A browser's Accept-Language header is ignored on purpose: many residents use
phones set to English but expect their city hall's site in Romanian. The
choice made with the language switch (a cookie) is what counts."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RomanianFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
