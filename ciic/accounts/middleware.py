"""Staff pages: two-factor authentication first, and a plain 403 for everyone else.

Staff roles without a TOTP authenticator are sent to set one up before any
staff page. Logged-in users without a staff role get a 403 from the admin
areas (Wagtail, Django admin, the queue dashboard) instead of those apps' own
log-in screens; the `/staff/` views refuse them through django-rules."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

STAFF_PREFIXES = ("/cms-admin/", "/django-admin/", "/django-rq/", "/staff/")
ADMIN_PREFIXES = ("/cms-admin/", "/django-admin/", "/django-rq/")


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
            if not is_staff and path.startswith(ADMIN_PREFIXES):
                raise PermissionDenied
            if is_staff and not user_has_totp(user):
                return redirect("mfa_activate_totp")
        return self.get_response(request)
