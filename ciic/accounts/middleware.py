"""Staff pages: two-factor authentication first, and a plain 403 for everyone else.

Staff roles without a TOTP authenticator are sent to set one up before any
staff page. Then a logged-in user who may not use an admin area (Wagtail needs
`wagtailadmin.access_admin`; the Django admin and the queue dashboard need
`is_staff`) gets a 403 instead of that app's own log-in screen; the `/staff/`
views refuse through django-rules."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

STAFF_PREFIXES = ("/cms-admin/", "/django-admin/", "/django-rq/", "/staff/")


def _may_use_admin_area(user, path: str) -> bool:  # type: ignore[no-untyped-def]
    if path.startswith("/cms-admin/"):
        return bool(user.has_perm("wagtailadmin.access_admin"))
    if path.startswith(("/django-admin/", "/django-rq/")):
        return bool(user.is_staff)
    return True


def user_has_totp(user) -> bool:  # type: ignore[no-untyped-def]
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and path.startswith(STAFF_PREFIXES):
            is_staff = user.is_staff_member or user.is_staff or user.is_superuser
            if is_staff and not user_has_totp(user):
                return redirect("mfa_activate_totp")
            if not _may_use_admin_area(user, path):
                raise PermissionDenied
        return self.get_response(request)
