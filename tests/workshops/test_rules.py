"""workshops.* rules: a role x workshop-state matrix under frozen time. Outside
a request roles alone decide; the permission walk (tests/permissions/) checks
that staff sessions without the second factor get none of these powers."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from ciic.accounts.models import Role
from tests.factories import UserFactory, staff_user
from workshops import services

from .conftest import NOW, make_workshop

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "resident",
    "registered",
    "this_facilitator",
    "other_facilitator",
    "assessor",
    "administrator",
]
STATES = ["planned", "open", "started", "held", "cancelled"]
MANAGERS = {"this_facilitator", "administrator"}
STAFF = {"this_facilitator", "other_facilitator", "assessor", "administrator"}


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    return {
        "anonymous": AnonymousUser(),
        "resident": UserFactory(),
        "registered": UserFactory(),
        "this_facilitator": staff_user(Role.FACILITATOR),
        "other_facilitator": staff_user(Role.FACILITATOR),
        "assessor": staff_user(Role.ASSESSOR),
        "administrator": staff_user(Role.ADMINISTRATOR),
    }


def _workshop_in(state, programme, people, frozen):  # type: ignore[no-untyped-def]
    fac = people["this_facilitator"]
    w = make_workshop(programme, fac, open_registration=state != "planned")
    if state != "planned":
        services.registration_create(actor=people["registered"], workshop=w)
    if state == "cancelled":
        services.workshop_cancel(actor=fac, workshop=w, note="Sala indisponibilă")
    if state in ("started", "held"):
        frozen.move_to(w.starts_at + dt.timedelta(minutes=10))
    if state == "held":
        services.workshop_mark_held(actor=fac, workshop=w)
    w.refresh_from_db()
    return w


EXPECTED = {
    "workshops.register": lambda role, state: (
        state == "open" and role not in ("anonymous", "registered")
    ),
    "workshops.cancel_registration": lambda role, state: state == "open" and role == "registered",
    "workshops.plan": lambda role, state: (
        role in ("this_facilitator", "other_facilitator", "administrator")
    ),
    "workshops.change_workshop": lambda role, state: (
        role in MANAGERS and state in ("planned", "open", "started")
    ),
    "workshops.run_workshop": lambda role, state: role in MANAGERS and state != "cancelled",
    "workshops.mark_held": lambda role, state: role in MANAGERS and state == "started",
    "workshops.view_staff_pages": lambda role, state: role in STAFF,
}


@pytest.mark.parametrize("state", STATES)
def test_rules_matrix(state, people, frozen, programme):  # type: ignore[no-untyped-def]
    w = _workshop_in(state, programme, people, frozen)
    for perm, expected in EXPECTED.items():
        for role in ROLES:
            obj = None if perm in ("workshops.plan", "workshops.view_staff_pages") else w
            got = people[role].has_perm(perm, obj)
            assert got == expected(role, state), (perm, role, state)


def test_full_workshop_still_accepts_the_waiting_list(people, frozen, programme):  # type: ignore[no-untyped-def]
    w = make_workshop(programme, people["this_facilitator"], capacity=1)
    services.registration_create(actor=people["registered"], workshop=w)
    w.refresh_from_db()
    assert w.status == "full"
    assert people["resident"].has_perm("workshops.register", w)
    assert NOW < w.starts_at
