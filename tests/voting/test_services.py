"""Voting services against the database: rules, opening, casting, refusals,
results, publishing, and recomputing the published outcome from the file."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from voting_support import AFTER_CLOSE, VOTING_DAY, open_vote

from ciic.audit.models import Event
from ciic.notifications.models import OutgoingEmail
from ciic.notifications.services import email_rendered
from proposals.models import LOCAL_TZ, Proposal
from tests.factories import UserFactory
from voting import services
from voting.models import Ballot, BallotChoice, Channel, Result

S = Proposal.Status
pytestmark = pytest.mark.django_db


def cast(setup, voter, *names, **kwargs):  # type: ignore[no-untyped-def]
    choices = kwargs.pop("choices", None) or {setup["proposals"][n].pk: 1 for n in names}
    return services.ballot_cast(
        actor=kwargs.pop("actor", voter), call=setup["call"], voter=voter, choices=choices, **kwargs
    )


def refused(fn, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return " ".join(exc.value.messages)


def test_opening_puts_eligible_proposals_on_the_ballot_in_one_step(setup):  # type: ignore[no-untyped-def]
    from ciic.jobs.models import ScheduledJob
    from ciic.jobs.services import scheduled_job_run

    setup["dt"][1].preferred_language = "ro"
    setup["dt"][1].save(update_fields=["preferred_language"])
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=LOCAL_TZ), tick=False):
        services.ballot_rule_set(
            actor=setup["admin"],
            call=setup["call"],
            kind="approval",
            max_choices=2,
            counting_rule="greedy",
        )
    before = set(OutgoingEmail.objects.values_list("pk", flat=True))
    job = ScheduledJob.objects.get(key=f"voting-open:{setup['call'].pk}")
    with time_machine.travel(VOTING_DAY, tick=False):
        assert scheduled_job_run(job_id=job.pk)  # the single job
    statuses = {n: Proposal.objects.get(pk=p.pk).status for n, p in setup["proposals"].items()}
    assert statuses.pop("rejected") == S.INELIGIBLE
    assert set(statuses.values()) == {S.ON_BALLOT}
    events = Event.objects.filter(action="proposal.status_changed", after__status=S.ON_BALLOT)
    assert events.count() == 5 and all(e.public for e in events)
    assert Event.objects.filter(action="voting.opened").count() == 1
    # No status email per proposal: one email per author, naming all their proposals
    # on the ballot, in the author's language.
    assert (
        not OutgoingEmail.objects.filter(template="proposals/email/status_changed")
        .exclude(pk__in=before)
        .exists()
    )
    mails = {m.to[0]: m for m in OutgoingEmail.objects.filter(template="voting/email/on_ballot")}
    p = setup["proposals"]
    expected = {
        setup["dt"][0].email: ("en", [p["park"], p["benches"]]),
        setup["dt"][1].email: ("ro", [p["library"], p["sector"]]),
        setup["militari"][0].email: ("en", [p["militari"]]),
    }
    assert set(mails) == set(expected)
    for address, (language, proposals) in expected.items():
        mail = mails[address]
        assert mail.language == language and mail.status == "pending"
        assert all(x.reference in mail.body and x.title in mail.body for x in proposals)
        assert p["rejected"].reference not in mail.body
        assert f"/vote/{setup['call'].slug}/" in mail.body
    assert "Votul a început" in mails[setup["dt"][1].email].body
    assert "proposals are on the ballot" in mails[setup["dt"][0].email].subject
    # Idempotent: running the opening again sends nothing more.
    with time_machine.travel(VOTING_DAY, tick=False):
        services.voting_open(actor=None, call=setup["call"])
    assert OutgoingEmail.objects.filter(template="voting/email/on_ballot").count() == 3


def test_rule_is_locked_once_voting_opens(setup):  # type: ignore[no-untyped-def]
    open_vote(setup)
    with time_machine.travel(VOTING_DAY, tick=False):
        msg = refused(
            services.ballot_rule_set,
            actor=setup["admin"],
            call=setup["call"],
            kind="knapsack",
            counting_rule="greedy",
        )
    assert "can no longer change" in msg


def test_only_an_administrator_sets_the_rule(setup):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.ballot_rule_set(
            actor=setup["facilitator"],
            call=setup["call"],
            kind="approval",
            max_choices=2,
            counting_rule="greedy",
        )


def test_voting_opens_by_the_scheduled_job(setup):  # type: ignore[no-untyped-def]
    from ciic.jobs.models import ScheduledJob
    from ciic.jobs.services import scheduled_job_run

    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=LOCAL_TZ), tick=False):
        services.ballot_rule_set(
            actor=setup["admin"],
            call=setup["call"],
            kind="approval",
            max_choices=2,
            counting_rule="greedy",
        )
    job = ScheduledJob.objects.get(key=f"voting-open:{setup['call'].pk}")
    with time_machine.travel(VOTING_DAY, tick=False):
        assert scheduled_job_run(job_id=job.pk)
    setup["proposals"]["park"].refresh_from_db()
    assert setup["proposals"]["park"].status == S.ON_BALLOT
    close = ScheduledJob.objects.get(key=f"voting-close:{setup['call'].pk}")
    assert close.run_at == dt.datetime(2026, 6, 21, tzinfo=LOCAL_TZ)


def test_cast_change_and_receipt(setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    voter = setup["dt"][1]
    first = cast(setup, voter, "park", "sector", expected_revision=0)
    assert first.ballot.revision == 1 and len(first.code) == 14
    second = cast(setup, voter, "library", expected_revision=1)
    assert Ballot.objects.filter(call=setup["call"]).count() == 1
    assert second.ballot.revision == 2
    assert set(BallotChoice.objects.values_list("proposal_id", flat=True)) == {
        setup["proposals"]["library"].pk
    }
    assert second.ballot.receipt_hash == services.receipt_hash(second.code)
    mails = list(OutgoingEmail.objects.filter(template="voting/email/receipt").order_by("pk"))
    # Rendered at delivery, not by the request that cast the ballot.
    assert [m.body for m in mails] == ["", ""] and all(m.context for m in mails)
    for m in mails:
        assert email_rendered(m)
    assert [first.code in mails[0].body, second.code in mails[1].body] == [True, True]
    assert "replaces your earlier ballot" in mails[1].body
    assert "replaces your earlier ballot" not in mails[0].body
    # The audit log says a resident voted, never what or the receipt.
    for event in Event.objects.filter(action__startswith="ballot."):
        text = str(event.before) + str(event.after)
        assert "choice" not in text and second.code not in text and first.code not in text
        assert str(setup["proposals"]["library"].pk) not in str(event.after.get("proposals", ""))
        assert set(event.after) == {"channel"}


@pytest.mark.parametrize(
    ("rule", "choices", "expected"),
    [
        ({}, ["park", "library", "benches"], "at most 2"),
        (
            {"kind": "knapsack", "max_choices": None},
            ["park", "library", "benches", "sector"],
            "more than the budget",
        ),
        ({"kind": "knapsack", "min_share_spent": Decimal("50")}, ["benches"], "at least"),
        (
            {"kind": "cumulative", "points": 5, "max_points_per_project": 3},
            {"park": 3, "library": 3},
            "you have 5",
        ),
        (
            {"kind": "cumulative", "points": 5, "max_points_per_project": 3},
            {"park": 4},
            "between 1 and 3",
        ),
        ({}, ["militari"], "another planning zone"),
        ({}, ["rejected"], "not on this ballot"),
        ({}, [], "at least one project"),
    ],
)
def test_invalid_ballots_are_refused_and_change_nothing(setup, voting_day, rule, choices, expected):  # type: ignore[no-untyped-def]
    if rule.get("kind") in ("knapsack", "cumulative"):
        rule = {**rule, "max_choices": None}
    open_vote(setup, **rule)
    voter = setup["dt"][1]
    if isinstance(choices, dict):
        mapping = {setup["proposals"][n].pk: v for n, v in choices.items()}
    else:
        mapping = {setup["proposals"][n].pk: 1 for n in choices}
    msg = services.ballot_errors  # keep the service as the one source of messages
    assert msg
    with pytest.raises(ValidationError) as exc:
        services.ballot_cast(actor=voter, call=setup["call"], voter=voter, choices=mapping)
    assert expected in " ".join(exc.value.messages)
    assert not Ballot.objects.exists()
    assert not OutgoingEmail.objects.filter(template="voting/email/receipt").exists()


def test_a_proposal_of_another_call_is_refused(setup, voting_day):  # type: ignore[no-untyped-def]
    from proposals.services import call_create
    from tests.proposals.conftest import call_kwargs

    open_vote(setup)
    other = call_create(actor=None, **call_kwargs(slug="alt", name="Alt"))
    stranger = Proposal.objects.create(
        call=other, author=setup["author"], title="x", summary="y", category="mediu"
    )
    voter = setup["dt"][1]
    msg = refused(cast, setup, voter, choices={stranger.pk: 1})
    assert "not on this ballot" in msg


def test_militari_resident_votes_on_their_zone_and_the_sector(setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    voter = setup["militari"][1]
    cast(setup, voter, "militari", "sector")
    # Drumul Taberei has no zone budget: its proposals are in the sector-wide budget.
    cast(setup, voter, "militari", "park", expected_revision=1)
    from voting.selectors import residence_zone_id, voter_units

    assert [u.key for u in voter_units(setup["call"], residence_zone_id(voter))] == [
        "sector",
        "militari-pacii",
    ]


def test_the_zone_is_the_one_on_the_profile_at_each_cast(setup, voting_day):  # type: ignore[no-untyped-def]
    """A resident who moved votes in their new zone at once, although the
    ballot's projects are read once per process."""
    from ciic.eligibility.models import ResidentProfile

    def zone_of(user):  # type: ignore[no-untyped-def]
        return ResidentProfile.objects.get(user=user).residence_zone_id

    open_vote(setup)
    voter, elsewhere = setup["militari"][1], setup["dt"][1]
    first = cast(setup, voter, "militari", "sector")
    assert first.ballot.zone_id == zone_of(voter) != zone_of(elsewhere)
    ResidentProfile.objects.filter(user=voter).update(residence_zone_id=zone_of(elsewhere))
    assert "another planning zone" in refused(cast, setup, voter, "militari", expected_revision=1)
    moved = cast(setup, voter, "park", "sector", expected_revision=1)
    assert moved.ballot.zone_id == zone_of(elsewhere)


