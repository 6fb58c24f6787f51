"""The entrance of the admin areas we mount but did not write (Wagtail's admin,
Django's admin, the django-rq dashboard).

The permission itself is decided in the permission path (`User.has_perm`, the
role predicates, `StaffSessionModelBackend`), so these apps' own checks already
refuse a staff session without its second factor. This entrance only gives the
answer a person expects instead of each app's own log-in screen:

- not logged in: allauth's log-in page (rate limits, email confirmation, TOTP);
- logged in, a staff account whose session lacks the second factor: the code
  prompt, or the TOTP set-up if they have no authenticator yet;
- logged in without the area's permission: 403;

and gives the area its own Content-Security-Policy (`ADMIN_CONTENT_SECURITY_POLICY`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver

from .second_factor import second_factor_url

View = Callable[..., HttpResponseBase]


def admin_csp(response: HttpResponseBase) -> HttpResponseBase:
    """Serve `response` with the admin areas' policy (see settings)."""
    policy = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", None)
    if policy and not hasattr(response, "_csp_config"):
        response._csp_config = policy["DIRECTIVES"]  # type: ignore[attr-defined]
    return response


def staff_area(permission: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        if getattr(view, "_ciic_staff_area", None) == permission:
            return view

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(permission):
                step = second_factor_url(
                    request, request.get_full_path() if request.method == "GET" else None
                )
                if step:
                    return redirect(step)
                raise PermissionDenied
            return admin_csp(view(request, *args, **kwargs))

        wrapped._ciic_staff_area = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def decorate_urlpatterns(
    patterns: Iterable[URLPattern | URLResolver],
    decorator: Callable[[View], View],
    *,
    exclude: Iterable[str] = (),
) -> list[URLPattern | URLResolver]:
    """Apply `decorator` to every view of `patterns`, included ones too (in
    place), except the patterns named in `exclude`."""
    patterns = list(patterns)
    skip = set(exclude)
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            decorate_urlpatterns(pattern.url_patterns, decorator, exclude=skip)
        elif isinstance(pattern, URLPattern) and pattern.name not in skip:
            pattern.callback = decorator(pattern.callback)
    return patterns
