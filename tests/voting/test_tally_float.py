"""MES runs decided in floats (``MesEngine.run_float``, used by the add-one
completion for its plain runs): whenever they give an outcome, it is the exact
run's, projects and order."""

from __future__ import annotations

import copy
import random
import sys
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tally_support import require_shared
from test_tally_add1 import changing_election, cumulative_elections, elections, has_points

from voting.tally import Election, Profile, Project, _kernel, read_pabulib
from voting.tally.mes import (
    _EPS,
    MesEngine,
    _FloatBatch,
    _RunState,
    initial_share,
    is_exhaustive,
    mes_add1,
)

pytestmark = pytest.mark.own_db  # (the engine alone: no database)

mes = sys.modules[MesEngine.__module__]  # (``voting.tally.mes`` is also a function's name)


@pytest.fixture(autouse=True, scope="module", params=["kernel", "numpy"])
def float_path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test here runs twice: with the compiled kernel of the float batches
    (``_kernel.c``, built by ``make install``) and with NumPy alone."""
    if request.param == "kernel" and _kernel.kernel() is None:
        pytest.skip("the compiled kernel is not built here (make install builds it)")
    saved = list(_kernel._loaded)
    if request.param == "numpy":
        _kernel._loaded[:] = [None]
    try:
        yield request.param
    finally:
        _kernel._loaded[:] = saved


def check(engine: MesEngine, share: Fraction) -> bool:
    """run_float agrees with the exact run; True if it gave an outcome."""
    fast = engine.run_float(share)
    if fast is None:
        return False
    assert fast == engine.run(share, record=False).selected
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.lists(st.integers(0, 200), min_size=1, max_size=6),
    st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(5, 2)]),
)
def test_a_float_run_gives_the_exact_outcome_or_none(
    e: Election, sat: str, steps: list[int], grid: Fraction
) -> None:
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    for k in steps:
        check(engine, initial_share(e) + k * grid)


def test_float_runs_decide_most_shares_of_elections_whose_outcome_keeps_changing() -> None:
    decided = total = 0
    for seed in range(6):
        e = changing_election(seed)
        engine = MesEngine(e, "cost")
        for k in range(0, 120, 3):
            total += 1
            decided += check(engine, initial_share(e) + k)
    assert decided >= total * 3 // 4


@pytest.mark.parametrize("ids", [("a", "b"), ("b", "a"), ("10", "2")])
def test_an_exact_tie_between_projects_everyone_pays_in_full_is_decided_by_id(
    ids: tuple[str, str],
) -> None:
    """Two projects of the same cost with the same supporters, each paid in full by
    all of them: their prices are equal exactly, and the tie goes to the id that
    sorts first, in floats as exactly."""
    projects = (Project(ids[0], Fraction(300)), Project(ids[1], Fraction(300)))
    ballots = [[0, 1]] * 6 + [[0], [1]]
    e = Election(projects, Fraction(640), Profile.from_ballots("approval", 2, ballots))
    engine = MesEngine(e, "cost")
    assert check(engine, initial_share(e))
    first = min(range(2), key=lambda p: ids[p])
    assert engine.run_float(initial_share(e)) == (first, 1 - first)


def test_a_voter_exactly_at_the_price_is_left_to_the_exact_run() -> None:
    """A voter whose money equals the price exactly cannot be told apart in floats
    (does she pay all she has?): the float run gives no outcome."""
    projects = (Project("a", Fraction(30)), Project("b", Fraction(40)))
    # 10 each; b's 4 supporters pay 10 each for it, all they have (a: 3 supporters
    # would pay 10 each too, at a higher price per unit of cost)
    ballots = [[0], [0], [0, 1], [1], [1], [1]]
    e = Election(projects, Fraction(60), Profile.from_ballots("approval", 2, ballots))
    engine = MesEngine(e, "cost")
    assert engine.run_float(initial_share(e)) is None
    assert engine.run(initial_share(e), record=False).selected == (1,)


@pytest.mark.parametrize(
    "name", ["Poland_Swiecie_2023.pb", "Netherlands_Assen_2024.pb", "Switzerland_Zurich_SN.pb"]
)
def test_float_runs_on_shared_files(name: str) -> None:
    e = read_pabulib(require_shared() / name)
    engine = MesEngine(e, "cost")
    share = initial_share(e)
    decided = sum(check(engine, share + k * 7) for k in range(12))
    assert decided >= 6
    stats: dict[str, int] = {}
    mes_add1(e, "cost", engine=engine, stats=stats)
    assert stats["runs"] >= 1


def check_batch(engine: MesEngine, shares: list[Fraction]) -> int:
    """run_float_batch at several shares at once: each outcome it gives is the exact
    run's (and so run_float's, when that gives one too).  Returns how many it gave."""
    batch = engine.run_float_batch(shares)
    assert len(batch) == len(shares)
    for share, fast in zip(shares, batch, strict=True):
        if fast is None:
            continue
        assert fast == engine.run(share, record=False).selected
        single = engine.run_float(share)
        assert single is None or single == fast
    return sum(x is not None for x in batch)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.lists(st.integers(0, 200), min_size=1, max_size=8),
    st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(5, 2), Fraction(1, 100)]),
)
def test_a_batch_of_float_runs_gives_the_exact_outcomes_or_none(
    e: Election, sat: str, steps: list[int], grid: Fraction
) -> None:
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    check_batch(engine, [initial_share(e) + k * grid for k in steps])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality"]),
    st.lists(st.integers(0, 200), min_size=1, max_size=8),
    st.sampled_from([1.0001, 1.01, 1.5, 3.0]),
)
def test_a_batch_setting_apart_the_supporters_short_of_a_guess_gives_the_exact_outcomes_or_none(
    e: Election, sat: str, steps: list[int], cut: float
) -> None:
    """Prices computed over the supporters short of ``cut`` times the starting price
    only (from any number of supporters here), falling back to all of them when
    the price comes too near the guess."""
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mes, "_CUT_FROM", 1)
        mp.setattr(mes, "_CUT", cut)
        mp.setattr(mes, "_CUT_KEEP", 1.0)
        check_batch(engine, [initial_share(e) + k for k in steps])


@pytest.mark.parametrize("cut", [None, 1.5, 1.01])
def test_a_batch_decides_most_shares_of_elections_whose_outcome_keeps_changing(
    cut: float | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cut is not None:
        monkeypatch.setattr(mes, "_CUT_FROM", 1)
        monkeypatch.setattr(mes, "_CUT", cut)
    decided = total = 0
    for seed in range(6):
        e = changing_election(seed)
        engine = MesEngine(e, "cost")
        shares = [initial_share(e) + k for k in range(0, 120, 3)]
        total += len(shares)
        decided += check_batch(engine, shares)
    assert decided >= total * 3 // 4


def test_a_batch_decides_exact_ties_by_id_and_leaves_voters_at_the_price_to_the_exact_run() -> None:
    projects = (Project("b", Fraction(300)), Project("a", Fraction(300)))
    ballots = [[0, 1]] * 6 + [[0], [1]]
    e = Election(projects, Fraction(640), Profile.from_ballots("approval", 2, ballots))
    engine = MesEngine(e, "cost")
    share = initial_share(e)
    assert engine.run_float_batch([share, share + 1, share]) == [(1, 0)] * 3
    projects = (Project("a", Fraction(30)), Project("b", Fraction(40)))
    ballots = [[0], [0], [0, 1], [1], [1], [1]]
    e = Election(projects, Fraction(60), Profile.from_ballots("approval", 2, ballots))
    engine = MesEngine(e, "cost")
    batch = engine.run_float_batch([Fraction(9), Fraction(10), Fraction(11)])
    assert batch[1] is None
    check_batch(engine, [Fraction(9), Fraction(10), Fraction(11)])


@pytest.mark.parametrize(
    "name",
    [
        "Poland_Swiecie_2023.pb",
        "France_Toulouse_2022.pb",
        "Poland_Warszawa_2023_Mokotow.pb",
        "Hungary_Budapest_2024.pb",
    ],
)
def test_a_batch_of_float_runs_on_shared_files(name: str) -> None:
    e = read_pabulib(require_shared() / name)
    engine = MesEngine(e, "cost")
    share = initial_share(e)
    shares = [share + k for k in range(0, 40, 3)]
    assert check_batch(engine, shares) >= len(shares) // 2


def follow_exact_run(
    engine: MesEngine,
    shares: list[Fraction],
    rng: random.Random,
    perturb: bool = False,
    checked: bool = True,
) -> int:
    """A batch at ``shares`` (one per row) made to buy, row by row, what the exact
    run at the first share buys, checking each float price, purchase and error
    bound against the exact state.  With ``perturb``, after each purchase every
    ballot's money is moved away from the exact money by half its error
    bound (within half the bound on the sum of weight x error, ``spread``), so
    that the bounds are tested against errors of their own size, not only
    against the tiny ones of real roundings.  ``checked``: purchases made as a
    batch's runs make them (see :meth:`_FloatBatch.buy`), else with the check made
    again.  Returns the purchases checked."""
    weights = engine.election.profile.counts
    batch = _FloatBatch(engine, shares)
    states = [_RunState(engine, s) for s in shares]
    rows = np.arange(len(shares))
    run = engine.run(shares[0], record=False)
    checked = 0
    # each ballot's error bound accumulated purchase by purchase, as a ballot that
    # pays in full adds its price's error and a subtraction's rounding
    acc = np.repeat(batch.base[:, None], engine.n_groups, axis=1)
    for winner in run.bought:
        for p in engine.eligible:
            exact = [state.eval_exact(p, None) for state in states]
            gone, ok, rho, rel = batch.price(rows, p)
            # from any start below the price: the same fixed point, so the same floats
            # (when the supporters short of a guess at the price are not set apart,
            # which makes the sums, so their roundings, depend on the start)
            start = np.where(ok, rho, 0.0) * [rng.choice([0.0, 0.5, 0.999]) for _ in rho]
            gone2, ok2, rho2, rel2 = batch.price(rows, p, start)
            whole = len(engine.groups[p]) < mes._CUT_FROM
            for i, x in enumerate(exact):
                assert not gone[i] or x is None
                if ok[i]:
                    assert x is not None
                    assert rho[i] * (1 - rel[i]) <= x <= rho[i] * (1 + rel[i])
                    assert not gone2[i]
                    if ok2[i]:
                        assert rho2[i] * (1 - rel2[i]) <= x <= rho2[i] * (1 + rel2[i])
                        if whole:
                            assert (rho2[i], rel2[i]) == (rho[i], rel[i])
        prices = [state.eval_exact(winner, None) for state in states]
        if any(x is None for x in prices):
            break
        gone, ok, rho, rel = batch.price(rows, winner)
        if not ok.all():
            break
        # as a batch's own runs buy (``checked``: the price just given, so no check
        # made again), or with the check made; made again, the check always passes
        if checked:
            twin = copy.deepcopy(batch)  # (the engine too: small elections)
            assert twin.buy(rows, winner, rho, rel).all()
        paid = batch.buy(rows, winner, rho, rel, checked=checked)
        g = engine.groups[winner]
        sat = engine.unit_f[winner] if engine.uniform else engine.pts_f[winner]
        tol = (rho * (rel * 1.001 + 4 * _EPS))[:, None] * sat + batch.base[:, None]
        acc[:, g] = np.where(batch.budget.T[:, g] > 0, acc[:, g] + tol, 0.0)
        for state, x in zip(states, prices, strict=True):
            state.buy(winner, x, record=False)  # type: ignore[arg-type]
        if not paid.all():
            break
        checked += 1
        # each ballot's money: 0 exactly once spent, else within its own bound,
        # itself within the share's
        groups = np.arange(engine.n_groups)
        own = batch.errs(rows, groups)
        for i, state in enumerate(states):
            assert np.array_equal(batch.budget.T[i] == 0, state.empty)
            assert (own[i] <= batch.err[i]).all()
            assert (own[i] >= np.minimum(acc[i], batch.err[i]) * (1 - 1e-12)).all()
            for gi in np.flatnonzero(~state.empty).tolist():
                money = state.exact_budget(gi)
                assert abs(Fraction(float(batch.budget.T[i, gi])) - money) <= Fraction(
                    float(own[i, gi])
                )
            live = np.flatnonzero(~state.empty).tolist()
            moneys = {gi: state.exact_budget(gi) for gi in live}
            spread = sum(
                (abs(Fraction(float(batch.budget.T[i, gi])) - m) * int(weights[gi]))
                for gi, m in moneys.items()
            )
            assert spread <= Fraction(float(batch.spread[i]))
            if not perturb:
                continue
            total = float(sum(own[i, gi] * weights[gi] for gi in live))
            scale = 0.5 * min(1.0, float(batch.spread[i]) / total) if total > 0 else 0.0
            sign = rng.choice([-1, 1])  # (all one way: the most a price can move)
            for gi, m in moneys.items():
                delta = Fraction(float(own[i, gi]) * scale * sign)
                if m <= 2 * abs(delta):
                    delta = abs(delta)
                batch.budget.T[i, gi] = float(m + delta)
    return checked


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.lists(st.integers(0, 60), min_size=1, max_size=4),
    st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(1, 100)]),
    st.randoms(use_true_random=False),
    st.booleans(),
    st.booleans(),
)
def test_float_prices_and_purchases_bracket_the_exact_ones(
    e: Election,
    sat: str,
    steps: list[int],
    grid: Fraction,
    rng: random.Random,
    perturb: bool,
    checked: bool,
) -> None:
    """Every float price a batch decides brackets the exact price (ties, equal
    budgets, spent ballots and points included), an unaffordable one is unaffordable
    exactly, the fixed point ends where it ends from any start below the price, and
    after each purchase every ballot's money is within its own error bound
    (rebuilt from the purchases, :meth:`_FloatBatch.errs`) of the exact money, and
    the sum of weight x error within ``spread``; also with errors of the size of
    those bounds (``perturb``)."""
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    base = initial_share(e)
    follow_exact_run(engine, sorted(base + k * grid for k in steps), rng, perturb, checked)


@pytest.mark.parametrize("cut", [None, 1.5, 1.01])
def test_float_prices_follow_the_exact_run_on_elections_whose_outcome_keeps_changing(
    cut: float | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cut is not None:  # supporters short of cut x the starting price set apart, from 1
        monkeypatch.setattr(mes, "_CUT_FROM", 1)
        monkeypatch.setattr(mes, "_CUT", cut)
    rng = random.Random(7)
    checked = 0
    for seed in range(4):
        e = changing_election(seed)
        engine = MesEngine(e, "cost")
        shares = [initial_share(e) + k for k in (0, 1, 5)]
        checked += follow_exact_run(engine, shares, rng)
        follow_exact_run(engine, shares, rng, perturb=True)
        follow_exact_run(engine, shares, rng, checked=False)
        follow_exact_run(engine, shares, rng, perturb=True, checked=False)
    assert checked >= 8


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.fractions(min_value=0, max_value=1000, max_denominator=12), min_size=1, max_size=8),
    st.fractions(min_value=0, max_value=3000, max_denominator=7),
    st.data(),
)
def test_sums_of_costs_in_integers_are_the_sums_of_fractions(
    costs: list[Fraction], budget: Fraction, data: st.DataObject
) -> None:
    projects = tuple(Project(str(i), c) for i, c in enumerate(costs))
    n = len(costs)
    e = Election(projects, budget, Profile.from_ballots("approval", n, [list(range(n))]))
    chosen = data.draw(st.lists(st.integers(0, n - 1), unique=True))
    among = frozenset(data.draw(st.lists(st.integers(0, n - 1), unique=True)))
    assert e.total_cost(chosen) == sum((costs[i] for i in chosen), Fraction(0))
    left = budget - sum((costs[i] for i in chosen), Fraction(0))
    assert is_exhaustive(e, tuple(chosen), among) == (
        not any(p not in chosen and costs[p] <= left for p in among)
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.integers(0, 200),
    st.randoms(use_true_random=False),
)
def test_exact_sums_of_money_are_the_sums_of_each_ballots_money(
    e: Election, sat: str, k: int, rnd: random.Random
) -> None:
    # (the dense path, :attr:`MesEngine.member`, and the CSR one give the same sums)
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    assert engine.dense == (sat != "points")
    share = initial_share(e) + k
    run = engine.run(share, record=False)
    state = _RunState(engine, share)
    for winner, rho in zip(run.bought, run.rhos, strict=True):
        live = [g for g in range(engine.n_groups) if not state.empty[g]]
        groups = np.array(sorted(rnd.sample(live, rnd.randint(0, len(live)))), dtype=np.int64)
        counts = e.profile.counts
        expected = sum((state.exact_budget(int(g)) * int(counts[g]) for g in groups), Fraction(0))
        assert state.exact_sum(groups) == expected
        if engine.dense:
            engine.dense = False
            assert state.exact_sum(groups) == expected
            engine.dense = True
        state.buy(winner, rho, record=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections(), cumulative_elections()),
    st.sampled_from(["cost", "cardinality", "points"]),
    st.integers(0, 60),
    st.randoms(use_true_random=False),
)
def test_a_float_price_from_a_lower_bound_is_the_same(
    e: Election, sat: str, k: int, rnd: random.Random
) -> None:
    """:meth:`_RunState.eval_float` from a lower bound on the price (``start``) finds
    the same fixed point, so the same floats, and they bracket the exact price."""
    if sat == "points" and not has_points(e):
        sat = "cost"
    engine = MesEngine(e, sat)  # type: ignore[arg-type]
    share = initial_share(e) + k
    run = engine.run(share, record=False)
    state = _RunState(engine, share)
    for winner, rho in zip(run.bought, run.rhos, strict=True):
        for p in engine.eligible:
            if p in state.rho:
                continue
            state.eval_float(p)  # (a first look may answer before pricing)
            plain = state.eval_float(p)
            exact = state.eval_exact(p, None)
            if plain is None or plain[1] < 0 or exact is None:
                continue
            start = float(exact) * rnd.choice([0.0, 0.5, 0.9, 0.999999, 1.0])
            got = state.eval_float(p, start)
            assert got == plain
            assert got[0] * (1 - got[1]) <= exact <= got[0] * (1 + got[1])
        state.buy(winner, rho, record=False)


def test_a_float_price_over_the_supporters_short_of_a_guess_is_the_same(
    monkeypatch: pytest.MonkeyPatch, float_path: str
) -> None:
    """:meth:`_RunState.eval_float` over the supporters short of a guess at the
    price (every project, ``_CUT_FROM`` 1) gives the same floats as over all of
    them, and they bracket the exact price; the guess is used, and sometimes
    found too low."""
    from test_tally_add1 import crowded_election

    seen: list[tuple[int, bool]] = []  # (supporters the fixed point looked at, guess kept)
    fixed_point = mes._fixed_point

    def watching(r: np.ndarray, wb: np.ndarray, wu: np.ndarray, price: float, *rest: float):  # type: ignore[no-untyped-def]
        got = fixed_point(r, wb, wu, price, *rest)
        seen.append((len(r), got is not None and got[4] <= price * mes._CUT))
        return got

    monkeypatch.setattr(mes, "_fixed_point", watching)
    kernel = _kernel.kernel()
    if kernel is not None:  # (the kernel's fixed point sets them apart itself)
        eval_price = kernel.eval_price

        def watching_kernel(*args: Any) -> Any:
            got = eval_price(*args)
            if got[7]:  # (a fixed point sought: how many it counted first, and if kept)
                seen.append((int(got[7]), got[8] == 1.0))
            return got

        monkeypatch.setattr(kernel, "eval_price", watching_kernel)
    used = missed = 0
    for seed, k in ((seed, k) for seed in range(4) for k in (0, 7, 40)):
        e = crowded_election(seed)
        engine = MesEngine(e, "cost")
        share = initial_share(e) + k
        run = engine.run(share, record=False)
        states = [_RunState(engine, share), _RunState(engine, share)]
        for winner, rho in zip(run.bought, run.rhos, strict=True):
            for p in engine.eligible:
                if p in states[0].rho:
                    continue
                first = states[0].eval_float(p)  # (a first look may answer before pricing)
                states[1].eval_float(p)
                # (from a lower bound close to the price, or from nothing)
                close = first is not None and first[1] > 0 and p % 2 == 0
                start = first[0] * 0.9 if close and first is not None else 0.0
                monkeypatch.setattr(mes, "_CUT_FROM", 1)
                seen.clear()
                cut = states[0].eval_float(p, start)
                n = len(states[0].live(p).g)
                if seen and seen[0][0] < n:
                    used += 1
                    missed += not seen[0][1]
                monkeypatch.setattr(mes, "_CUT_FROM", 10**9)
                whole = states[1].eval_float(p, start)
                assert cut == whole
                exact = states[0].eval_exact(p, None)
                if cut is not None and cut[1] > 0:
                    assert exact is not None
                    assert cut[0] * (1 - cut[1]) <= exact <= cut[0] * (1 + cut[1])
            for state in states:
                state.buy(winner, rho, record=False)
    assert used > 10
    assert missed > 0
