"""The fast add-one completion against the stepwise reference (one MES run per step).

Same outcome, same selection order, same final share and same number of steps,
for ``add1``, ``add1-greedy`` and ``add1-nostop``.
"""

from __future__ import annotations

import math
import os
import random
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tally_support import pb_files, project_ids, require_shared

from voting.tally import Election, Profile, Project, read_pabulib, tally
from voting.tally.mes import (
    MesEngine,
    MesRun,
    _Point,
    _Replay,
    initial_share,
    mes_add1,
    mes_add1_stepwise,
)

pytestmark = pytest.mark.own_db  # (the engine alone: no database)

FULL = os.environ.get("TALLY_FULL") == "1"
VARIANTS = ("add1", "add1-greedy", "add1-nostop")


def assert_same(e: Election, sat: str, completion: str) -> None:
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    fast = tally(e, "mes", sat, completion, engine=engine)  # type: ignore[arg-type]
    slow = tally(e, "mes", sat, f"{completion}-stepwise", engine=engine)  # type: ignore[arg-type]
    assert fast.selection_order == slow.selection_order
    assert fast.budget_per_voter == slow.budget_per_voter
    assert fast.add1_runs == slow.add1_runs
    assert fast.mes_run is not None and slow.mes_run is not None
    assert fast.mes_run.purchases == slow.mes_run.purchases


@st.composite
def elections(draw: st.DrawFn) -> Election:
    """Costs large against the currency unit (many steps), often equal (ties)."""
    n_projects = draw(st.integers(1, 7))
    unit = draw(st.sampled_from([1, 5, 25]))
    costs = draw(
        st.lists(
            st.integers(0, 60).map(lambda c: c * unit), min_size=n_projects, max_size=n_projects
        )
    )
    ids = draw(project_ids(n_projects))
    n_voters = draw(st.integers(1, 12))
    ballots = [
        draw(st.lists(st.integers(0, n_projects - 1), max_size=n_projects, unique=True))
        for _ in range(n_voters)
    ]
    budget = draw(st.integers(0, 150)) * unit
    projects = tuple(Project(i, Fraction(c)) for i, c in zip(ids, costs, strict=True))
    return Election(
        projects, Fraction(budget), Profile.from_ballots("approval", n_projects, ballots)
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.sampled_from(["cost", "cardinality"]), st.sampled_from(VARIANTS))
def test_fast_add1_equals_stepwise(e: Election, sat: str, completion: str) -> None:
    assert_same(e, sat, completion)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    elections(),
    st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(1, 100)]),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 40)),
)
def test_fast_add1_small_units_and_caps(
    e: Election, step: Fraction, exhaustive_stop: bool, max_rounds: int | None
) -> None:
    engine = MesEngine(e, "cost")
    kwargs = {"exhaustive_stop": exhaustive_stop, "step": step, "max_rounds": max_rounds}
    fast, fast_steps = mes_add1(e, "cost", engine=engine, **kwargs)  # type: ignore[arg-type]
    slow, slow_steps = mes_add1_stepwise(e, "cost", engine=engine, **kwargs)  # type: ignore[arg-type]
    assert (fast.selected, fast.budget_per_voter, fast_steps) == (
        slow.selected,
        slow.budget_per_voter,
        slow_steps,
    )


@st.composite
def cumulative_elections(draw: st.DrawFn) -> Election:
    """Cumulative ballots (points satisfaction: each supporter's share differs)."""
    n_projects = draw(st.integers(1, 6))
    unit = draw(st.sampled_from([1, 5, 25]))
    costs = draw(
        st.lists(
            st.integers(0, 60).map(lambda c: c * unit), min_size=n_projects, max_size=n_projects
        )
    )
    ids = draw(project_ids(n_projects))
    ballots = [
        draw(st.dictionaries(st.integers(0, n_projects - 1), st.integers(0, 4), max_size=4))
        for _ in range(draw(st.integers(1, 12)))
    ]
    budget = draw(st.integers(0, 150)) * unit
    projects = tuple(Project(i, Fraction(c)) for i, c in zip(ids, costs, strict=True))
    return Election(
        projects, Fraction(budget), Profile.from_ballots("cumulative", n_projects, ballots)
    )


