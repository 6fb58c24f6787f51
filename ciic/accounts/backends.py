"""Django's model and group permissions are staff permissions.

Wagtail's `access_admin`, its page and collection permissions, and the Django
admin's model permissions all come from groups (the role groups) through
Django's ModelBackend, which allauth's authentication backend extends. This
backend honours them only where `staff_session_ok(user)`: in a request, only
when the session passed the second factor (see `ciic.accounts.second_factor`).
It is the only ModelBackend in AUTHENTICATION_BACKENDS, so no other backend can
grant those permissions without the check."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from .second_factor import staff_session_ok


class StaffSessionAuthenticationBackend(AllauthBackend):
    """allauth's log-in by email and password, with Django's group and model
    permissions gated by the session's second factor."""

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not staff_session_ok(user_obj):
            return set()
        return super().get_user_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not staff_session_ok(user_obj):
            return set()
        return super().get_group_permissions(user_obj, obj)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not staff_session_ok(user_obj):
            return set()
        return super().get_all_permissions(user_obj, obj)
