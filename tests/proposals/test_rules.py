"""proposals.* rules: a role x phase matrix under frozen time."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from ciic.accounts.models import Role
from proposals.models import LOCAL_TZ
from tests.factories import UserFactory, staff_user

from .conftest import make_draft, make_submitted

pytestmark = pytest.mark.django_db

PHASE_MOMENTS = {
    "upcoming": dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=LOCAL_TZ),
    "submission_first": dt.datetime(2026, 3, 1, 0, 0, 0, tzinfo=LOCAL_TZ),
    "submission_last": dt.datetime(2026, 4, 30, 23, 59, 59, tzinfo=LOCAL_TZ),
    "assessment": dt.datetime(2026, 5, 1, 0, 0, 0, tzinfo=LOCAL_TZ),
    "voting": dt.datetime(2026, 6, 15, 12, tzinfo=LOCAL_TZ),
}
ROLES = [
    "anonymous",
    "unverified",
    "resident",
    "author",
    "facilitator",
    "assessor",
    "administrator",
]


@pytest.fixture
def people(call, resident, other_resident):  # type: ignore[no-untyped-def]
    return {
        "anonymous": AnonymousUser(),
        "unverified": UserFactory(),
        "resident": other_resident,
        "author": resident,
        "facilitator": staff_user(Role.FACILITATOR),
        "assessor": staff_user(Role.ASSESSOR),
        "administrator": staff_user(Role.ADMINISTRATOR),
    }


@pytest.mark.parametrize("moment", list(PHASE_MOMENTS))
def test_submit_to_call_matrix(call, people, frozen, moment):
    frozen.move_to(PHASE_MOMENTS[moment])
    open_now = moment.startswith("submission")
    for role in ROLES:
        expected = open_now and role in ("resident", "author")
        assert people[role].has_perm("proposals.submit_to_call", call) == expected, role


@pytest.mark.parametrize("moment", ["submission_last", "assessment"])
def test_proposal_rules_matrix(call, people, frozen, moment):
    draft = make_draft(author=people["author"], call=call)
    submitted = make_submitted(author=people["author"], call=call)
    frozen.move_to(PHASE_MOMENTS[moment])
    for role in ROLES:
        user = people[role]
        is_author = role == "author"
        is_staff = role in ("facilitator", "assessor", "administrator")
        assert user.has_perm("proposals.view_proposal", submitted) is True, role
        # A draft is private to its author, for staff and superusers too.
        assert user.has_perm("proposals.view_proposal", draft) == is_author, role
        assert user.has_perm("proposals.change_proposal", draft) == is_author, role
        assert user.has_perm("proposals.change_proposal", submitted) == (
            is_author and moment == "submission_last"
        ), role
        assert user.has_perm("proposals.delete_proposal", draft) == is_author, role
        assert user.has_perm("proposals.delete_proposal", submitted) is False, role
        assert user.has_perm("proposals.view_versions", submitted) == is_staff, role
        assert user.has_perm("proposals.view_staff_list") == is_staff, role
