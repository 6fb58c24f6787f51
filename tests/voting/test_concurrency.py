"""Races on a real database (PostgreSQL, DATABASE_URL): simultaneous ballots
by one resident, and many residents voting at once."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from voting_support import AFTER_CLOSE, VOTING_DAY, open_vote

from tests.concurrency import race
from tests.proposals.conftest import NOW, make_resident
from voting import services
from voting.models import Ballot, BallotChoice, Result

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_simultaneous_submissions_by_one_resident_leave_one_ballot(setup):  # type: ignore[no-untyped-def]
    open_vote(setup)
    voter = setup["dt"][1]
    p = setup["proposals"]
    options = [p["park"].pk, p["library"].pk, p["benches"].pk, p["sector"].pk]
    with time_machine.travel(VOTING_DAY, tick=False):
        results = race(
            [
                lambda i=i: services.ballot_cast(
                    actor=voter,
                    call=setup["call"],
                    voter=voter,
                    choices={options[i % 4]: 1},
                    expected_revision=0,
                )
                for i in range(20)
            ]
        )
    ok = [r for r in results if isinstance(r, services.CastReceipt)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(ok) == 1 and len(refused) == 19, results
    assert all(r.code == "stale" for r in refused)
    assert Ballot.objects.count() == 1 and BallotChoice.objects.count() == 1
    ballot = Ballot.objects.get()
    assert ballot.revision == 1 and ballot.receipt_hash == services.receipt_hash(ok[0].code)


def test_twenty_simultaneous_changes_without_a_revision_keep_one_whole_ballot(setup):  # type: ignore[no-untyped-def]
    open_vote(setup)
    voter = setup["dt"][1]
    p = setup["proposals"]
    pairs = [(p["park"].pk, p["sector"].pk), (p["library"].pk, p["benches"].pk)]
    with time_machine.travel(VOTING_DAY, tick=False):
        results = race(
            [
                lambda i=i: services.ballot_cast(
                    actor=voter,
                    call=setup["call"],
                    voter=voter,
                    choices=dict.fromkeys(pairs[i % 2], 1),
                )
                for i in range(20)
            ]
        )
    assert all(isinstance(r, services.CastReceipt) for r in results), results
    ballot = Ballot.objects.get()
    assert ballot.revision == 20
    # Never a mix of two submissions.
    assert tuple(sorted(ballot.choices.values_list("proposal_id", flat=True))) in [
        tuple(sorted(x)) for x in pairs
    ]


def test_two_hundred_residents_voting_at_once_are_each_counted_once(setup):  # type: ignore[no-untyped-def]
    """200 residents, sent by 25 connections at once (PostgreSQL's connection
    limit is shared on this machine), each sending 8 ballots back to back."""
    open_vote(setup, completion="none")
    with time_machine.travel(NOW - dt.timedelta(days=365), tick=False):
        voters = [make_resident(zone=setup["zones"]["drumul-taberei"]) for _ in range(200)]
    p = setup["proposals"]
    options = [p["park"].pk, p["library"].pk, p["benches"].pk, p["sector"].pk]
    lanes = 25
    errors: list[Exception] = []

    def lane(k: int) -> None:
        for n, voter in enumerate(voters[k::lanes]):
            try:
                services.ballot_cast(
                    actor=voter,
                    call=setup["call"],
                    voter=voter,
                    choices={options[(k + n) % 4]: 1, options[(k + n + 1) % 4]: 1},
                    expected_revision=0,
                )
            except Exception as exc:  # collected for the assertion
                errors.append(exc)

    with time_machine.travel(VOTING_DAY, tick=False):
        race([lambda k=k: lane(k) for k in range(lanes)])
    assert not errors, errors[:3]
    assert Ballot.objects.filter(call=setup["call"]).count() == 200
    assert BallotChoice.objects.count() == 400
    with time_machine.travel(AFTER_CLOSE, tick=False):
        services.results_compute(actor=None, call=setup["call"])
    sector = Result.objects.get().unit("sector")
    assert sector["voters"] == 200
    assert sum(x["votes"] for x in sector["projects"]) == 400
