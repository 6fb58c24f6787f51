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

and, when the area needs one, serves it under its own, looser
Content-Security-Policy (named by a setting, see `csp_setting`).
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


def with_csp(response: HttpResponseBase, csp_setting: str | None) -> HttpResponseBase:
    """Serve `response` under the policy in setting `csp_setting` (django-csp's
    per-response override) instead of CONTENT_SECURITY_POLICY."""
    policy = getattr(settings, csp_setting, None) if csp_setting else None
    if policy and not hasattr(response, "_csp_config"):
        response._csp_config = policy["DIRECTIVES"]  # type: ignore[attr-defined]
    return response


def staff_area(permission: str, *, csp_setting: str | None = None) -> Callable[[View], View]:
    """The entrance of an admin area whose views need `permission` (see the
    module docstring); `csp_setting` names the area's own CSP, if it needs one."""

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
            return with_csp(view(request, *args, **kwargs), csp_setting)

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
