"""Data of the production-stack journeys and faults (fixtures registered in
tests/e2e/conftest.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

VOTERS = ("ana.vot@example.org", "bogdan.vot@example.org", "carmen.vot@example.org")


@pytest.fixture
def voting_call(areas, home_page):  # type: ignore[no-untyped-def]
    """A call assessed by today, whose one voting day is tomorrow (real time):
    four eligible proposals, three verified residents, an administrator and a
    facilitator with a second factor."""
    import time_machine
    from django.utils import timezone

    from ciic.accounts.models import Role
    from proposals.models import LOCAL_TZ, Category, Proposal
    from proposals.services import call_create, proposal_transition
    from tests.auth import add_totp, confirm_email
    from tests.factories import staff_user, verified_resident
    from tests.proposals.conftest import INSIDE, make_submitted

    today = timezone.localdate()
    day = dt.timedelta(days=1)

    def at(d: dt.date):  # type: ignore[no-untyped-def]
        return time_machine.travel(dt.datetime.combine(d, dt.time(10), LOCAL_TZ), tick=False)

    zone = areas["zones"]["drumul-taberei"]
    with at(today - 60 * day):
        voters = []
        for n, email in enumerate(VOTERS):
            user, _v, _c = verified_resident(serial=300 + n, zone=zone)
            user.email = email
            user.save(update_fields=["email"])
            voters.append(confirm_email(user))
        call = call_create(
            actor=None, name="Bugetare participativă — vot", slug="bp-vot", year=today.year,
            total_budget=Decimal("1000000"), max_cost_per_proposal=Decimal("500000"),
            submission_start=today - 40 * day, submission_end=today - 20 * day,
            assessment_start=today - 19 * day, assessment_end=today,
            voting_start=today + day, voting_end=today + day,
            results_date=today + 2 * day, implementation_start=today + 12 * day,
            categories={c.value: "" for c in Category},
        )  # fmt: skip
    specs = [
        ("Parc cu umbră pe Aleea Bucureșții Noi", "400000"),
        ("Bibliotecă de cartier în Drumul Taberei", "300000"),
        ("Bănci noi pe Bulevardul Timișoara", "200000"),
        ("Iluminat pe aleile dintre blocuri", "250000"),
    ]
    assessor = staff_user(Role.ASSESSOR)
    with at(today - 30 * day):
        proposals = [
            make_submitted(author=voters[0], call=call, title=title, cost_estimate=Decimal(cost), **INSIDE)
            for title, cost in specs
        ]  # fmt: skip
    with at(today - day):
        for p in proposals:
            p = proposal_transition(
                actor=assessor, proposal=p, to_status=Proposal.Status.UNDER_ASSESSMENT
            )
            proposal_transition(actor=assessor, proposal=p, to_status=Proposal.Status.ELIGIBLE)  # fmt: skip
    admin = confirm_email(add_totp(staff_user(Role.ADMINISTRATOR)))
    facilitator = confirm_email(add_totp(staff_user(Role.FACILITATOR)))
    return {
        "call": call,
        "proposals": [Proposal.objects.get(pk=p.pk) for p in proposals],
        "voters": voters,
        "admin": admin,
        "facilitator": facilitator,
        "voting_day": today + day,
    }
