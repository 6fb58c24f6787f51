"""`seed_demo` (what `make run` loads), run twice on one database, as `make run`
does on every start: the first run leaves every part of the demo in place (the
legal pages, the call page and its proposals in every category and state, every
assessment state, the 2025 vote tallied and published), the second changes
nothing and ends with the sign-in details. One database seeded once for all the
parts: each seeding takes seconds, and the suite runs twice in CI."""

import io

import pytest
from django.core.management import call_command

from ciic.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from cms.legal_pages import PRIVACY_SLUG, TERMS_SLUG
from cms.models import CallForProposalsPage, InformationPage
from proposals.assessment import selectors
from proposals.assessment.demo import CALL_SLUG
from proposals.assessment.models import Appeal, Decision
from proposals.demo import PAST_CALL_SLUG, PAST_PROPOSALS
from proposals.models import Call, Proposal
from voting.models import Ballot, Channel, Result
from voting.tally import parse_pabulib_text, tally

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

S = Proposal.Status


def _proposals_in_every_category_and_state() -> None:
    references = list(Proposal.objects.order_by("pk").values_list("reference", "status"))
    assert len(references) >= 40
    assert {p.category for p in Proposal.objects.all()} >= {
        "mediu", "educatie", "cultura", "social", "infrastructura", "siguranta", "servicii", "altele",
    }  # fmt: skip
    assert Proposal.objects.exclude(zone=None).values("zone").distinct().count() >= 5
    assert len({s for _r, s in references}) >= 5
    assert CallForProposalsPage.objects.count() == 1
    assert InformationPage.objects.filter(slug__in=[PRIVACY_SLUG, TERMS_SLUG]).count() == 2


def _every_assessment_state() -> None:
    call = Call.objects.get(slug=CALL_SLUG)
    q = selectors.QueueFilters

    def refs(**filters):  # type: ignore[no-untyped-def]
        return list(selectors.assessment_queue(call=call, user=None, filters=q(**filters)))

    assert len(refs(status="unassigned")) == 1
    assert len(refs(overdue=True)) == 1
    assert [p.status for p in refs(status=S.CHANGES_REQUESTED)] == [S.CHANGES_REQUESTED]
    assert (
        refs(status="pending")
        and Decision.objects.filter(proposal__call=call, state="pending").count() == 1
    )
    assert Appeal.objects.filter(proposal__call=call, state="open").count() == 1
    assert Appeal.objects.filter(proposal__call=call, state="rejected").count() == 1
    ineligible = Decision.objects.filter(
        proposal__call=call, state="confirmed", outcome="ineligible"
    )
    assert all(d.explanation for d in ineligible)
    assert ineligible.filter(reason="duplicate", duplicate_of__isnull=False).count() == 1
    assert Proposal.objects.filter(
        call=call, status=S.ELIGIBLE, assessed_cost__isnull=False
    ).exists()
    stats = selectors.dashboard_stats(call=call)
    assert stats["median_days"] is not None and stats["load"]


def _the_2025_vote_tallied_and_published() -> None:
    result = Result.objects.get(call__slug=PAST_CALL_SLUG)
    assert result.is_published and result.ballots_count >= 200
    ballots = Ballot.objects.filter(call=result.call)
    assert ballots.count() == result.ballots_count
    assert ballots.filter(channel=Channel.PAPER).exists()
    assert len(result.stats["by_day"]) > 5 and len(result.stats["by_age"]) == 4
    intended = {title: outcome for title, *_rest, outcome in PAST_PROPOSALS}
    for p in Proposal.objects.filter(call=result.call):
        assert p.status == intended[p.title], p.title
    # the published file recomputes to the published outcome
    unit = result.unit("sector")
    election = parse_pabulib_text(unit["pb"])
    assert election.meta["rule"] == "greedy"
    assert tally(election, rule="greedy", sat="cost").selected_ids == unit["selected"]


def _snapshot() -> dict[str, object]:
    return {
        "proposals": list(Proposal.objects.order_by("pk").values_list("reference", "status")),
        "ballots": Ballot.objects.count(),
        "results": list(Result.objects.order_by("pk").values_list("call_id", "ballots_count")),
        "decisions": Decision.objects.count(),
        "appeals": Appeal.objects.count(),
        "call pages": CallForProposalsPage.objects.count(),
        "information pages": InformationPage.objects.count(),
    }


def test_seed_demo_seeds_every_part_once_and_changes_nothing_the_second_time(home_page):
    call_command("seed_demo", stdout=io.StringIO())
    _proposals_in_every_category_and_state()
    _every_assessment_state()
    _the_2025_vote_tallied_and_published()
    first = _snapshot()

    out = io.StringIO()
    call_command("seed_demo", "--address", "http://127.0.0.1:8104/", stdout=out)
    assert _snapshot() == first
    _proposals_in_every_category_and_state()
    _every_assessment_state()
    _the_2025_vote_tallied_and_published()

    # the sign-in details come last, the address at the very end
    last = out.getvalue().strip().splitlines()[-10:]
    text = "\n".join(last)
    assert DEMO_PASSWORD in last[0]
    assert "resident@demo.ciic6.ro" in text and "admin@demo.ciic6.ro" in text
    assert "Demo register CNP" in last[-3] and DEMO_TOTP_SECRET in last[-2]
    assert "http://127.0.0.1:8104/" in last[-1]
