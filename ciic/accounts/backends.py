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
from django.contrib.auth import get_user_model
from django.db import connections, router

from ciic.sql import raw_instances

from .second_factor import staff_session_ok
from .sessions import loaded_account


class StaffSessionAuthenticationBackend(AllauthBackend):
    """allauth's log-in by email and password, with Django's group and model
    permissions gated by the session's second factor."""

    def get_user(self, user_id: Any) -> Any:
        """The account of a session (every request of a logged-in visitor):
        Django's `ModelBackend.get_user` with a written-out SELECT of the same
        columns (`ciic.sql.raw_instances`), which costs about a third of the
        Python of the ORM's `get`. In a request, the account was usually read
        already, with the session (`ciic.accounts.sessions.loaded_account`)."""
        user = loaded_account(user_id)
        if user is not None:
            return user if self.user_can_authenticate(user) else None
        model = get_user_model()
        using = router.db_for_read(model)
        connection = connections[using]
        qn = connection.ops.quote_name
        pk = model._meta.pk
        if pk is None:  # every concrete model has one; for the type checker
            return None
        sql = f"SELECT * FROM {qn(str(model._meta.db_table))} WHERE {qn(str(pk.column))} = %s"  # noqa: S608 - names from the model
        try:
            value = pk.get_db_prep_value(pk.to_python(user_id), connection)
        except Exception:  # a session holding a malformed id: no user
            return None
        found = raw_instances(model, sql, [value], using=using)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None

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
