"""The same person verified at the same moment on two accounts: the partial
unique index decides, exactly one verification exists, the other attempt
becomes a recorded conflict."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ciic.accounts.models import Role
from ciic.eligibility.models import IdentityConflict, Verification
from ciic.eligibility.services import (
    IdentityConflictError,
    register_import,
    register_match_failures_today,
    verification_create_in_person,
    verification_match_register,
)
from tests.concurrency import race
from tests.factories import ResidentProfileFactory, make_cnp, staff_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_same_cnp_verified_concurrently_in_person(attempt):
    born = date(1990, 5, 17)
    cnp = make_cnp(born, serial=100 + attempt)
    desks = [staff_user(Role.FACILITATOR), staff_user(Role.ASSESSOR)]
    users = [ResidentProfileFactory(date_of_birth=born).user for _ in range(2)]

    def verify(i: int):  # type: ignore[no-untyped-def]
        return lambda: verification_create_in_person(
            actor=desks[i],
            user=users[i],
            cnp=cnp,
            document_type="identity_card",
            sector6_resident=True,
        )

    results = race([verify(0), verify(1)])
    successes = [r for r in results if isinstance(r, Verification)]
    conflicts = [r for r in results if isinstance(r, IdentityConflictError)]
    assert len(successes) == 1 and len(conflicts) == 1, results
    assert Verification.objects.filter(ended_at__isnull=True).count() == 1
    winner = Verification.objects.get()
    conflict = IdentityConflict.objects.get()
    assert conflict.existing_user_id == winner.user_id
    assert conflict.attempting_user_id != winner.user_id


def test_same_cnp_matched_against_register_concurrently():
    born = date(1985, 1, 2)
    cnp = make_cnp(born, serial=200)
    import io

    f = io.BytesIO(f"cnp\n{cnp}\n".encode())
    assert register_import(actor=staff_user(Role.ADMINISTRATOR), file=f).ok
    users = [ResidentProfileFactory(date_of_birth=born).user for _ in range(2)]

    def match(i: int):  # type: ignore[no-untyped-def]
        return lambda: verification_match_register(actor=users[i], user=users[i], cnp=cnp)

    results = race([match(0), match(1)])
    assert sum(isinstance(r, Verification) for r in results) == 1, results
    assert sum(isinstance(r, IdentityConflictError) for r in results) == 1, results
    assert Verification.objects.count() == 1


def test_daily_register_lookup_limit_holds_under_concurrency(settings):
    """20 self-checks with a CNP that is not on the register, at the same moment:
    exactly the daily limit of look-ups is made (and counted), the rest refused."""
    limit = settings.REGISTER_MATCH_MAX_FAILURES_PER_DAY
    assert limit == 5
    born = date(1991, 3, 4)
    user = ResidentProfileFactory(date_of_birth=born).user
    cnps = [make_cnp(born, serial=300 + i) for i in range(20)]

    def check(cnp: str):  # type: ignore[no-untyped-def]
        return lambda: verification_match_register(actor=user, user=user, cnp=cnp)

    results = race([check(c) for c in cnps])
    assert all(isinstance(r, ValidationError) for r in results), results
    codes = sorted(
        "not_in_register" if hasattr(r, "error_dict") else r.code  # type: ignore[union-attr]
        for r in results
    )
    assert codes.count("not_in_register") == limit, codes
    assert codes.count("rate_limited") == 20 - limit, codes
    assert register_match_failures_today(user=user) == limit
    assert not Verification.objects.exists()
