"""Property-based tests of the tally engine on random small elections.

The MES reference below is a deliberately plain implementation of the
definition (one voter at a time, Fractions everywhere); the engine (distinct
ballots, NumPy floats, exact tie decisions) must agree with it exactly.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tally_support import project_ids

from voting.tally import Election, Profile, Project, tally
from voting.tally.mes import MesEngine, _RunState, initial_share

pytestmark = pytest.mark.own_db  # (the engine alone: no database)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw: st.DrawFn, kind: str = "approval") -> tuple[Election, list[object]]:
    n_projects = draw(st.integers(1, 6))
    # small integer costs make exact ties between projects frequent
    costs = draw(st.lists(st.integers(0, 12), min_size=n_projects, max_size=n_projects))
    ids = draw(project_ids(n_projects))
    n_voters = draw(st.integers(1, 8))
    ballots: list[object] = []
    for _ in range(n_voters):
        chosen = draw(st.lists(st.integers(0, n_projects - 1), max_size=n_projects, unique=True))
        if kind == "cumulative":
            pts = draw(st.lists(st.integers(0, 3), min_size=len(chosen), max_size=len(chosen)))
            ballots.append(dict(zip(chosen, pts, strict=True)))
        else:
            ballots.append(chosen)
    budget = draw(st.integers(0, 40))
    projects = tuple(Project(i, Fraction(c)) for i, c in zip(ids, costs, strict=True))
    profile = Profile.from_ballots(kind, n_projects, ballots)  # type: ignore[arg-type]
    return Election(projects, Fraction(budget), profile), ballots


# -- slow reference implementation ---------------------------------------------------


def reference_mes(
    election: Election, ballots: list[object], sat: str, share: Fraction | None = None
) -> list[str]:
    projects = election.projects
    n = len(ballots)
    if n == 0:
        return []
    money = [share if share is not None else election.budget / n] * n

    def utility(i: int, p: int) -> Fraction:
        ballot = ballots[i]
        if sat == "points":
            assert isinstance(ballot, dict)
            return Fraction(ballot.get(p, 0))
        listed = p in ballot  # type: ignore[operator]
        if not listed:
            return Fraction(0)
        return projects[p].cost if sat == "cost" else Fraction(1)

    chosen: list[int] = []
    candidates = []
    for p in range(len(projects)):
        total = sum(utility(i, p) for i in range(n))
        if total > 0 and projects[p].cost == 0:
            chosen.append(p)
        elif total > 0:
            candidates.append(p)
    chosen.sort(key=lambda p: projects[p].id)  # free projects first, by id

    def price(p: int) -> Fraction | None:
        backers = [i for i in range(n) if utility(i, p) > 0]
        if sum(money[i] for i in backers) < projects[p].cost:
            return None
        backers.sort(key=lambda i: money[i] / utility(i, p))
        paid = Fraction(0)
        remaining = sum(utility(i, p) for i in backers)
        for i in backers:
            rho = (projects[p].cost - paid) / remaining
            if rho * utility(i, p) <= money[i]:
                return rho
            paid += money[i]
            remaining -= utility(i, p)
        return None

    while True:
        priced = [(rho, projects[p].id, p) for p in candidates if (rho := price(p)) is not None]
        if not priced:
            return [projects[p].id for p in chosen]
        rho, _, best = min(priced)
        for i in range(n):
            money[i] -= min(money[i], rho * utility(i, best))
        chosen.append(best)
        candidates.remove(best)


def reference_add1(election: Election, ballots: list[object]) -> list[str]:
    n = len(ballots)
    share = election.budget / n
    eligible = [
        p
        for p, proj in enumerate(election.projects)
        if proj.cost > 0 and any(p in b for b in ballots)  # type: ignore[operator]
    ]
    previous: list[str] = reference_mes(election, ballots, "cost", Fraction(0))
    cost = {p.id: p.cost for p in election.projects}
    while True:
        outcome = reference_mes(election, ballots, "cost", share)
        spent = sum(cost[i] for i in outcome)
        if spent > election.budget:
            return previous
        left = election.budget - spent
        if all(
            election.projects[p].id in outcome or election.projects[p].cost > left for p in eligible
        ):
            return outcome
        previous = outcome
        share += 1


# -- properties ------------------------------------------------------------------------


@SETTINGS
@given(elections(), st.sampled_from(["cost", "cardinality"]))
def test_mes_equals_reference(data: tuple[Election, list[object]], sat: str) -> None:
    e, ballots = data
    got = tally(e, "mes", sat)  # type: ignore[arg-type]
    assert got.selection_order == reference_mes(e, ballots, sat)
    assert got.total_cost <= e.budget


@SETTINGS
@given(elections("cumulative"), st.sampled_from(["cost", "cardinality", "points"]))
def test_mes_cumulative_equals_reference(data: tuple[Election, list[object]], sat: str) -> None:
    e, ballots = data
    got = tally(e, "mes", sat)  # type: ignore[arg-type]
    assert got.selection_order == reference_mes(e, ballots, sat)


def _payments_one_by_one(
    self: _RunState,
    groups: npt.NDArray[np.int64],
    w: npt.NDArray[np.int64],
    paid_by: dict[object, int],
) -> None:
    for g, n in zip(groups.tolist(), w.tolist(), strict=True):
        money = self.exact_budget(g)
        paid_by[money] = paid_by.get(money, 0) + n


@SETTINGS
@given(
    st.sampled_from(["approval", "cumulative"]).flatmap(elections),
    st.sampled_from(["cost", "cardinality", "points"]),
)
def test_recorded_payments_equal_one_voter_at_a_time(
    data: tuple[Election, list[object]], sat: str
) -> None:
    """What drained voters paid (grouped by the purchases they paid in full) is what
    each voter's exact money, one at a time, gives."""
    e, _ = data
    if sat == "points" and e.profile.kind != "cumulative":
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    share = initial_share(e)
    got = engine.run(share).purchases
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_RunState, "_drained_money", _payments_one_by_one)
        want = engine.run(share).purchases
    assert got == want


