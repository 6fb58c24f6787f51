"""Every rule of our apps: role x object x phase, under frozen time.

One row per rule (and per object it is asked about) in `MATRIX`: who may, as
a function of the call's phase. The test fails for a registered rule of our
apps that has no row, so a new rule cannot ship without its expectations.

Roles: anonymous, an account without verification, a verified resident, the
author (a verified resident too), each staff role, an administrator whose
session has not passed the second factor (who must get nothing), and the
platform itself (`None`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import pytest
import rules
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from ciic.accounts.models import Role
from ciic.accounts.permissions import allowed
from ciic.accounts.second_factor import MFA_METHOD, bound_request
from proposals.models import LOCAL_TZ, Proposal
from proposals.rules import TRANSITIONS
from tests.factories import UserFactory, staff_user
from tests.proposals.conftest import call_kwargs, make_draft, make_resident

pytestmark = pytest.mark.django_db

S = Proposal.Status

# The apps whose rules this matrix must cover (django-rules names are "<app>.<action>").
OUR_APPS = {
    "accounts",
    "audit",
    "cms",
    "eligibility",
    "geo",
    "jobs",
    "notifications",
    "proposals",
    "voting",
    "workshops",
}

# Submission 1 March - 30 April 2026, assessment in May, voting 10-20 June (Bucharest).
PHASES = {
    "before": dt.datetime(2026, 2, 20, 12, tzinfo=LOCAL_TZ),
    "submission": dt.datetime(2026, 3, 15, 12, tzinfo=LOCAL_TZ),
    "assessment": dt.datetime(2026, 5, 10, 12, tzinfo=LOCAL_TZ),
    "voting": dt.datetime(2026, 6, 15, 12, tzinfo=LOCAL_TZ),
}

ANON, UNVERIFIED, RESIDENT, AUTHOR = "anonymous", "unverified", "resident", "author"
FACILITATOR, ASSESSOR, ADMINISTRATOR = "facilitator", "assessor", "administrator"
NO_2FA, SYSTEM = "staff_without_2fa", "system"
ROLES = [ANON, UNVERIFIED, RESIDENT, AUTHOR, FACILITATOR, ASSESSOR, ADMINISTRATOR, NO_2FA, SYSTEM]
STAFF = {FACILITATOR, ASSESSOR, ADMINISTRATOR}
RESIDENTS = {RESIDENT, AUTHOR}

Expect = Callable[[str], set[str]]  # phase -> the roles allowed


def always(*roles: str | set[str]) -> Expect:
    who: set[str] = set()
    for r in roles:
        who |= {r} if isinstance(r, str) else set(r)
    return lambda phase: who


def during(phases: set[str], *roles: str | set[str]) -> Expect:
    inner = always(*roles)
    return lambda phase: inner(phase) if phase in phases else set()


EVERYONE = set(ROLES)

# (rule, object) -> expectation. Objects: None, "call", "author_user", "draft",
# "submitted", or a proposal status (the author's proposal in that status).
MATRIX: dict[tuple[str, str | None], Expect] = {
    # accounts
    ("accounts.view_staff_pages", None): always(STAFF),
    ("accounts.manage_roles", None): always(ADMINISTRATOR),
    ("accounts.use_django_admin", None): always(ADMINISTRATOR),  # the is_staff flag
    # eligibility
    ("eligibility.verify_residents", None): always(STAFF),
    ("eligibility.import_register", None): always(ADMINISTRATOR),
    ("eligibility.view_conflicts", None): always(STAFF),
    ("eligibility.take_part", None): always(RESIDENTS),
    ("eligibility.change_profile", "author_user"): always(AUTHOR, STAFF),
    ("eligibility.verify_self", "author_user"): always(AUTHOR),
    # notifications
    ("notifications.view_outbox", None): always(ADMINISTRATOR),
    # geo
    ("geo.import_areas", None): always(ADMINISTRATOR, SYSTEM),
    ("geo.import_gazetteer", None): always(ADMINISTRATOR, SYSTEM),
    # workshops (a workshop open for registration, after every phase, run by
    # FACILITATOR; the states are in tests/workshops/test_rules.py)
    ("workshops.register", "workshop"): always(UNVERIFIED, RESIDENTS, STAFF, NO_2FA),
    ("workshops.cancel_registration", "workshop"): always(),  # nobody registered
    ("workshops.plan", None): always(FACILITATOR, ADMINISTRATOR),
    ("workshops.change_workshop", "workshop"): always(FACILITATOR, ADMINISTRATOR),
    ("workshops.run_workshop", "workshop"): always(FACILITATOR, ADMINISTRATOR),
    ("workshops.mark_held", "workshop"): always(),  # not started yet
    ("workshops.view_staff_pages", None): always(STAFF),
    # proposals: calls
    ("proposals.submit_to_call", "call"): during({"submission"}, RESIDENTS),
    ("proposals.manage_calls", None): always(ADMINISTRATOR, SYSTEM),
    # proposals: reading and editing
    ("proposals.view_proposal", "submitted"): always(EVERYONE),
    ("proposals.view_proposal", "draft"): always(AUTHOR),
    ("proposals.change_proposal", "draft"): always(AUTHOR),
    ("proposals.change_proposal", "submitted"): during({"before", "submission"}, AUTHOR),
    ("proposals.change_proposal", S.CHANGES_REQUESTED): always(AUTHOR),
    ("proposals.change_proposal", S.UNDER_ASSESSMENT): always(),
    ("proposals.delete_proposal", "draft"): always(AUTHOR),
    ("proposals.delete_proposal", "submitted"): always(),
    ("proposals.view_versions", "submitted"): always(STAFF),
    ("proposals.view_staff_list", None): always(STAFF),
    # proposals: the lifecycle
    ("proposals.submit_proposal", "draft"): during({"submission"}, AUTHOR),
    ("proposals.start_assessment", S.SUBMITTED): always(ASSESSOR, ADMINISTRATOR, SYSTEM),
    ("proposals.start_assessment", S.RESUBMITTED): always(ASSESSOR, ADMINISTRATOR, SYSTEM),
    ("proposals.request_changes", S.UNDER_ASSESSMENT): always(ASSESSOR, ADMINISTRATOR),
    ("proposals.decide", S.UNDER_ASSESSMENT): always(ASSESSOR, ADMINISTRATOR),
    ("proposals.resubmit", S.CHANGES_REQUESTED): always(AUTHOR),
    ("proposals.resume_assessment", S.CHANGES_REQUESTED): always(SYSTEM),
    ("proposals.uphold_appeal", S.INELIGIBLE): always(ASSESSOR, ADMINISTRATOR),
    ("proposals.put_on_ballot", S.ELIGIBLE): always(ADMINISTRATOR, SYSTEM),
    ("proposals.record_result", S.ON_BALLOT): always(ADMINISTRATOR, SYSTEM),
    ("proposals.start_implementation", S.SELECTED): always(ADMINISTRATOR, SYSTEM),
    ("proposals.complete", S.IN_IMPLEMENTATION): always(ADMINISTRATOR, SYSTEM),
    # voting. In this world no vote was ever opened (no ballot rule) and nothing
    # was published, so casting and results are nobody's in every phase; the
    # open vote is covered in tests/voting (services and pages).
    ("voting.view_ballot", "call"): always(UNVERIFIED, RESIDENTS, STAFF, NO_2FA),
    ("voting.cast_ballot", "call"): always(),
    ("voting.record_paper_ballot", "call"): always(),
    ("voting.use_desk", None): always(FACILITATOR, ADMINISTRATOR),
    ("voting.manage", None): always(ADMINISTRATOR),
    ("voting.view_results", "call"): always(),
}


def our_rules() -> set[str]:
    return {name for name in rules.permissions.permissions if name.split(".")[0] in OUR_APPS}


def test_every_rule_of_our_apps_has_a_row():
    covered = {rule for rule, _obj in MATRIX}
    missing = sorted(our_rules() - covered)
    assert not missing, (
        f"rules without a row in MATRIX of {__file__}: {missing}. Add who may, per phase."
    )
    unknown = sorted(covered - our_rules())
    assert not unknown, f"rows for rules that do not exist: {unknown}"


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(PHASES["submission"], tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(frozen, areas):  # type: ignore[no-untyped-def]
    from proposals.services import call_create, proposal_submit

    frozen.move_to(PHASES["submission"])
    call = call_create(actor=None, **call_kwargs())
    frozen.shift(dt.timedelta(days=-365))  # verified long before, in force on every date
    author, resident = make_resident(), make_resident()
    frozen.shift(dt.timedelta(days=365))
    draft = make_draft(author=author, call=call)
    submitted = proposal_submit(actor=author, proposal=make_draft(author=author, call=call))
    people: dict[str, Any] = {
        ANON: AnonymousUser(),
        UNVERIFIED: UserFactory(),
        RESIDENT: resident,
        AUTHOR: author,
        FACILITATOR: staff_user(Role.FACILITATOR),
        ASSESSOR: staff_user(Role.ASSESSOR),
        ADMINISTRATOR: staff_user(Role.ADMINISTRATOR, is_staff=True),
        # Every power an account can hold, in a session without the second factor.
        NO_2FA: UserFactory(
            roles=[Role.FACILITATOR, Role.ASSESSOR, Role.ADMINISTRATOR],
            is_staff=True,
            is_superuser=True,
        ),
        SYSTEM: None,
    }
    workshop = _workshop(people[FACILITATOR])
    return {
        "call": call,
        "draft": draft,
        "submitted": submitted,
        "people": people,
        "workshop": workshop,
    }


def _workshop(facilitator: Any) -> Any:
    from tests.workshops.conftest import make_programme
    from workshops.services import workshop_create

    start = dt.datetime(2026, 7, 1, 17, tzinfo=LOCAL_TZ)
    return workshop_create(
        actor=facilitator,
        programme=make_programme(facilitator),
        theme="Curți verzi",
        venue_name="Biblioteca Militari",
        venue_address="Bulevardul Iuliu Maniu 10",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=20,
        facilitators=[facilitator],
        open_registration=True,
    )


def session_request(user: Any, *, mfa: bool) -> Any:
    """A request of `user`'s own session, with or without the second factor."""
    from allauth.account.internal.flows.login import record_authentication

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = user
    record_authentication(request, user, "password")
    if mfa:
        record_authentication(request, user, MFA_METHOD, type="totp")
    return request


