"""Role predicates (django-rules). Other apps compose their rules from these.

Every staff predicate asks `staff_session_ok(user)` as well as the role: in a
request, a staff role counts only if this session passed the second factor
(see `ciic.accounts.second_factor` for how that is represented, and for what
happens outside a request). A page or service built on these predicates
(facilitator desk, assessment console, voting desk...) gets the check without
doing anything, wherever it is mounted."""

from typing import Any

import rules

from .models import Role
from .second_factor import staff_session_ok


def _holds(user: Any, role: Role) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.has_role(role)
        and staff_session_ok(user)
    )


@rules.predicate
def is_system(user) -> bool:  # type: ignore[no-untyped-def]
    """`None` as the actor: the platform itself (jobs, management commands,
    one module acting on another's data). No request user is ever `None`."""
    return user is None


@rules.predicate
def is_facilitator(user) -> bool:  # type: ignore[no-untyped-def]
    return _holds(user, Role.FACILITATOR)


@rules.predicate
def is_assessor(user) -> bool:  # type: ignore[no-untyped-def]
    return _holds(user, Role.ASSESSOR)


@rules.predicate
def is_administrator(user) -> bool:  # type: ignore[no-untyped-def]
    return _holds(user, Role.ADMINISTRATOR)


@rules.predicate
def has_admin_flag(user) -> bool:  # type: ignore[no-untyped-def]
    """Django's `is_staff` flag: the Django admin and the job dashboard."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and bool(user.is_active and user.is_staff)
        and staff_session_ok(user)
    )


is_staff_member = is_facilitator | is_assessor | is_administrator
