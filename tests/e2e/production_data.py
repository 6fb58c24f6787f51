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
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return make_voting_call(areas, first_day=tomorrow, last_day=tomorrow)


def make_voting_call(  # type: ignore[no-untyped-def]
    areas,
    *,
    first_day: dt.date,
    last_day: dt.date,
    slug: str = "bp-vot",
    name: str = "Bugetare participativă — vot",
    year: int | None = None,
    voters=None,
):
    """A call whose submission ended 20 days and whose assessment ended the day
    before `first_day`, voting from `first_day` to `last_day`: four eligible
    proposals, the given verified residents (three new ones by default, with
    the addresses of VOTERS), an administrator and a facilitator with a
    second factor. Two calls in one test need distinct `year`s (references
    are numbered per call within a year)."""
    import time_machine

    from ciic.accounts.models import Role
    from proposals.models import LOCAL_TZ, Category, Proposal
    from proposals.services import call_create, proposal_transition
    from tests.auth import add_totp, confirm_email
    from tests.factories import staff_user, verified_resident
    from tests.proposals.conftest import INSIDE, make_submitted

    day = dt.timedelta(days=1)
    today = first_day - day  # the last day of the assessment

    def at(d: dt.date):  # type: ignore[no-untyped-def]
        return time_machine.travel(dt.datetime.combine(d, dt.time(10), LOCAL_TZ), tick=False)

    zone = areas["zones"]["drumul-taberei"]
    with at(today - 60 * day):
        if voters is None:
            voters = []
            for n, email in enumerate(VOTERS):
                user, _v, _c = verified_resident(serial=300 + n, zone=zone)
                user.email = email
                user.save(update_fields=["email"])
                voters.append(confirm_email(user))
        call = call_create(
            actor=None, name=name, slug=slug, year=year or today.year,
            total_budget=Decimal("1000000"), max_cost_per_proposal=Decimal("500000"),
            submission_start=today - 40 * day, submission_end=today - 20 * day,
            assessment_start=today - 19 * day, assessment_end=today,
            voting_start=first_day, voting_end=last_day,
            results_date=last_day + day, implementation_start=last_day + 11 * day,
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
        "voting_day": first_day,
    }


def make_workshop(facilitator, *, starts_in: dt.timedelta):  # type: ignore[no-untyped-def]
    """A workshop of `facilitator` in Drumul Taberei (two seats, registration
    open) starting `starts_in` from now (real time), in a programme of its own."""
    from django.utils import timezone

    from workshops import services

    today = timezone.localdate()
    programme = services.programme_create(
        actor=facilitator, name="Programul CIIC", slug="ciic",
        period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=300),
    )  # fmt: skip
    start = timezone.now() + starts_in
    return services.workshop_create(
        actor=facilitator, programme=programme, theme="Curți verzi în Drumul Taberei",
        venue_name="Biblioteca Drumul Taberei", venue_address="Strada Brașov 21",
        starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=2,
        facilitators=[facilitator], open_registration=True,
    )  # fmt: skip
