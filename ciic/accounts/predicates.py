"""Role predicates (django-rules). Other apps compose their rules from these."""

import rules

from .models import Role


@rules.predicate
def is_facilitator(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.FACILITATOR)


@rules.predicate
def is_assessor(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.ASSESSOR)


@rules.predicate
def is_administrator(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.ADMINISTRATOR)


is_staff_member = is_facilitator | is_assessor | is_administrator
