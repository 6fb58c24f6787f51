import datetime as dt

import pytest

from ciic.accounts.models import Role
from proposals.models import LOCAL_TZ
from tests.factories import staff_user
from tests.proposals import conftest as _proposals

# The proposals' fixtures, shared.
frozen = _proposals.frozen
call = _proposals.call
resident = _proposals.resident
other_resident = _proposals.other_resident
make_submitted = _proposals.make_submitted

# The test call: submission 1 March - 30 April 2026, assessment in May, voting 10-20 June.
BEFORE = dt.datetime(2026, 4, 20, 12, 0, tzinfo=LOCAL_TZ)
DURING = dt.datetime(2026, 5, 5, 12, 0, tzinfo=LOCAL_TZ)
AFTER = dt.datetime(2026, 6, 5, 12, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    return {
        "assessor": staff_user(Role.ASSESSOR),
        "second_assessor": staff_user(Role.ASSESSOR),
        "facilitator": staff_user(Role.FACILITATOR),
        "administrator": staff_user(Role.ADMINISTRATOR),
    }


@pytest.fixture
def proposal(call, resident):  # type: ignore[no-untyped-def]
    return make_submitted(author=resident, call=call)


@pytest.fixture
def other_proposal(call, other_resident):  # type: ignore[no-untyped-def]
    return make_submitted(author=other_resident, call=call, title="Alt loc de joacă")


def four_eyes(call) -> None:  # type: ignore[no-untyped-def]
    from proposals.assessment.services import call_assessment_configure

    call_assessment_configure(actor=None, call=call, four_eyes=True)
