"""The optional compiled kernel of the float batches (``voting/tally/_kernel.c``):
built by ``make install``, used only when built from the source as it is now, and
giving the same decisions as NumPy alone (the float tests run both ways:
``test_tally_float.py``)."""

from __future__ import annotations

import gc
import os
import shutil
import sysconfig
import weakref
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tally_support import require_shared
from test_tally_add1 import changing_election, elections

from voting.tally import Election, _kernel, read_pabulib
from voting.tally.mes import MesEngine, _FloatBatch, _RunState, initial_share, mes_add1

pytestmark = pytest.mark.own_db  # (the engine alone: no database)


def built() -> _kernel.Kernel:
    k = _kernel.kernel()
    if k is None:
        pytest.skip("the compiled kernel is not built here (make install builds it)")
    return k


def test_make_install_built_the_kernel_from_this_source() -> None:
    """Where a C compiler is found (as ``make install`` looks for it) the kernel is
    built and loaded: a stale or missing library would silently cost the speed."""
    if os.environ.get("TALLY_KERNEL") == "0":
        pytest.skip("TALLY_KERNEL=0: the kernel is switched off")
    if shutil.which(os.environ.get("CC", "cc")) is None:
        pytest.skip("no C compiler: the engine runs with NumPy alone")
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file():
        pytest.skip("no Python headers: the engine runs with NumPy alone")
    assert _kernel.kernel() is not None, "run `make install` to build voting/tally/_kernel_lib.so"


def test_a_library_built_from_another_source_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built()
    other = tmp_path / "_kernel.c"
    other.write_bytes(Path(_kernel.SOURCE).read_bytes() + b"/* changed */\n")
    monkeypatch.setattr(_kernel, "SOURCE", str(other))
    assert _kernel._load() is None


def test_no_library_or_switched_off_means_numpy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_kernel, "LIBRARY", str(tmp_path / "missing.so"))
    assert _kernel._load() is None
    monkeypatch.undo()
    monkeypatch.setenv("TALLY_KERNEL", "0")
    assert _kernel._load() is None


def test_a_purchase_charges_what_numpy_charges() -> None:
    """Each supporter's money less the price, or 0, to the last bit."""
    k = built()
    rng = np.random.default_rng(7)
    budget = rng.uniform(0, 10, (50, 4))
    budget[3, 1] = 2.5  # exactly at the price: 0
    expected = budget.copy()
    g = np.array([1, 3, 7, 20, 49], dtype=np.int64)
    cols = np.array([0, 1, 3], dtype=np.int64)
    price = np.array([1.0, 2.5, 9.75])
    k.buy_uniform(budget, 4, g, cols, price)
    for j, col in enumerate(cols):
        expected[g, col] = np.maximum(expected[g, col] - price[j], 0.0)
    assert np.array_equal(budget, expected)


def prices_both_ways(engine: MesEngine, shares: list[Fraction]) -> None:
    """Each eligible project's price at the start of a batch, by the kernel and by
    NumPy: the same decisions where both are sure, and intervals that overlap."""
    kernel = built()
    batch = _FloatBatch(engine, shares)
    rows = np.arange(len(shares))
    for p in engine.eligible:
        batch.kernel = kernel
        gone_k, ok_k, rho_k, rel_k = batch.price(rows, p)
        batch.kernel = None
        gone_n, ok_n, rho_n, rel_n = batch.price(rows, p)
        # sure decisions never contradict each other
        assert not (gone_k & ok_n).any() and not (gone_n & ok_k).any()
        both = ok_k & ok_n
        lo_k, hi_k = rho_k * (1 - rel_k), rho_k * (1 + rel_k)
        lo_n, hi_n = rho_n * (1 - rel_n), rho_n * (1 + rel_n)
        assert ((lo_k <= hi_n) & (lo_n <= hi_k))[both].all()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.lists(st.integers(0, 50), min_size=1, max_size=5))
def test_the_kernel_and_numpy_price_alike(e: Election, steps: list[int]) -> None:
    engine = MesEngine(e, "cost")
    if not engine.uniform:
        return
    prices_both_ways(engine, [initial_share(e) + k for k in steps])


