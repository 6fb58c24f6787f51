"""The demo's 2025 vote: cast through the services, tallied by the close job,
published; the published file recomputes to the published outcome."""

import pytest
from django.core.management import call_command

from proposals.demo import PAST_CALL_SLUG, PAST_PROPOSALS
from proposals.models import Proposal
from voting.models import Ballot, Channel, Result
from voting.tally import parse_pabulib_text, tally


@pytest.mark.slow
def test_seed_demo_votes_tallies_and_publishes_the_2025_call(db, home_page):  # type: ignore[no-untyped-def]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    result = Result.objects.get(call__slug=PAST_CALL_SLUG)
    assert result.is_published and result.ballots_count >= 200
    ballots = Ballot.objects.filter(call=result.call)
    assert ballots.count() == result.ballots_count
    assert ballots.filter(channel=Channel.PAPER).exists()
    assert len(result.stats["by_day"]) > 5 and len(result.stats["by_age"]) == 4
    intended = {title: outcome for title, *_rest, outcome in PAST_PROPOSALS}
    for p in Proposal.objects.filter(call=result.call):
        assert p.status == intended[p.title], p.title
    unit = result.unit("sector")
    election = parse_pabulib_text(unit["pb"])
    assert election.meta["rule"] == "greedy"
    assert tally(election, rule="greedy", sat="cost").selected_ids == unit["selected"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Ballot.objects.filter(call=result.call).count() == result.ballots_count
