"""assessment.* rules: (anonymous, author, other resident, facilitator, assessor,
second assessor, coordinator, administrator) x (before, during, after the
assessment phase), for every action, under frozen time.

Administrators act as coordinators (no separate role): the "coordinator" row
is an administrator who is not otherwise involved."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from ciic.accounts.models import Role
from proposals.assessment import services
from tests.factories import staff_user

from .conftest import AFTER, BEFORE, DURING, four_eyes

pytestmark = pytest.mark.django_db

WHO = [
    "anonymous", "author", "other", "facilitator", "assessor", "second_assessor",
    "coordinator", "administrator",
]  # fmt: skip
MOMENTS = {"before": BEFORE, "during": DURING, "after": AFTER}
CONSOLE = {"assessor", "second_assessor", "coordinator", "administrator"}
ASSESSORS = CONSOLE  # administrators may assess too, as the proposal lifecycle allows


@pytest.fixture
def people(staff, resident, other_resident):  # type: ignore[no-untyped-def]
    return {
        "anonymous": AnonymousUser(),
        "author": resident,
        "other": other_resident,
        "facilitator": staff["facilitator"],
        "assessor": staff["assessor"],
        "second_assessor": staff["second_assessor"],
        "coordinator": staff_user(Role.ADMINISTRATOR),
        "administrator": staff["administrator"],
    }


def _check(people, perm, obj, allowed):  # type: ignore[no-untyped-def]
    got = {who for who in WHO if people[who].has_perm(perm, obj)}
    assert got == set(allowed), perm


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_console_rules(people, frozen, moment):
    frozen.move_to(MOMENTS[moment])
    for perm in ("assessment.view_queue", "assessment.view_dashboard", "assessment.export"):
        _check(people, perm, None, CONSOLE)
    _check(people, "assessment.assign_any", None, {"coordinator", "administrator"})


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_undecided_proposal_rules(people, frozen, proposal, moment):
    frozen.move_to(MOMENTS[moment])
    during = moment == "during"
    _check(people, "assessment.view_assessment", proposal, CONSOLE)
    _check(
        people, "assessment.assign", proposal,
        {"coordinator", "administrator"} if moment != "after" else set(),
    )  # fmt: skip
    for perm in ("assessment.record", "assessment.request_changes", "assessment.decide"):
        _check(people, perm, proposal, ASSESSORS if during else set())
    _check(people, "assessment.confirm", proposal, set())
    _check(people, "assessment.appeal", proposal, set())
    _check(people, "assessment.decide_appeal", proposal, set())
    _check(people, "assessment.view_thread", proposal, {"author"} | CONSOLE)
    # The thread stays open until voting opens (10 June), so "after" (5 June) too.
    _check(people, "assessment.post_message", proposal, {"author"} | CONSOLE)


@pytest.mark.parametrize("moment", ["during", "after"])
def test_pending_decision_rules(people, frozen, call, proposal, moment):
    four_eyes(call)
    frozen.move_to(DURING)
    services.assessment_decide(actor=people["assessor"], proposal=proposal, outcome="eligible")
    proposal.refresh_from_db()
    frozen.move_to(MOMENTS[moment])
    others = ASSESSORS - {"assessor"}
    _check(people, "assessment.confirm", proposal, others if moment == "during" else set())
    _check(people, "assessment.decide", proposal, set())
    _check(people, "assessment.request_changes", proposal, set())


@pytest.mark.parametrize("moment", ["during", "after"])
def test_appeal_rules(people, frozen, proposal, moment):
    frozen.move_to(DURING)
    services.assessment_decide(
        actor=people["assessor"], proposal=proposal, outcome="ineligible", reason="other",
        explanation="Motiv public.",
    )  # fmt: skip
    proposal.refresh_from_db()
    frozen.move_to(DURING + dt.timedelta(days=1) if moment == "during" else AFTER)
    # Within 5 days of the decision; not any more a month later.
    _check(people, "assessment.appeal", proposal, {"author"} if moment == "during" else set())
    _check(people, "assessment.decide", proposal, set())
    if moment == "during":
        services.appeal_lodge(actor=people["author"], proposal=proposal, argument="Argument.")
        _check(people, "assessment.appeal", proposal, set())
        # Not the assessor who decided; nobody before an appeal is lodged.
        _check(people, "assessment.decide_appeal", proposal, ASSESSORS - {"assessor"})
    else:
        _check(people, "assessment.decide_appeal", proposal, set())


def test_appeal_decided_after_the_phase_until_voting_opens(people, frozen, proposal):
    frozen.move_to(dt.datetime(2026, 5, 30, 12, tzinfo=DURING.tzinfo))
    services.assessment_decide(
        actor=people["assessor"], proposal=proposal, outcome="ineligible", reason="other",
        explanation="Motiv public.",
    )  # fmt: skip
    services.appeal_lodge(actor=people["author"], proposal=proposal, argument="Argument.")
    proposal.refresh_from_db()
    frozen.move_to(AFTER)
    _check(people, "assessment.decide_appeal", proposal, ASSESSORS - {"assessor"})
    frozen.move_to(dt.datetime(2026, 6, 10, 0, 0, tzinfo=DURING.tzinfo))
    _check(people, "assessment.decide_appeal", proposal, set())
    _check(people, "assessment.post_message", proposal, set())


def test_a_staff_author_is_never_their_own_assessor(people, frozen, call):
    from django.contrib.auth.models import Group

    from .conftest import make_submitted

    author = people["author"]
    own = make_submitted(author=author, call=call)
    author.groups.add(Group.objects.get_or_create(name=Role.ASSESSOR)[0])
    author.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATOR)[0])
    author = type(author).objects.get(pk=author.pk)
    frozen.move_to(DURING)
    for perm in (
        "assessment.view_assessment", "assessment.assign", "assessment.record",
        "assessment.request_changes", "assessment.decide",
    ):  # fmt: skip
        assert not author.has_perm(perm, own), perm
    assert author.has_perm("assessment.view_queue")