def has_points(e: Election) -> bool:
    return e.profile.points is not None and bool(e.profile.points.any())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality"]),
    st.sampled_from(("none", *VARIANTS, "add1-stepwise", "add1-nostop-stepwise")),
)
def test_an_unrecorded_tally_has_the_recorded_outcome(
    e: Election, sat: str, completion: str
) -> None:
    # (what the command line computes without --explain: no recorded rerun of the
    # last add-one run)
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    recorded = tally(e, "mes", sat, completion, engine=engine)  # type: ignore[arg-type]
    plain = tally(e, "mes", sat, completion, engine=engine, record=False)  # type: ignore[arg-type]
    assert plain.selection_order == recorded.selection_order
    assert plain.budget_per_voter == recorded.budget_per_voter
    assert plain.add1_runs == recorded.add1_runs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cumulative_elections(),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.sampled_from(VARIANTS),
)
def test_fast_add1_equals_stepwise_with_points(e: Election, sat: str, completion: str) -> None:
    if sat == "points" and not has_points(e):
        sat = "cost"
    assert_same(e, sat, completion)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.integers(0, 40),
    st.integers(1, 60),
    st.integers(1, 9),
)
def test_a_certified_run_holds_at_every_share_in_between(
    e: Election, sat: str, start: int, span: int, parts: int
) -> None:
    """What the skipping rests on: when a run following another is certified
    (by the one-ended or the two-ended check), every share in between, grid
    point or not, gives the same outcome."""
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    low = initial_share(e) + start
    high = low + span
    first = engine.run(low, record=False)
    trial = engine.run(high, record=False, follow=first)
    assert trial.selected == engine.run(high, record=False).selected  # always the true run
    if not trial.certified:
        return
    for i in range(1, 4 * parts):
        share = low + Fraction(span * i, 4 * parts)
        assert engine.run(share, record=False).selected == first.selected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.integers(0, 40),
    st.integers(2, 40),
    st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(5, 2)]),
)
def test_a_run_certified_on_a_grid_holds_at_every_step_in_between(
    e: Election, sat: str, start: int, steps: int, grid: Fraction
) -> None:
    """With ``grid`` (the piecewise check may cut the interval at grid shares), a
    certified run gives the followed run's outcome at every grid share in between."""
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    low = initial_share(e) + start
    first = engine.run(low, record=False)
    trial = engine.run(low + steps * grid, record=False, follow=first, grid=grid)
    assert trial.selected == engine.run(low + steps * grid, record=False).selected
    if not trial.certified:
        return
    for i in range(1, steps):
        assert engine.run(low + i * grid, record=False).selected == first.selected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.integers(0, 40),
    st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(5, 2)]),
    st.integers(2, 6),
)
def test_a_try_one_step_of_the_grid_ahead_compares_the_outcomes(
    e: Election, sat: str, start: int, grid: Fraction, ahead: int
) -> None:
    """A try one grid step above the followed run (no grid share in between) is run
    plainly after its trusted rounds: certified exactly when its winners are the
    followed run's, round by round, and otherwise failed at the first round whose
    winner differs (or at the round after the followed run's last purchase)."""
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    low = initial_share(e) + start
    first = engine.run(low, record=False)
    # rounds trusted from a failed try further ahead, as the completion passes them
    further = engine.run(low + ahead * grid, record=False, follow=first, grid=grid)
    trusted = 0 if further.certified else further.failed_round - 1
    for trust in {0, trusted}:
        trial = engine.run(low + grid, record=False, follow=first, grid=grid, trusted=trust)
        plain = engine.run(low + grid, record=False)
        assert (trial.selected, trial.rhos) == (plain.selected, plain.rhos)
        assert trial.certified == (trial.selected == first.selected)
        if not trial.certified:
            same = 0
            while (
                same < min(len(trial.bought), len(first.bought))
                and trial.bought[same] == first.bought[same]
            ):
                same += 1
            assert trial.failed_round == same + 1


