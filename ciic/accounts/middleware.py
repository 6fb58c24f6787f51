"""Staff roles must use two-factor authentication before any staff page."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

STAFF_PREFIXES = ("/cms-admin/", "/django-admin/", "/django-rq/", "/staff/")


def user_has_totp(user) -> bool:  # type: ignore[no-untyped-def]
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and path.startswith(STAFF_PREFIXES)
            and (user.is_staff_member or user.is_staff or user.is_superuser)
            and not user_has_totp(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
