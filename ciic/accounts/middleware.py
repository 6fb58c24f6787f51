"""Binds each request to the staff-permission check, and leads staff whose
session lacks the second factor to it instead of a bare 403.

The check itself lives in the permission path (`ciic.accounts.second_factor`,
used by the role predicates, `User.has_perm` and the permission backend), not
here and not by URL: this middleware only tells that path which request (and so
which session) it is judging, and turns a refusal into "enter your code" (or
"set up two-factor authentication") when the code is what is missing."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .second_factor import bound_request, second_factor_url


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bound_request(request):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PermissionDenied):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        step = second_factor_url(
            request, request.get_full_path() if request.method == "GET" else None
        )
        return redirect(step) if step else None