def changing_election(seed: int) -> Election:
    """Many projects of similar cost and support: the outcome changes often as the
    share grows."""
    rnd = random.Random(seed)
    n_projects, n_voters = 24, 60
    projects = tuple(Project(str(i), Fraction(rnd.randint(80, 400))) for i in range(n_projects))
    ballots = [rnd.sample(range(n_projects), rnd.randint(1, 6)) for _ in range(n_voters)]
    budget = Fraction(sum(int(p.cost) for p in projects) // 3)
    return Election(projects, budget, Profile.from_ballots("approval", n_projects, ballots))


@pytest.mark.parametrize("seed", range(6))
def test_fast_add1_when_the_outcome_changes_many_times(seed: int) -> None:
    e = changing_election(seed)
    engine = MesEngine(e, "cost")
    # the election really is one where the outcome keeps changing along the way
    slow, steps = mes_add1_stepwise(e, "cost", engine=engine, exhaustive_stop=False)
    share = initial_share(e)
    outcomes = {engine.run(share + k, record=False).selected for k in range(steps)}
    assert len(outcomes) >= 5
    stats: dict[str, int] = {}
    fast, fast_steps = mes_add1(e, "cost", engine=engine, exhaustive_stop=False, stats=stats)
    assert (fast.selected, fast.budget_per_voter, fast_steps) == (
        slow.selected,
        slow.budget_per_voter,
        steps,
    )
    for completion in VARIANTS:
        assert_same(e, "cost", completion)


def test_the_two_ended_check_certifies_and_holds_in_between() -> None:
    """Runs certified only thanks to the two-ended check (the rival's price bound and
    the winner's price compared at both shares) give the same outcome at every
    share in between; and the check is really used on these elections."""
    used = 0
    for seed in range(4):
        e = changing_election(seed)
        engine = MesEngine(e, "cost")
        share = initial_share(e)
        for k in range(0, 60, 3):
            first = engine.run(share + k, record=False)
            for span in (1, 2, 5, 11):
                trial = engine.run(share + k + span, record=False, follow=first)
                if not trial.two_ended:
                    continue
                used += 1
                for i in range(1, 2 * span):
                    middle = engine.run(share + k + Fraction(i, 2), record=False)
                    assert middle.selected == first.selected
    assert used >= 3


def test_the_piecewise_check_certifies_and_holds_at_every_step_in_between() -> None:
    """Runs certified with the piecewise check (a rival that fails both checks over
    the whole interval, checked over pieces of it with replayed shares in between)
    give the same outcome at every add-one step in between; and the check is
    really used on these elections."""
    used = 0
    for seed in range(6):
        e = changing_election(seed)
        engine = MesEngine(e, "cost")
        share = initial_share(e)
        for k in range(0, 60, 3):
            first = engine.run(share + k, record=False)
            for span in (2, 5, 11, 23):
                trial = engine.run(share + k + span, record=False, follow=first, grid=1)
                assert trial.selected == engine.run(share + k + span, record=False).selected
                plain = engine.run(share + k + span, record=False, follow=first)
                assert trial.certified or not plain.certified  # never weaker
                if not trial.certified:
                    continue
                for i in range(1, span):
                    middle = engine.run(share + k + i, record=False)
                    assert middle.selected == first.selected
                if trial.pieces and not plain.certified:
                    used += 1
    assert used >= 3


def test_a_failed_try_locates_a_step_where_the_outcome_changes() -> None:
    """A try that fails in the piecewise check names a step in between where the
    rival beats the winner (``change_at``, where the completion aims next): the
    outcome there differs from the followed run's, and the step before it, in
    the round that failed, still goes to the followed run's winner; it is found
    on these elections, mostly with that step."""
    found = first = 0
    for seed in range(6):
        e = changing_election(seed)
        engine = MesEngine(e, "cost")
        share = initial_share(e)
        for k in range(0, 60, 3):
            low = engine.run(share + k, record=False)
            for span in (5, 11, 23):
                trial = engine.run(share + k + span, record=False, follow=low, grid=1)
                if trial.change_at is None:
                    continue
                found += 1
                assert share + k < trial.change_at <= share + k + span
                assert (trial.change_at - share).denominator == 1  # (on the grid)
                there = engine.run(trial.change_at, record=False)
                assert there.selected != low.selected
                r = trial.failed_round - 1
                assert there.bought[:r] == low.bought[:r] and there.bought[r] != low.bought[r]
                before = engine.run(trial.change_at - 1, record=False)
                first += before.bought[: r + 1] == low.bought[: r + 1]
    assert found >= 10 and first >= found * 3 // 4


def test_fast_add1_skips_steps() -> None:
    require_shared()
    e = read_pabulib(require_shared() / "Netherlands_Assen_2024.pb")
    out = tally(e, "mes", "cost", "add1")
    assert out.add1_runs == 845
    assert out.add1_evaluations < out.add1_runs / 3


def test_fast_add1_stays_plain_where_the_outcome_changes_often() -> None:
    # Warszawa 2026's outcome changes every few steps: the first plain runs (in
    # floats, 8 steps at once) see it change, and plain runs then go on, with no
    # exact run and try made only to find a change the plain runs made already
    # show (7 such exact runs before, besides the final recorded one)
    e = read_pabulib(require_shared() / "Poland_Warszawa_2026.pb")
    engine = MesEngine(e, "cost")
    exact = []
    run = engine.run

    def counted(*args: Any, **kwargs: Any) -> MesRun:
        exact.append(args)
        return run(*args, **kwargs)

    engine.run = counted  # type: ignore[method-assign]
    out = tally(e, "mes", "cost", "add1", engine=engine)
    assert out.add1_runs == 186
    assert len(exact) <= 2


# Stepwise takes long (minutes) on the files with a small currency unit against the
# share (the Budapest files, Warszawa): those run with TALLY_FULL=1.
QUICK = {
    "Poland_Swiecie_2023.pb",
    "Netherlands_Assen_2024.pb",
    "Poland_Gdynia_2020_Babie_Doly__small.pb",
    "Switzerland_Zurich_SN.pb",
}


# Stepwise needs many minutes to hours here (see BENCHMARKS.md): compared only with
# TALLY_HUGE=1, outside CI's time budget.
HUGE = {
    "France_Toulouse_2022.pb",
    "France_Toulouse_2024.pb",
    "Hungary_Budapest_2024.pb",
    "Hungary_Budapest_2025_XI_Ujbuda.pb",
    "Poland_Warszawa_2023_Mokotow.pb",
    "Poland_Warszawa_2026.pb",
}


@pytest.mark.parametrize("completion", ["add1", "add1-nostop"])
@pytest.mark.parametrize("name", pb_files())
def test_fast_add1_equals_stepwise_on_shared_files(name: str, completion: str) -> None:
    if name not in QUICK and not FULL:
        pytest.skip("stepwise add-one is slow on this file; set TALLY_FULL=1 to run")
    if name in HUGE and os.environ.get("TALLY_HUGE") != "1":
        pytest.skip("stepwise add-one takes hours on this file; set TALLY_HUGE=1 to run")
    shared = require_shared()
    e = read_pabulib(shared / name)
    assert_same(e, "cost", completion)


# With TALLY_FULL=1 but not TALLY_HUGE=1, the huge files are still compared with the
# stepwise reference over their first steps (both capped at the same number of steps:
# the capped completion returns the last outcome within budget, as documented).
PREFIX_STEPS = 400


@pytest.mark.parametrize("exhaustive_stop", [True, False])
@pytest.mark.parametrize("name", sorted(HUGE))
def test_fast_add1_equals_stepwise_over_the_first_steps_of_huge_files(
    name: str, exhaustive_stop: bool
) -> None:
    if not FULL:
        pytest.skip("set TALLY_FULL=1 to run")
    e = read_pabulib(require_shared() / name)
    engine = MesEngine(e, "cost")
    kwargs = {"exhaustive_stop": exhaustive_stop, "max_rounds": PREFIX_STEPS}
    fast, fast_steps = mes_add1(e, "cost", engine=engine, **kwargs)  # type: ignore[arg-type]
    slow, slow_steps = mes_add1_stepwise(e, "cost", engine=engine, **kwargs)  # type: ignore[arg-type]
    assert fast_steps == slow_steps
    assert fast.budget_per_voter == slow.budget_per_voter
    assert fast.selected == slow.selected
    assert fast.purchases == slow.purchases


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.integers(0, 40),
    st.integers(1, 12),
    st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(5, 2)]),
    st.sampled_from([0.5, 0.9, 1.0, 1.1, 2.0]),
)
def test_the_slope_check_holds_at_every_step_in_between(
    e: Election, sat: str, start: int, steps: int, grid: Fraction, skew: float
) -> None:
    """What the slope check (``MesEngine._slope_check``) rests on: while every share
    from x to y makes the same purchases, a rival it clears loses to the winner at
    every share in between, whatever set of the rival's supporters it is given
    (``skew`` moves the price that picks them)."""
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    x = initial_share(e) + start
    shares = [x + i * grid for i in range(steps + 1)]
    runs = [engine.run(s, record=False) for s in shares]
    # rounds with the same winner at every share: the check's premise
    common = 0
    while all(len(r.bought) > common for r in runs) and (
        len({r.bought[common] for r in runs}) == 1
    ):
        common += 1
    forced = list(zip(runs[0].bought, runs[0].rhos, strict=True))
    reps = [_Replay(engine, s) for s in shares]
    low, high = reps[0], reps[-1]
    bought: set[int] = set()
    for rnd in range(min(common + 1, len(forced))):
        for rep in reps:
            assert rep.advance(rnd, forced)
        winner = forced[rnd][0]
        w_low = low.price(winner)
        assert w_low is not None
        for p in engine.eligible:
            if p == winner or p in bought:
                continue
            rival = high.price(p)
            price_f = (float(rival) if rival is not None else engine.lower0[p]) * skew
            if not engine._slope_check(high.state, low.state, p, price_f, winner, w_low):
                continue
            for rep in reps:
                w_price, r_price = rep.price(winner), rep.price(p)
                assert w_price is not None
                assert (
                    r_price is None
                    or r_price > w_price
                    or (r_price == w_price and engine.ids[winner] < engine.ids[p])
                )
        bought.add(winner)