@pytest.mark.parametrize(
    "name", ["Poland_Warszawa_2026.pb", "Poland_Wieliczka_2023_Green_Budget.pb"]
)
def test_the_kernel_and_numpy_price_alike_on_shared_files(name: str) -> None:
    e = read_pabulib(require_shared() / name)
    engine = MesEngine(e, "cost")
    share = initial_share(e)
    prices_both_ways(engine, [share + k for k in range(0, 64, 8)])


@pytest.mark.parametrize("name", ["Poland_Warszawa_2026.pb", "France_Toulouse_2024.pb"])
def test_batches_decide_as_many_shares_with_the_kernel(name: str) -> None:
    """The kernel decides each share as NumPy does, so it leaves no more of them to
    the exact run (each outcome given is the exact run's: test_tally_float.py)."""
    built()
    e = read_pabulib(require_shared() / name)
    engine = MesEngine(e, "cost")
    shares = [initial_share(e) + k for k in range(8)]
    with_kernel = engine.run_float_batch(shares)
    saved = list(_kernel._loaded)
    _kernel._loaded[:] = [None]
    try:
        with_numpy = engine.run_float_batch(shares)
    finally:
        _kernel._loaded[:] = saved
    for a, b in zip(with_kernel, with_numpy, strict=True):
        assert a is None or b is None or a == b
    assert sum(a is not None for a in with_kernel) >= sum(b is not None for b in with_numpy) - 1


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 300),
    st.lists(st.integers(0, 63), min_size=1, max_size=20, unique=True),
    st.integers(0, 2**32 - 1),
)
def test_member_masks_count_what_the_matrix_counts(n: int, cols: list[int], seed: int) -> None:
    """The voters of some ballots supporting each project bought, from one 64-bit mask
    per ballot (``member_bits``), are those the 0/1 matrix gives (``member_counts``)."""
    k = built()
    rng = np.random.default_rng(seed)
    member = (rng.random((n, 64)) < 0.2).astype(np.float32)
    bits = np.zeros(n, dtype=np.uint64)
    for j in range(64):
        bits[member[:, j] == 1] |= np.uint64(1 << j)
    counts = rng.integers(1, 1000, n).astype(np.int64)
    groups = np.unique(rng.integers(0, n, rng.integers(0, n + 1))).astype(np.int64)
    c = np.array(cols, dtype=np.int64)
    by_matrix, by_masks = np.empty(len(c)), np.empty(len(c))
    voters = k.member_counts(member, counts, groups, c, by_matrix)
    assert k.member_bits(bits, counts, groups, c, by_masks) == voters == int(counts[groups].sum())
    assert by_masks.tolist() == by_matrix.tolist()


def test_member_masks_refuse_columns_they_cannot_hold() -> None:
    k = built()
    bits, counts = np.zeros(4, dtype=np.uint64), np.ones(4, dtype=np.int64)
    groups, out = np.arange(4, dtype=np.int64), np.empty(2)
    for cols in ([0, 64], [3, 3], [-1, 2]):
        with pytest.raises(ValueError, match="distinct columns below 64"):
            k.member_bits(bits, counts, groups, np.array(cols, dtype=np.int64), out)
    with pytest.raises(ValueError, match="out of range"):
        k.member_bits(bits, counts, np.array([4], dtype=np.int64), np.zeros(1, np.int64), out)
    with pytest.raises(ValueError):  # (counts shorter than the masks)
        k.member_bits(bits, counts[:2], groups, np.zeros(1, np.int64), out)


def test_exact_sums_by_masks_and_by_the_matrix_past_64_columns() -> None:
    """A run's exact money of some ballots is the same whether the kernel counts
    from the masks (at most 64 columns) or from the matrix (more columns: an engine
    that has bought over 64 distinct projects in its runs), and NumPy's."""
    built()
    e = read_pabulib(require_shared() / "Hungary_Budapest_2024.pb")
    share = initial_share(e) + 40
    masks, matrix, numpy_alone = (MesEngine(e, "cost") for _ in range(3))
    matrix.member_cols(sorted(matrix.eligible)[:70])
    run = masks.run(share, record=False)
    states = [_RunState(engine, share) for engine in (masks, matrix, numpy_alone)]
    states[2].kernel = None
    rng = np.random.default_rng(7)
    for p, rho in list(zip(run.bought, run.rhos, strict=True))[:8]:
        for state in states:
            state.buy(p, rho, record=False)
        live = np.flatnonzero(~states[0].empty)
        groups = np.sort(rng.choice(live, size=min(len(live), 500), replace=False))
        sums = [state.exact_sum(groups) for state in states]
        assert sums[0] == sums[1] == sums[2]
    assert len(masks.member_col) <= 64 < len(matrix.member_col)