@settings(max_examples=60, deadline=None)
@given(elections())
def test_add1_equals_reference(data: tuple[Election, list[object]]) -> None:
    e, ballots = data
    got = tally(e, "mes", "cost", "add1")
    assert sorted(got.selected_ids) == sorted(reference_add1(e, ballots))
    assert got.total_cost <= e.budget


@SETTINGS
@given(
    elections(),
    st.sampled_from(["cost", "cardinality"]),
    st.sampled_from(["none", "greedy", "add1", "add1-greedy", "add1-nostop"]),
)
def test_never_over_budget(data: tuple[Election, list[object]], sat: str, completion: str) -> None:
    e, _ = data
    for rule, comp in (("greedy", "none"), ("mes", completion)):
        out = tally(e, rule, sat, comp)  # type: ignore[arg-type]
        assert out.total_cost <= e.budget
        assert len(set(out.selected)) == len(out.selected)


@SETTINGS
@given(elections(), st.sampled_from(["cost", "cardinality"]))
def test_greedy_leaves_no_affordable_project(data: tuple[Election, list[object]], sat: str) -> None:
    e, _ = data
    for rule, comp in (("greedy", "none"), ("mes", "greedy"), ("mes", "add1-greedy")):
        out = tally(e, rule, sat, comp)  # type: ignore[arg-type]
        left = e.budget - out.total_cost
        unselected = set(range(len(e.projects))) - set(out.selected)
        assert all(e.projects[p].cost > left for p in unselected)


@SETTINGS
@given(elections(), st.sampled_from(["cost", "cardinality"]), st.randoms(use_true_random=False))
def test_outcome_does_not_depend_on_input_order(
    data: tuple[Election, list[object]], sat: str, rnd: random.Random
) -> None:
    e, ballots = data
    perm = list(range(len(e.projects)))
    rnd.shuffle(perm)  # new position -> old index
    where = {old: new for new, old in enumerate(perm)}
    shuffled_ballots = [[where[p] for p in b] for b in ballots]  # type: ignore[attr-defined]
    rnd.shuffle(shuffled_ballots)
    e2 = Election(
        tuple(e.projects[old] for old in perm),
        e.budget,
        Profile.from_ballots("approval", len(perm), shuffled_ballots),
    )
    for rule, comp in (("greedy", "none"), ("mes", "none"), ("mes", "add1-greedy")):
        a = tally(e, rule, sat, comp)  # type: ignore[arg-type]
        b = tally(e2, rule, sat, comp)  # type: ignore[arg-type]
        assert a.selection_order == b.selection_order


@settings(max_examples=80, deadline=None)
@given(elections(), st.sampled_from(["cost", "cardinality"]))
def test_live_pabutools_on_random_elections(data: tuple[Election, list[object]], sat: str) -> None:
    pytest.importorskip("pabutools")
    from pabutools.election import (
        ApprovalBallot,
        ApprovalProfile,
        Cardinality_Sat,
        Cost_Sat,
        Instance,
    )
    from pabutools.election import Project as PbProject
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    e, ballots = data
    pb_projects = [PbProject(p.id, p.cost) for p in e.projects]
    instance = Instance(pb_projects, budget_limit=e.budget)
    profile = ApprovalProfile(
        [ApprovalBallot([pb_projects[p] for p in b]) for b in ballots]  # type: ignore[attr-defined]
    )
    sat_class = Cost_Sat if sat == "cost" else Cardinality_Sat
    expected = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class)
    assert tally(e, "greedy", sat).selection_order == [p.name for p in expected]  # type: ignore[arg-type]
    expected = method_of_equal_shares(instance, profile, sat_class=sat_class)
    got = tally(e, "mes", sat)  # type: ignore[arg-type]
    # pabutools adds free projects in set-iteration order; compare them as a set
    assert got.selected_ids == sorted(p.name for p in expected)
    paid = [pid for pid in got.selection_order if e.projects[e.index_of(pid)].cost > 0]
    assert paid == [p.name for p in expected if p.cost > 0]
    if sat == "cost" and ballots:
        expected = method_of_equal_shares(
            instance, profile, sat_class=sat_class, voter_budget_increment=1
        )
        assert tally(e, "mes", sat, "add1").selected_ids == sorted(p.name for p in expected)  # type: ignore[arg-type]