def crowded_election(seed: int) -> Election:
    """Many voters with overlapping ballots: purchases drain a few more or fewer
    voters from one step to the next (so the affine two-ended check rarely applies)."""
    rnd = random.Random(seed)
    n_projects, n_voters = 16, 400
    projects = tuple(
        Project(str(i), Fraction(rnd.randint(40, 160) * 100)) for i in range(n_projects)
    )
    ballots = [rnd.sample(range(n_projects), rnd.randint(1, 5)) for _ in range(n_voters)]
    budget = Fraction(sum(int(p.cost) for p in projects) // 3)
    return Election(projects, budget, Profile.from_ballots("approval", n_projects, ballots))


def test_fast_add1_with_the_slope_check_equals_stepwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Elections where the slope check certifies rivals the affine check cannot:
    the fast completion still matches the stepwise reference, and the check is used."""
    used = 0
    slope_check = MesEngine._slope_check

    def counting(self: MesEngine, *args: object) -> bool:
        nonlocal used
        ok = slope_check(self, *args)  # type: ignore[arg-type]
        used += ok
        return ok

    monkeypatch.setattr(MesEngine, "_slope_check", counting)
    for seed in range(3):
        e = crowded_election(seed)
        for completion in VARIANTS:
            assert_same(e, "cost", completion)
    assert used >= 3


def test_predict_extrapolates_the_first_closing_gap() -> None:
    """Where the completion aims after a certified try: the last step before the
    first meeting of a rival's price with the winner's, each along its line."""
    from voting.tally.mes import MesRun, _predict

    def run(share: int, seen: tuple[dict[int, float], ...]) -> MesRun:
        return MesRun(Fraction(share), (0, 1), (), frozenset({0, 1, 2}), (1, 1), seen=seen)

    # round 1: winner 0 at 10 throughout, rival 2 from 14 to 12 over 4 steps (meets
    # it 4 steps further); round 2: winner 1, rival 2's gap steady
    a = run(100, ({0: 10.0, 2: 14.0}, {1: 20.0, 2: 25.0}))
    b = run(104, ({0: 10.0, 2: 12.0}, {1: 19.0, 2: 24.0}))
    assert _predict(a, b, Fraction(1)) == 4
    assert _predict(a, b, Fraction(1, 2)) == 8
    assert _predict(b, b, Fraction(1)) is None  # no distance: nothing to extrapolate
    # no gap closing: no guess
    c = run(104, ({0: 10.0, 2: 15.0}, {1: 19.0, 2: 24.0}))
    assert _predict(a, c, Fraction(1)) is None


def test_predict_bends_the_line_by_the_slope_at_the_last_run() -> None:
    """With the slopes of the prices at the later run, the gap is extrapolated along
    the parabola through both values with that slope: later than the line when the
    gap closes ever more slowly (convex), earlier when ever faster."""
    from voting.tally.mes import MesRun, _predict

    def run(share: int, seen: dict[int, float], slopes: dict[int, float]) -> MesRun:
        return MesRun(
            Fraction(share),
            (0,),
            (),
            frozenset({0, 2}),
            (1,),
            seen=(seen,),
            slopes=({p: (seen[p], s) for p, s in slopes.items()},),
        )

    # winner 0 at 10 throughout; rival 2 from 14 to 12 over 4 steps: the line meets
    # the winner 4 steps on
    a = run(100, {0: 10.0, 2: 14.0}, {0: 0.0, 2: -0.5})
    line = run(104, {0: 10.0, 2: 12.0}, {0: 0.0, 2: -0.5})
    assert _predict(a, line, Fraction(1)) == 4
    # falling at 7/16 a step at 104: 2 - 7t/16 + t^2/64 meets 0 at t = 5.75 or so
    slower = run(104, {0: 10.0, 2: 12.0}, {0: 0.0, 2: -7 / 16})
    assert _predict(a, slower, Fraction(1)) == 5
    assert _predict(a, slower, Fraction(1, 2)) == 11  # (the same in half steps)
    # falling at 3/4 a step: 2 - 3t/4 - t^2/16 meets 0 at t = 2.25 or so
    faster = run(104, {0: 10.0, 2: 12.0}, {0: 0.0, 2: -0.75})
    assert _predict(a, faster, Fraction(1)) == 2
    # falling at 1/4 a step: the parabola turns back up before meeting the winner
    assert _predict(a, run(104, {0: 10.0, 2: 12.0}, {0: 0.0, 2: -0.25}), Fraction(1)) is None


def test_first_root() -> None:
    """The first positive zero of ``g + d t + k t^2 / 2``."""
    from voting.tally.mes import _first_root

    assert _first_root(1.0, -1.0, 0.0) == 1.0
    assert _first_root(1.0, -1.0, 0.5) == pytest.approx(2.0)  # (1 - t/2)^2
    assert _first_root(1.0, -1.0, -0.5) == pytest.approx(8**0.5 - 2)
    assert _first_root(1.0, 1.0, -2.0) == pytest.approx((1 + 5**0.5) / 2)  # rises first
    assert _first_root(1.0, -1.0, 3.0) == math.inf  # turns back up first
    assert _first_root(1.0, 1.0, 1.0) == math.inf
    assert _first_root(1.0, 0.0, 0.0) == math.inf
    assert _first_root(0.0, 1.0, 1.0) == 0.0  # (already met)


def check_jump(e: Election, sat: str, x: Fraction, y: Fraction, s: Fraction) -> int:
    """A replay at ``s`` started by :meth:`_Replay.jump` from replays at ``x`` and
    ``y`` (the run at ``x``'s purchases) is the plain replay at ``s``: the same exact
    prices, drained voters and prices after, float budgets within their bound.
    Returns the number of purchases jumped."""
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    first = engine.run(x, record=False)
    forced = list(zip(first.bought, first.rhos, strict=True))
    ends = [_Replay(engine, x, followed=True), _Replay(engine, y)]
    rounds = len(forced)
    for rep in ends:
        while len(rep.drained) < rounds and rep.advance(len(rep.drained) + 1, forced):
            pass
        rounds = min(rounds, len(rep.drained))
    lo, hi = (_Point(r.state.b0, r.state, r.drained, Fraction(0), None) for r in ends)
    jumped, plain = _Replay(engine, s), _Replay(engine, s)
    jumped.jump(lo, hi, rounds)
    n = len(jumped.drained)
    assert n <= rounds
    assert plain.advance(n, forced)
    for a, b in ((jumped, plain), (plain, jumped)):
        assert a.state.rho == b.state.rho
        assert a.state.bought == b.state.bought
        assert a.state.n_empty == b.state.n_empty
        assert (a.state.empty == b.state.empty).all()
        assert all((u == v).all() for u, v in zip(a.drained, b.drained, strict=True))
        assert a.state.err == b.state.err
    err = jumped.state.err
    for g in range(engine.n_groups):
        exact = plain.state.exact_budget(g)
        assert abs(jumped.state.budget[g] - float(exact)) <= err + abs(float(exact)) * 2**-52
    # and it goes on the same (each later price from those budgets is the same)
    ok_j = jumped.advance(rounds, forced)
    ok_p = plain.advance(rounds, forced)
    assert ok_j == ok_p
    assert jumped.state.rho == plain.state.rho
    assert all((u == v).all() for u, v in zip(jumped.drained, plain.drained, strict=True))
    return n


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.integers(0, 40),
    st.integers(1, 30),
    st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(5, 2)]),
    st.floats(0, 1),
)
def test_a_replay_jumped_to_is_the_plain_replay(
    e: Election, sat: str, start: int, span: int, grid: Fraction, where: float
) -> None:
    if sat == "points" and not has_points(e):
        sat = "cost"
    x = initial_share(e) + start
    y = x + span * grid
    check_jump(e, sat, x, y, x + Fraction(where).limit_denominator(50) * (y - x))


def test_replays_are_jumped_to() -> None:
    """On elections with many voters, :meth:`_Replay.jump` makes purchases (and the
    replays it starts are the plain ones)."""
    jumped = 0
    for seed in range(3):
        e = crowded_election(seed)
        share = initial_share(e)
        for k, span in ((0, 4), (10, 9), (30, 20), (60, 7)):
            jumped += check_jump(e, "cost", share + k, share + k + span, share + k + span // 2)
    assert jumped >= 10


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.integers(0, 40),
)
def test_a_followed_replay_from_its_runs_drained_voters_is_the_plain_one(
    e: Election, sat: str, start: int
) -> None:
    """The replay of a run at its own share from the voters each purchase drained
    (:attr:`MesRun.drained`, no purchase computed) is the one that computes them."""
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    x = initial_share(e) + start
    run = engine.run(x, record=False)
    assert len(run.drained) == len(run.rhos)
    forced = list(zip(run.bought, run.rhos, strict=True))
    quick = _Replay(engine, x, followed=True, logs=run.drained)
    plain = _Replay(engine, x, followed=True)
    for upto in range(len(forced) + 1):
        assert quick.advance(upto, forced) and plain.advance(upto, forced)
        assert quick.state.rho == plain.state.rho
        assert (quick.state.empty == plain.state.empty).all()
        assert quick.state.err == plain.state.err
        assert all((u == v).all() for u, v in zip(quick.drained, plain.drained, strict=True))
        err = quick.state.err
        for g in range(engine.n_groups):
            exact = float(plain.state.exact_budget(g))
            assert abs(quick.state.budget[g] - exact) <= err + abs(exact) * 2**-52
        for p in engine.eligible:
            assert quick.price(p) == plain.price(p)


def check_bracket(e: Election, sat: str, x: Fraction, m: Fraction, y: Fraction) -> int:
    """With the run at ``x``'s purchases made at ``x <= m <= y``, every price at ``m``
    lies between those at ``y`` and ``x`` (unaffordable at ``y``: at ``m`` too), and
    :meth:`_RunState.bracketed` from them, when it prices, gives the exact price
    at ``m``; so does :meth:`_Replay.price` given them.  Returns the prices it gave."""
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    run = engine.run(x, record=False)
    forced = list(zip(run.bought, run.rhos, strict=True))
    reps = [_Replay(engine, x, followed=True), _Replay(engine, m), _Replay(engine, y)]
    given = 0
    for upto in range(len(forced) + 1):
        if not all(rep.advance(upto, forced) for rep in reps):
            break
        for p in engine.eligible:
            if p in reps[0].state.rho:
                continue
            at_x, at_m, at_y = (rep.state.eval_exact(p, None) for rep in reps)
            if at_y is None:
                assert at_m is None
            if at_x is None or at_y is None:
                continue
            assert at_m is not None and at_y <= at_m <= at_x
            got = reps[1].state.bracketed(p, at_y, at_x)
            if got is not False:
                assert got == at_m
                given += 1
            assert reps[1].price(p, at_y, at_x) == at_m
    return given


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.integers(0, 40),
    st.integers(1, 30),
    st.floats(0, 1),
)
def test_prices_between_two_shares_from_their_prices_there(
    e: Election, sat: str, start: int, span: int, where: float
) -> None:
    if sat == "points" and not has_points(e):
        sat = "cost"
    x = initial_share(e) + start
    y = x + span
    check_bracket(e, sat, x, x + Fraction(where).limit_denominator(50) * span, y)


def test_prices_between_two_shares_are_computed_from_their_prices_there() -> None:
    """On elections with many voters, :meth:`_RunState.bracketed` prices (and gives
    the exact prices)."""
    given = 0
    for seed in range(3):
        e = crowded_election(seed)
        share = initial_share(e)
        for k, span in ((0, 4), (10, 9), (30, 20)):
            given += check_bracket(e, "cost", share + k, share + k + span // 2, share + k + span)
    assert given >= 10