@contextmanager
def acting_as(role: str, user: Any) -> Iterator[None]:
    """Staff without the second factor are judged inside their own request;
    everyone else as services and jobs are (roles alone decide)."""
    if role == NO_2FA:
        with bound_request(session_request(user, mfa=False)):
            yield
    else:
        with nullcontext():
            yield


def target(world: dict[str, Any], obj: str | None) -> Any:
    if obj is None:
        return None
    if obj == "call":
        return world["call"]
    if obj == "workshop":
        return world["workshop"]
    if obj == "author_user":
        return world["people"][AUTHOR]
    if obj in ("draft", "submitted"):
        return Proposal.objects.select_related("call").get(pk=world[obj].pk)
    proposal = Proposal.objects.select_related("call").get(pk=world["submitted"].pk)
    proposal.status = obj  # only the rules read it; nothing is saved
    return proposal


@pytest.mark.parametrize("phase", list(PHASES))
def test_rules_matrix(world, frozen, phase):
    frozen.move_to(PHASES[phase])
    wrong = []
    for (rule, obj), expect in MATRIX.items():
        if not rules.perm_exists(rule):
            continue  # reported by test_every_rule_of_our_apps_has_a_row
        thing = target(world, obj)
        who = expect(phase)
        for role in ROLES:
            user = world["people"][role]
            with acting_as(role, user):
                got = allowed(user, rule, thing)
            if got != (role in who):
                wrong.append(f"{rule} on {obj} in {phase}: {role} got {got}")
    assert not wrong, "\n".join(wrong)


