"""Issue 16, journeys 3 and 4, on the production stack (gunicorn, PostgreSQL,
Redis, a real rqworker; tests/e2e/stack.py): voting opens on schedule, three
residents vote (a budget ballot, a changed ballot, a paper ballot at the
desk), voting closes on schedule, the results job runs on the worker, an
administrator publishes; a visitor sees the results, their charts and map,
downloads ballots.pb, and `python -m voting.tally` on it gives the published
outcome."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest

from .production_data import VOTERS
from .stack import REPO, log_in, submit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def _cast(page, proposals, chosen) -> str:  # type: ignore[no-untyped-def]
    """Tick exactly `chosen` on the ballot page, cast it; the receipt code."""
    for p in proposals:
        box = page.locator(f"input[name=choice][value='{p.pk}']")
        if p in chosen:
            box.check()
        else:
            box.uncheck()
    submit(page, "form.ballot-form [type=submit]")
    assert "/done/" in page.url, page.url
    code = page.locator("main .receipt-code").first.inner_text().strip()
    assert code
    return code


def test_vote_on_schedule_results_on_the_worker_and_the_tally_of_ballots_pb(
    browser, stack, voting_call, tmp_path
):  # type: ignore[no-untyped-def]
    from proposals.models import LOCAL_TZ, Proposal
    from voting.models import Ballot, BallotRule, Channel, Result

    call, proposals = voting_call["call"], voting_call["proposals"]
    park, library, benches, lights = proposals
    voting_day = voting_call["voting_day"]

    # Staff log in now (their second factor's codes follow the real clock).
    admin = stack.page(browser)
    log_in(admin, voting_call["admin"].email, totp=True)
    desk = stack.page(browser)
    log_in(desk, voting_call["facilitator"].email, totp=True)

    # The administrator chooses the rule: a budget ballot, counted by equal shares.
    admin.goto(f"/staff/voting/{call.slug}/")
    admin.check("input[name=kind][value=knapsack]")
    admin.check("input[name=counting_rule][value=mes]")
    admin.select_option("select[name=completion]", "add1")
    stack.shot(admin, "admin-sets-the-rule")
    submit(admin, "form:has(input[name=action][value=rule]) [type=submit]")
    rule = BallotRule.objects.get(call=call)
    assert rule.kind == "knapsack" and not rule.locked

    # The worker runs before the voting day: nothing opens early.
    stack.worker()
    assert not BallotRule.objects.get(call=call).locked

    # The voting day comes: RQ's scheduler hands the opening to the worker.
    stack.clock(dt.datetime.combine(voting_day, dt.time(8), LOCAL_TZ))
    stack.worker()
    assert BallotRule.objects.get(call=call).locked
    assert set(Proposal.objects.filter(call=call).values_list("status", flat=True)) == {
        Proposal.Status.ON_BALLOT
    }

    # Ana: a budget ballot (park and library, 700 000 of 1 000 000 lei).
    ana = stack.page(browser)
    log_in(ana, VOTERS[0])
    ana.goto(f"/vote/{call.slug}/")
    stack.shot(ana, "ana-ballot")
    receipt_ana = _cast(ana, proposals, {park, library})
    stack.shot(ana, "ana-receipt")

    # Bogdan votes, then changes his ballot.
    bogdan = stack.page(browser)
    log_in(bogdan, VOTERS[1])
    bogdan.goto(f"/vote/{call.slug}/")
    _cast(bogdan, proposals, {benches})
    bogdan.goto(f"/vote/{call.slug}/")
    assert bogdan.locator(f"input[name=choice][value='{benches.pk}']").is_checked()
    receipt_bogdan = _cast(bogdan, proposals, {park, benches, lights})
    stack.shot(bogdan, "bogdan-changed-ballot")

    # Carmen votes on paper at the desk; the facilitator records it.
    desk.goto(f"/vote/{call.slug}/desk/?email={VOTERS[2]}")
    desk.check(f"input[name=choice][value='{library.pk}']")
    desk.check(f"input[name=choice][value='{lights.pk}']")
    desk.check("input[name=identity_checked]")
    stack.shot(desk, "desk-paper-ballot")
    submit(desk, "form.ballot-form [type=submit]")
    stack.shot(desk, "desk-recorded")

    ballots = Ballot.objects.filter(call=call)
    assert ballots.count() == 3
    assert sorted(ballots.values_list("channel", flat=True)) == sorted(
        [Channel.ONLINE, Channel.ONLINE, Channel.PAPER]
    )
    assert ballots.get(voter__email=VOTERS[1]).revision == 2

    # The worker mails the receipts (the server queued them on Redis).
    stack.worker()
    for email, code in [(VOTERS[0], receipt_ana), (VOTERS[1], receipt_bogdan)]:
        codes = [m["body"] for m in stack.mail_to(email) if code in m["body"]]
        assert len(codes) == 1, stack.mail_to(email)

    # Voting closes at midnight; the close job computes the results on the worker.
    assert not Result.objects.filter(call=call).exists()
    stack.clock(dt.datetime.combine(voting_day + dt.timedelta(days=1), dt.time(0, 5), LOCAL_TZ))
    ana.goto(f"/vote/{call.slug}/")
    assert ana.locator("form.ballot-form").count() == 0  # closed
    stack.worker()
    result = Result.objects.get(call=call)
    assert result.status == Result.Status.COMPUTED and result.ballots_count == 3

    # The administrator reviews and publishes.
    admin.goto(f"/staff/voting/{call.slug}/")
    stack.shot(admin, "admin-computed-results")
    submit(admin, "form:has(input[name=action][value=publish]) [type=submit]")
    result.refresh_from_db()
    assert result.status == Result.Status.PUBLISHED
    selected_refs = set(result.units[0]["selected"])
    assert selected_refs
    assert (
        set(
            Proposal.objects.filter(call=call, status=Proposal.Status.SELECTED).values_list(
                "reference", flat=True
            )
        )
        == selected_refs
    )

    # Journey 4: a visitor sees the results, the charts and the map ...
    visitor = stack.page(browser)
    visitor.goto("/results/")
    visitor.locator(f"a[href='/results/{call.slug}/']").first.click()
    visitor.wait_for_url(f"**/results/{call.slug}/")
    visitor.wait_for_load_state("networkidle")
    for ref in selected_refs:
        assert ref in visitor.inner_text("main")
    assert visitor.locator(".chart-grid figure, .chart-grid svg, .chart-grid .chart").count() >= 1
    # the map, drawn in the page when it comes near the screen
    visitor.locator("[data-ciic-map]").scroll_into_view_if_needed()
    visitor.locator("[data-ciic-map].leaflet-container").wait_for()
    stack.shot(visitor, "visitor-results")

    # ... downloads the anonymous ballots and counts them again.
    with visitor.expect_download() as info:
        visitor.locator(f"a[href='/results/{call.slug}/ballots.pb']").click()
    pb = tmp_path / "ballots.pb"
    info.value.save_as(pb)
    text = pb.read_text(encoding="utf-8")
    assert re.search(r"^num_votes;3$", text, re.M), text[:800]
    done = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "voting.tally", "--rule", "meta", "--json", str(pb)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    outcome = json.loads(done.stdout)
    assert set(outcome["selected"]) == selected_refs, (outcome, selected_refs)