def test_arrays_too_short_are_refused() -> None:
    """The module checks that each array holds what it reads or writes."""
    k = built()
    budget = np.zeros((10, 2))
    g = np.arange(3, dtype=np.int64)
    with pytest.raises(ValueError):
        k.buy_uniform(budget, 2, g, np.array([0, 1], dtype=np.int64), np.zeros(1))
    with pytest.raises(ValueError):
        k.eval_price(
            budget[:, 0].copy(), g, np.ones(2), 1.0, 3.0, 0.0, 0.0, False,
            1e-9, 512, 1.5, 0.75, 1e-10, 1e-11, np.empty(3), np.empty(3, dtype=np.int64),
            None,
        )  # fmt: skip
    with pytest.raises(ValueError):  # slopes are read at every ballot of the money
        k.eval_price(
            budget[:, 0].copy(), g, np.ones(3), 1.0, 3.0, 0.0, 0.0, False,
            1e-9, 512, 1.5, 0.75, 1e-10, 1e-11, np.empty(3), np.empty(3, dtype=np.int64),
            np.ones(9),
        )  # fmt: skip


@pytest.mark.parametrize("name", ["Poland_Warszawa_2026.pb", "Hungary_Budapest_2024.pb"])
def test_a_runs_prices_and_their_slopes_are_numpys(name: str) -> None:
    """Within a run (after some purchases), each project's float price and the slope
    of that price in the share (for the add-one completion's aims) by the kernel are
    NumPy's: overlapping intervals, the same unaffordable projects, close slopes."""
    built()
    e = read_pabulib(require_shared() / name)
    engine = MesEngine(e, "cost")
    share = initial_share(e) + 40
    run = engine.run(share, record=False)
    both = [_RunState(engine, share, slopes=True) for _ in range(2)]
    both[1].kernel = None
    assert both[0].kernel is not None
    priced = 0
    for p, rho in list(zip(run.bought, run.rhos, strict=True))[:6]:
        for state in both:
            state.buy(p, rho, record=False)
        for x in sorted(set(engine.eligible) - set(both[0].bought)):
            got = [state.eval_float(x) for state in both]
            assert (got[0] is None) == (got[1] is None)
            if got[0] is None or got[1] is None or got[0][1] < 0 or got[1][1] < 0:
                continue
            (a, rel_a), (b, rel_b) = got
            assert a * (1 - rel_a) <= b * (1 + rel_b) and b * (1 - rel_b) <= a * (1 + rel_a)
            slopes = [state.price_slope(x) for state in both]
            assert slopes[0] == pytest.approx(slopes[1], rel=1e-9, abs=1e-15)
            priced += slopes[0] != 0
    assert priced > 0


@pytest.mark.parametrize(
    "name",
    [
        "Poland_Warszawa_2026.pb",
        "France_Toulouse_2024.pb",
        "Poland_Wieliczka_2023_Green_Budget.pb",
        "Netherlands_Assen_2024.pb",
    ],
)
def test_the_add_one_completion_is_the_same_with_numpy_alone(name: str) -> None:
    """The whole add-one completion, with the kernel and with NumPy alone: the same
    outcome, share and number of steps (each against the stepwise reference:
    test_tally_add1.py with TALLY_FULL=1)."""
    built()
    e = read_pabulib(require_shared() / name)
    with_kernel = mes_add1(e, "cost", record=False)
    saved = list(_kernel._loaded)
    _kernel._loaded[:] = [None]
    try:
        with_numpy = mes_add1(e, "cost", record=False)
    finally:
        _kernel._loaded[:] = saved
    assert with_kernel[1] == with_numpy[1]
    assert with_kernel[0].selected == with_numpy[0].selected
    assert with_kernel[0].budget_per_voter == with_numpy[0].budget_per_voter