def test_staff_without_the_second_factor_get_nothing_but_with_it_do(world):
    """The control of the row above: the same account, the same request, only
    the second factor differs."""
    user = world["people"][NO_2FA]
    staff_rules = [r for r in our_rules() if r.split(".")[1] in {"manage_roles", "view_outbox"}]
    assert staff_rules
    for rule in staff_rules:
        with bound_request(session_request(user, mfa=False)):
            assert not user.has_perm(rule), rule
        with bound_request(session_request(user, mfa=True)):
            assert user.has_perm(rule), rule


@pytest.mark.parametrize("phase", ["submission", "assessment"])
def test_transition_rules_refuse_every_other_status(world, frozen, phase):
    """A transition's rule allows nobody, the platform included, unless the
    proposal is in the status the move starts from."""
    frozen.move_to(PHASES[phase])
    starts: dict[str, set[str]] = {}
    for (frm, _to), rule in TRANSITIONS.items():
        starts.setdefault(rule, set()).add(frm)
    for rule, froms in starts.items():
        for status in set(S.values) - froms:
            thing = target(world, status)
            for role in ROLES:
                user = world["people"][role]
                with acting_as(role, user):
                    assert not allowed(user, rule, thing), (rule, status, role)


def test_staff_never_decide_their_own_proposals(world, frozen):
    """An administrator who is also the author decides nothing about their proposal."""
    from ciic.accounts.services import user_roles_set

    author = world["people"][AUTHOR]
    user_roles_set(
        actor=world["people"][ADMINISTRATOR],
        user=author,
        roles=[Role.ASSESSOR, Role.ADMINISTRATOR],
    )
    author = type(author).objects.get(pk=author.pk)
    frozen.move_to(PHASES["assessment"])
    for status in (S.SUBMITTED, S.UNDER_ASSESSMENT, S.ELIGIBLE, S.ON_BALLOT):
        thing = target(world, status)
        assert [rule for (frm, _to), rule in TRANSITIONS.items() if frm == status], status
        for (frm, _to), rule in TRANSITIONS.items():
            if frm == status:
                assert not allowed(author, rule, thing), (rule, status)
                assert allowed(world["people"][ADMINISTRATOR], rule, thing), (rule, status)
