"""A call in its voting phase (10-20 June 2026, Bucharest) with proposals on
the ballot: some for the whole sector, some in Drumul Taberei, one in Militari
(which has a zone budget too), and verified residents of both zones."""

import datetime as dt
from decimal import Decimal

import pytest

from proposals.models import LOCAL_TZ, Proposal
from tests.proposals.conftest import INSIDE, INSIDE_MILITARI, NOW, call_kwargs, make_resident

VOTING_DAY = dt.datetime(2026, 6, 12, 12, 0, tzinfo=LOCAL_TZ)
AFTER_CLOSE = dt.datetime(2026, 6, 21, 0, 0, 1, tzinfo=LOCAL_TZ)
S = Proposal.Status


@pytest.fixture
def setup(db, areas):  # type: ignore[no-untyped-def]
    """Returns a dict: call, proposals by name, residents by zone, admin, facilitator."""
    import time_machine

    from ciic.accounts.models import Role
    from proposals.services import call_create, proposal_transition
    from tests.factories import staff_user
    from tests.proposals.conftest import make_submitted

    zones = areas["zones"]
    with time_machine.travel(NOW - dt.timedelta(days=365), tick=False):
        dt_res = [make_resident(zone=zones["drumul-taberei"]) for _ in range(3)]
        mil_res = [make_resident(zone=zones["militari-pacii"]) for _ in range(2)]
    with time_machine.travel(NOW, tick=False):
        call = call_create(
            actor=None,
            **call_kwargs(
                total_budget=Decimal("1000000"),
                zone_budgets={zones["militari-pacii"]: Decimal("300000")},
            ),
        )
        author = dt_res[0]
        specs = {
            "park": dict(cost_estimate=Decimal("400000"), **INSIDE),
            "library": dict(cost_estimate=Decimal("300000"), **INSIDE),
            "benches": dict(cost_estimate=Decimal("200000"), **INSIDE),
            "sector": dict(
                cost_estimate=Decimal("250000"), whole_sector=True, latitude=None, longitude=None
            ),
            "militari": dict(cost_estimate=Decimal("250000"), **INSIDE_MILITARI),
            "rejected": dict(cost_estimate=Decimal("100000"), **INSIDE),
        }
        proposals = {}
        for n, (name, extra) in enumerate(specs.items()):
            proposals[name] = make_submitted(
                author=dt_res[n % 2] if name != "militari" else mil_res[0],
                call=call,
                title=f"Proiect {name}",
                **extra,
            )
    assessor = staff_user(Role.ASSESSOR)
    admin = staff_user(Role.ADMINISTRATOR)
    facilitator = staff_user(Role.FACILITATOR)
    with time_machine.travel(dt.datetime(2026, 5, 5, 10, tzinfo=LOCAL_TZ), tick=False):
        for name, p in proposals.items():
            p = proposal_transition(actor=assessor, proposal=p, to_status=S.UNDER_ASSESSMENT)
            to = S.INELIGIBLE if name == "rejected" else S.ELIGIBLE
            proposals[name] = proposal_transition(
                actor=assessor, proposal=p, to_status=to, note="Nu." if to == S.INELIGIBLE else ""
            )
    return {
        "call": call,
        "proposals": proposals,
        "dt": dt_res,
        "militari": mil_res,
        "zones": zones,
        "admin": admin,
        "facilitator": facilitator,
        "author": author,
    }


def open_vote(setup, **rule):  # type: ignore[no-untyped-def]
    """Set the rule (default: approval, k=2, MES add1) and open voting, at VOTING_DAY."""
    import time_machine

    from voting.services import ballot_rule_set, voting_open

    kwargs = {"kind": "approval", "max_choices": 2, "counting_rule": "mes", "completion": "add1"}
    kwargs.update(rule)
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=LOCAL_TZ), tick=False):
        ballot_rule_set(actor=setup["admin"], call=setup["call"], **kwargs)
    with time_machine.travel(VOTING_DAY, tick=False):
        voting_open(actor=setup["admin"], call=setup["call"])
    for _name, p in setup["proposals"].items():
        p.refresh_from_db()


@pytest.fixture
def voting_day():  # type: ignore[no-untyped-def]
    import time_machine

    with time_machine.travel(VOTING_DAY, tick=False) as traveller:
        yield traveller