def test_a_change_of_a_ballot_that_is_not_there_is_refused_as_stale(setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    assert "changed in the meantime" in refused(
        cast, setup, setup["dt"][1], "park", expected_revision=1
    )
    assert not Ballot.objects.exists()


def test_an_invalid_first_ballot_leaves_nothing(setup, voting_day):  # type: ignore[no-untyped-def]
    """The first ballot is inserted before it is checked; a refusal rolls it back."""
    open_vote(setup)
    msg = refused(cast, setup, setup["dt"][1], "park", "library", "benches", expected_revision=0)
    assert "at most 2" in msg
    assert not Ballot.objects.exists() and not BallotChoice.objects.exists()
    cast(setup, setup["dt"][1], "park", expected_revision=0)
    assert Ballot.objects.get().revision == 1


def test_after_the_close_ballots_are_refused(setup):  # type: ignore[no-untyped-def]
    open_vote(setup)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        assert "closed" in refused(cast, setup, setup["dt"][1], "park")
    with time_machine.travel(dt.datetime(2026, 6, 20, 23, 59, 59, tzinfo=LOCAL_TZ), tick=False):
        cast(setup, setup["dt"][1], "park")


def test_ineligible_and_unverified_users_are_refused(setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    stranger = UserFactory()
    assert "not been verified" in refused(cast, setup, stranger, "park")


def test_a_replayed_form_is_refused(setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    voter = setup["dt"][1]
    cast(setup, voter, "park", expected_revision=0)
    cast(setup, voter, "library", expected_revision=1)
    # The first request sent again: refused, the latest ballot stays.
    assert "changed in the meantime" in refused(cast, setup, voter, "park", expected_revision=0)
    ballot = Ballot.objects.get()
    assert list(ballot.choices.values_list("proposal_id", flat=True)) == [
        setup["proposals"]["library"].pk
    ]


def test_nobody_casts_for_someone_else_online(setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    with pytest.raises(PermissionDenied):
        cast(setup, setup["dt"][1], "park", actor=setup["dt"][2])


def test_paper_and_online_share_one_ballot(setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    online, paper = setup["dt"][1], setup["dt"][2]
    cast(setup, online, "park")
    msg = refused(cast, setup, online, "library", actor=setup["facilitator"], channel=Channel.PAPER)
    assert "already voted (online)" in msg
    cast(setup, paper, "library", actor=setup["facilitator"], channel=Channel.PAPER)
    assert "on paper" in refused(cast, setup, paper, "park")
    assert Ballot.objects.get(voter=paper).channel == Channel.PAPER
    with pytest.raises(PermissionDenied):
        cast(setup, setup["dt"][0], "park", actor=setup["dt"][1], channel=Channel.PAPER)


def _vote_and_close(setup, **rule):  # type: ignore[no-untyped-def]
    # MES without completion: "add one" on five voters and a million lei takes
    # thousands of rounds (one per leu of share); the engine's own tests cover it.
    open_vote(setup, **({"completion": "none"} | rule))
    with time_machine.travel(VOTING_DAY, tick=False):
        cast(setup, setup["dt"][0], "park", "sector")
        cast(setup, setup["dt"][1], "park", "library")
        cast(setup, setup["dt"][2], "benches", "library")
        cast(setup, setup["militari"][0], "militari", "sector")
        cast(setup, setup["militari"][1], "militari", "park")
    from ciic.jobs.models import ScheduledJob
    from ciic.jobs.services import scheduled_job_run

    job = ScheduledJob.objects.get(key=f"voting-close:{setup['call'].pk}")
    with time_machine.travel(AFTER_CLOSE, tick=False):
        assert scheduled_job_run(job_id=job.pk)
    return Result.objects.get(call=setup["call"])


def test_close_job_computes_and_admin_publishes(setup):  # type: ignore[no-untyped-def]
    result = _vote_and_close(setup)
    assert result.status == Result.Status.COMPUTED and result.ballots_count == 5
    sector = result.unit("sector")
    votes = {p["reference"]: p["votes"] for p in sector["projects"]}
    ref = {n: p.reference for n, p in setup["proposals"].items()}
    assert votes[ref["park"]] == 3 and votes[ref["library"]] == 2 and votes[ref["sector"]] == 2
    assert sector["voters"] == 5 and result.unit("militari-pacii")["voters"] == 2
    # Nothing changes for the public until an administrator publishes.
    setup["proposals"]["park"].refresh_from_db()
    assert setup["proposals"]["park"].status == S.ON_BALLOT
    with time_machine.travel(AFTER_CLOSE, tick=False):
        services.results_publish(actor=setup["admin"], call=setup["call"])
    winners = {p["reference"] for u in result.units for p in u["projects"] if p["selected"]}
    moved = list(Proposal.objects.filter(call=setup["call"]).exclude(status=S.INELIGIBLE))
    for p in moved:
        assert p.status == (S.SELECTED if p.reference in winners else S.NOT_SELECTED)
    assert winners and Result.objects.get().is_published
    assert {p.status for p in moved} == {S.SELECTED, S.NOT_SELECTED}
    # Each author gets one email about all their proposals: selected or not, with votes.
    mails = OutgoingEmail.objects.filter(template="voting/email/results")
    assert sorted(m.to[0] for m in mails) == sorted(
        u.email for u in (setup["dt"][0], setup["dt"][1], setup["militari"][0])
    )
    for p in moved:
        body = mails.get(to=[p.author.email]).body
        head, _sep, tail = body.partition("Not selected:")
        assert p.reference in (head if p.status == S.SELECTED else tail), (p.reference, body)
        assert f"/results/{setup['call'].slug}/" in body
    # Publishing again sends nothing more.
    with time_machine.travel(AFTER_CLOSE, tick=False):
        services.results_publish(actor=setup["admin"], call=setup["call"])
    assert mails.count() == 3


def test_published_file_recomputes_to_the_published_outcome(setup):  # type: ignore[no-untyped-def]
    from voting.tally import parse_pabulib_text, tally

    result = _vote_and_close(setup)
    rule = setup["call"].ballot_rule
    for unit in result.units:
        election = parse_pabulib_text(unit["pb"])
        assert election.meta["rule"] == "equalshares"
        assert "voter" not in unit["pb"].split("VOTES")[1].split("\n")[1].replace("voter_id", "")
        outcome = tally(election, rule="mes", sat="cost", completion="none")
        assert outcome.selected_ids == sorted(unit["selected"])
        marked = election.project_extra["selected"]
        assert [p.id for p, s in zip(election.projects, marked, strict=True) if s == "1"] == sorted(
            unit["selected"]
        )
        assert rule.pabulib_rule == election.meta["rule"]


def test_greedy_result_recomputes_from_the_file(setup):  # type: ignore[no-untyped-def]
    from voting.tally import parse_pabulib_text, tally

    result = _vote_and_close(setup, counting_rule="greedy")
    for unit in result.units:
        election = parse_pabulib_text(unit["pb"])
        assert election.meta["rule"] == "greedy"
        assert tally(election, rule="greedy", sat="cost").selected_ids == sorted(unit["selected"])


def test_pabutools_agrees_with_the_published_outcome(setup, tmp_path):  # type: ignore[no-untyped-def]
    pabutools = pytest.importorskip("pabutools")
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import method_of_equal_shares

    del pabutools
    result = _vote_and_close(setup)
    for unit in result.units:
        path = tmp_path / f"{unit['key']}.pb"
        path.write_text(unit["pb"], encoding="utf-8")
        instance, profile = parse_pabulib(str(path))
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
        assert sorted(p.name for p in outcome) == sorted(unit["selected"])


def test_account_deletion_keeps_the_ballot_anonymous(setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    voter = setup["dt"][1]
    cast(setup, voter, "park")
    assert services.personal_data_export(voter)[0]["channel"] == "online"
    services.personal_data_erase(voter)
    assert Ballot.objects.get().voter_id is None


def test_a_deleted_voters_identity_is_kept_until_the_results_and_blocks_a_second_vote(
    setup, voting_day
):  # type: ignore[no-untyped-def]
    from ciic.accounts.services import account_delete
    from ciic.eligibility.models import RetainedIdentity, Verification
    from ciic.eligibility.personal_data import identity_retained
    from tests.proposals.conftest import make_resident

    open_vote(setup)
    voter = setup["dt"][1]
    cnp_hash = Verification.objects.filter(user=voter).values_list("cnp_hash", flat=True).first()
    cast(setup, voter, "park", expected_revision=0)
    assert services.identity_hold(voter) == setup["call"].results_date
    account_delete(actor=voter, user=voter)
    # The ballot stays counted, with no link to anyone; the hash is kept apart.
    assert Ballot.objects.filter(call=setup["call"], voter__isnull=True).count() == 1
    kept = RetainedIdentity.objects.get(cnp_hash=cnp_hash)
    assert kept.keep_until == setup["call"].results_date and identity_retained(cnp_hash)
    # The same person (same CNP) verified on a new account cannot vote again.
    again = make_resident(zone=voter_zone(setup))
    Verification.objects.filter(user=again).update(cnp_hash=cnp_hash)
    msg = refused(
        services.ballot_cast,
        actor=again,
        call=setup["call"],
        voter=again,
        choices={setup["proposals"]["park"].pk: 1},
    )
    assert "already voted in this call from another account" in msg
    assert Ballot.objects.filter(call=setup["call"]).count() == 1


def test_no_identity_is_kept_for_a_call_with_published_results(setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    voter = setup["dt"][1]
    cast(setup, voter, "park", expected_revision=0)
    Result.objects.create(
        call=setup["call"], status=Result.Status.PUBLISHED, computed_at=dt.datetime.now(dt.UTC)
    )
    assert services.identity_hold(voter) is None


def voter_zone(setup):  # type: ignore[no-untyped-def]
    return setup["dt"][1].resident_profile.residence_zone