def exact_money(
    e: Election, share: Any, bought: tuple[int, ...], rhos: tuple[Any, ...]
) -> list[Fraction]:
    """Each distinct ballot's exact money at ``share`` after the purchases
    ``bought`` at the prices ``rhos`` (per unit of satisfaction: cost satisfaction,
    so a supporter of k pays ``min(money, rho x cost of k)``), as MES charges it."""
    prof = e.profile
    money = []
    for g in range(prof.num_distinct):
        on = set(prof.indices[prof.indptr[g] : prof.indptr[g + 1]].tolist())
        m = Fraction(str(share))
        for k, rho in zip(bought, rhos, strict=True):
            if k in on:
                m = max(Fraction(0), m - Fraction(str(rho)) * e.projects[k].cost)
        money.append(m)
    return money


def check_shorts(e: Election, engine: MesEngine, run: Any) -> int:
    """Every project ``run`` noted unaffordable after its first r purchases is: its
    supporters' exact money then is at most the bound noted, and short of its cost.
    How many were noted."""
    prof = e.profile
    for p, (r, bound) in (run.shorts or {}).items():
        money = exact_money(e, run.budget_per_voter, run.bought[:r], run.rhos[:r])
        total = sum(
            money[g] * int(prof.counts[g])
            for g in range(prof.num_distinct)
            if p in prof.indices[prof.indptr[g] : prof.indptr[g + 1]].tolist()
        )
        assert total <= Fraction(bound)
        assert total < e.projects[p].cost
    return len(run.shorts or {})


def followed_runs(e: Election, engine: MesEngine, steps: list[int]) -> list[Any]:
    """Runs at the shares of ``steps`` (in increasing order), each following the one
    before, as the add-one completion tries them."""
    runs: list[Any] = []
    for k in sorted(set(steps)):
        share = initial_share(e) + k
        follow = runs[-1] if runs else None
        runs.append(engine.run(share, record=False, follow=follow, grid=Fraction(1), aims=True))
    return runs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.lists(st.integers(0, 80), min_size=2, max_size=6))
def test_projects_known_short_from_the_followed_run_are_short(
    e: Election, steps: list[int]
) -> None:
    """A run that follows another knows some projects unaffordable without looking at
    their supporters (:meth:`_RunState.short_by_bound`): each is, and the money bound
    it notes holds exactly; its outcome is the one a run alone gives."""
    built()
    engine = MesEngine(e, "cost")
    if not engine.uniform:
        return
    for run in followed_runs(e, engine, steps):
        check_shorts(e, engine, run)
        alone = engine.run(run.budget_per_voter, record=False)
        assert (run.selected, run.rhos) == (alone.selected, alone.rhos)


def test_a_following_run_skips_the_projects_known_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the outcome changes often, runs following others do find projects short
    by the bound alone (the bounds checked exactly), and skip the first look at the
    supporters of those known affordable."""
    built()
    by_bound, skipped = [], []
    short_by_bound, affordable = _RunState.short_by_bound, _RunState._affordable

    def counting_bound(self: Any, p: int) -> bool:
        got = short_by_bound(self, p)
        by_bound.append(got)
        return got

    def counting_afford(self: Any, p: int) -> bool:
        got = affordable(self, p)
        skipped.append(got)
        return got

    monkeypatch.setattr(_RunState, "short_by_bound", counting_bound)
    monkeypatch.setattr(_RunState, "_affordable", counting_afford)
    for seed in range(3):
        e = changing_election(seed)
        engine = MesEngine(e, "cost")
        for run in followed_runs(e, engine, [0, 1, 2, 4, 8, 16, 32]):
            check_shorts(e, engine, run)
            assert run.selected == engine.run(run.budget_per_voter, record=False).selected
    assert any(by_bound) and any(skipped)


def test_a_run_does_not_keep_the_runs_it_followed_alive() -> None:
    """A run keeps its state (for the aims made from it), and that state what it
    needs of the run it followed, not that run: else each run of a search would keep
    every run before it, and their states, alive (409 MB on Budapest 2024)."""
    built()
    e = changing_election(0)
    engine = MesEngine(e, "cost")
    share = initial_share(e)
    first = engine.run(share, record=False, grid=Fraction(1), aims=True)
    gone = weakref.ref(first)
    run = first
    for k in (1, 2, 4):
        run = engine.run(share + k, record=False, follow=run, grid=Fraction(1), aims=True)
    del first
    gc.collect()
    assert gone() is None
    assert run.shorts is not None  # (what it found is kept, for the run following it)
