"""Eligibility predicates (django-rules)."""

import rules
from django.utils import timezone

from ciic.accounts.predicates import is_administrator, is_assessor, is_facilitator

from .selectors import participation_check


@rules.predicate
def is_verified_resident(user) -> bool:  # type: ignore[no-untyped-def]
    """Verified, living in Sector 6 and old enough *today* (Bucharest time).

    Features that act on another date call `participation_check` directly."""
    return participation_check(user=user, on_date=timezone.localdate()).allowed


@rules.predicate
def is_self(user, person) -> bool:  # type: ignore[no-untyped-def]
    """The account acts on itself (its own profile, its own verification)."""
    return (
        person is not None
        and bool(getattr(user, "is_authenticated", False))
        and getattr(person, "pk", None) == user.pk
    )


# Desk staff: who may check identity documents and verify residents in person.
is_desk_staff = is_facilitator | is_assessor | is_administrator
