"""The eligibility matrix: `participation_check` on the date of the action."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from ciic.accounts.models import Role
from ciic.eligibility.age import age_on, anniversary
from ciic.eligibility.predicates import is_verified_resident
from ciic.eligibility.selectors import participation_check
from ciic.eligibility.services import verification_revoke
from tests.factories import UserFactory, staff_user, verified_resident

BUCHAREST = ZoneInfo("Europe/Bucharest")
pytestmark = pytest.mark.django_db


def at(y: int, m: int, d: int, hour: int = 10):
    return time_machine.travel(datetime(y, m, d, hour, tzinfo=BUCHAREST), tick=False)


def test_anniversary_follows_civil_code_art_2552():
    assert anniversary(date(2004, 2, 29), 18) == date(2022, 2, 28)
    assert anniversary(date(2006, 2, 28), 18) == date(2024, 2, 28)
    assert anniversary(date(2008, 2, 29), 16) == date(2024, 2, 29)  # leap year: same day
    assert age_on(date(2004, 2, 29), date(2022, 2, 27)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 18
    assert age_on(date(2004, 5, 10), date(2003, 1, 1)) == 0


def test_anonymous():
    d = participation_check(user=AnonymousUser(), on_date=date(2025, 1, 1))
    assert (d.allowed, d.reason) == (False, "anonymous")
    assert participation_check(user=None, on_date=date(2025, 1, 1)).reason == "anonymous"


def test_unverified():
    user = UserFactory()
    d = participation_check(user=user, on_date=date(2025, 1, 1))
    assert (d.allowed, d.reason) == (False, "unverified")
    assert "CIIC desk" in d.message


def test_verified_adult_resident_is_allowed():
    with at(2025, 3, 1):
        user, v, _ = verified_resident(born=date(1990, 5, 17))
    d = participation_check(user=user, on_date=date(2025, 3, 1))
    assert d.allowed and d.reason == "ok" and d.verification == v


def test_day_before_and_day_of_18th_birthday():
    # Verified at 17, before the 18th birthday: age is checked on the action's date.
    with at(2025, 1, 10):
        user, _, _ = verified_resident(born=date(2007, 6, 15))
    before = participation_check(user=user, on_date=date(2025, 6, 14))
    assert (before.allowed, before.reason) == (False, "under_18")
    assert before.eligible_from == date(2025, 6, 15)
    assert "18" in before.message
    on_day = participation_check(user=user, on_date=date(2025, 6, 15))
    assert on_day.allowed


@pytest.mark.parametrize(
    ("on_date", "allowed"),
    [
        (date(2022, 2, 27), False),
        (date(2022, 2, 28), True),  # non-leap year: last day of February (art. 2.552 (2))
        (date(2022, 3, 1), True),
    ],
)
def test_born_on_29_february_non_leap_18th_year(on_date, allowed):
    with at(2021, 12, 1):
        user, _, _ = verified_resident(born=date(2004, 2, 29))
    assert participation_check(user=user, on_date=on_date).allowed is allowed


@pytest.mark.parametrize(
    ("on_date", "allowed"), [(date(2024, 2, 28), False), (date(2024, 2, 29), True)]
)
def test_born_on_29_february_leap_18th_year(on_date, allowed):
    # The age is reached on 29 February when that year is leap (minimum age 20 -> 2024).
    with at(2023, 12, 1):
        user, _, _ = verified_resident(born=date(2004, 2, 29))
    with override_settings(PARTICIPATION_MINIMUM_AGE=20):
        assert participation_check(user=user, on_date=on_date).allowed is allowed


def test_revoked():
    with at(2025, 1, 10):
        user, v, _ = verified_resident()
    with at(2025, 2, 1):
        verification_revoke(actor=staff_user(Role.FACILITATOR), verification=v, reason="Moved away")
    assert participation_check(user=user, on_date=date(2025, 1, 31)).allowed  # history holds
    d = participation_check(user=user, on_date=date(2025, 2, 1))
    assert (d.allowed, d.reason) == (False, "revoked")


def test_expired(settings):
    settings.VERIFICATION_VALIDITY_DAYS = 365
    with at(2025, 1, 10):
        user, v, _ = verified_resident()
    assert v.valid_until == date(2026, 1, 10)
    assert participation_check(user=user, on_date=date(2026, 1, 10)).allowed  # inclusive
    d = participation_check(user=user, on_date=date(2026, 1, 11))
    assert (d.allowed, d.reason) == (False, "expired")


def test_not_resident():
    with at(2025, 1, 10):
        user, _, _ = verified_resident(sector6=False)
    d = participation_check(user=user, on_date=date(2025, 1, 10))
    assert (d.allowed, d.reason) == (False, "not_resident")


def test_before_verification_date_counts_as_unverified():
    with at(2025, 1, 10):
        user, _, _ = verified_resident()
    assert participation_check(user=user, on_date=date(2025, 1, 9)).reason == "unverified"


def test_verification_at_local_midnight_uses_bucharest_date():
    # 23:30 UTC on 9 Jan is 01:30 on 10 Jan in Bucharest.
    with time_machine.travel(datetime(2025, 1, 9, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        user, _, _ = verified_resident()
    assert participation_check(user=user, on_date=date(2025, 1, 10)).allowed


def test_predicate_checks_today():
    with at(2025, 1, 10):
        user, _, _ = verified_resident(born=date(2007, 6, 15))
    with at(2025, 6, 14, hour=23):
        assert not is_verified_resident(user)
        assert not user.has_perm("eligibility.take_part")
    with at(2025, 6, 15, hour=0):
        assert is_verified_resident(user)


def test_check_is_one_query():
    with at(2025, 1, 10):
        user, _, _ = verified_resident()
    with CaptureQueriesContext(connection) as ctx:
        participation_check(user=user, on_date=date(2025, 1, 10))
    assert len(ctx.captured_queries) == 1


def test_the_ballot_reading_decides_alike_and_adds_zone_and_identity_hold(areas):  # type: ignore[no-untyped-def]
    """`for_ballot=True` (voting day's one query, written out) gives the same
    decision as the plain check, plus the residence zone and the identity hold."""
    import datetime as dt

    from ciic.eligibility.models import ResidentProfile, RetainedIdentity

    zone = next(iter(areas["zones"].values()))
    with at(2025, 3, 1):
        adult, v, _ = verified_resident(born=date(1990, 5, 17), serial=11, zone=zone)
        minor, _m, _ = verified_resident(born=date(2008, 5, 17), serial=12)
        elsewhere, _e, _ = verified_resident(born=date(1980, 1, 2), serial=13, sector6=False)
    with at(2025, 3, 2):
        revoked_user, revoked, _ = verified_resident(born=date(1970, 1, 2), serial=14)
        verification_revoke(actor=staff_user(Role.ADMINISTRATOR), verification=revoked, reason="x")
    day = date(2025, 3, 5)
    for user in (adult, minor, elsewhere, revoked_user, UserFactory(), AnonymousUser()):
        plain = participation_check(user=user, on_date=day)
        ballot = participation_check(user=user, on_date=day, for_ballot=True)
        assert (ballot.allowed, ballot.reason, ballot.verification) == (
            plain.allowed,
            plain.reason,
            plain.verification,
        )
    with CaptureQueriesContext(connection) as queries:
        d = participation_check(user=adult, on_date=day, for_ballot=True)
    assert len(queries) == 1
    profile_zone = ResidentProfile.objects.get(user=adult).residence_zone_id
    assert d.allowed and d.residence_zone_id == profile_zone is not None
    assert d.identity_retained is False
    RetainedIdentity.objects.create(cnp_hash=v.cnp_hash, keep_until=day - dt.timedelta(days=1))
    assert participation_check(user=adult, on_date=day, for_ballot=True).identity_retained is False
    RetainedIdentity.objects.create(cnp_hash=v.cnp_hash, keep_until=day)
    assert participation_check(user=adult, on_date=day, for_ballot=True).identity_retained is True
    ResidentProfile.objects.filter(user=adult).update(residence_zone=None)
    assert participation_check(user=adult, on_date=day, for_ballot=True).residence_zone_id is None
