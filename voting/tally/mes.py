"""Method of Equal Shares (MES) and its completions.

Every voter starts with an equal share ``b`` of the budget (``budget / voters``
unless a completion raises it).  In each round, for every project still
affordable by its supporters, we compute the smallest *price per unit of
satisfaction* ``rho`` such that the supporters can pay for it when each pays
``min(remaining money, rho x satisfaction)``.  The project with the smallest
``rho`` is bought, each supporter pays that amount, and the round repeats until
no project can be paid for by its supporters.  With cost satisfaction ``rho x
cost`` is the price each supporter pays; with cardinality satisfaction ``rho``
itself is the price; with points ``rho`` is the price of one point.

Ties (equal ``rho``) go to the project whose id sorts first as a Python string,
like pabutools' default ``lexico_tie_breaking``.  A project whose supporters'
satisfaction is 0 in total is never bought; one that costs nothing but has
support is selected before the rounds start (both as in pabutools).

Implementation.  Ballots are collapsed into distinct ballots with a weight.
Prices are computed with NumPy floats, lazily (a project's price can only rise,
so projects are examined in order of their last known price and the scan stops
once no remaining project can beat the best one).  Every float carries an error
bound; all candidates whose interval overlaps the best one are re-evaluated
exactly with rational arithmetic, and the winner's price is always exact.
Budgets are exact too, without storing a rational per voter: a voter either
has no money left (decided exactly) or has paid the full price of every bought
project they support, so their money is exactly ``share - sum of those
prices``.  Exact sums over many voters use per-project counts (NumPy) times the
exact prices; only voters whose float budget is too close to a price to call
are evaluated one by one.  Float budgets carry a bound on their accumulated
error, which widens the float intervals accordingly.  A float therefore never decides who gets funded.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial

import numpy as np
import numpy.typing as npt

from . import _kernel
from .model import Election, Profile
from .numeric import Rational, q
from .satisfaction import Sat, Supporters, supporters

# Relative error floor and safety factor for float prices.
_REL_FLOOR = 1e-10
_REL_FACTOR = 1e-11
_NEAR = 1e-9
_EPS = 2.0**-52
# a run with aims (slopes) looks at the supporters of a project known short from the
# followed run unless the bound on their money is below this part of its cost: what
# those near it lack guides the add-one completion's aims (skipping them all made 3 %
# more MES runs on Budapest 2024, skipping those below 98 % none more)
_SHORT_FOR_AIMS = 0.98
# a project found unaffordable, for the aims of the add-one completion (see
# :attr:`_RunState.short`): its supporters, their weights and money, their
# satisfaction, what they lack, the round, their total weight
_Short = tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    float | npt.NDArray[np.float64],
    float,
    int,
    float,
]
_SHRINK = 4  # the add-one jump after a failed try
_STREAK = 2  # certified tries in a row before the add-one jump doubles
_RESUME = 2  # after a change found at distance d, tries start again from d / _RESUME
_RESUME_FROM = 8  # ... if d is at least this
# plain runs in a row with the same outcome before tries start again: from 1, doubled
# (up to _SETTLE_MAX) after tries that advanced less than _PAYS steps each on average
# (a try, an exact run, costs a few plain runs in floats; 4 made Budapest 2024 slower), halved
# after tries that advanced 4 x _PAYS steps each
_SETTLE_MAX = 32
# after a certified try, the next aims at the step before the outcome's change
# extrapolated from the last two runs (:func:`_predict`), at most _AIM_GROW times
# the last jump (on Budapest 2024: 720 -> 646 MES runs)
_AIM_GROW = 16
# ... and at this fraction of the distance extrapolated: prices are convex in the
# share, so extrapolations tend to see the outcome's change late, and a try past it
# costs about twice a try short of it
_AIM_SHORT = 1.0
# only rivals priced at most this much above the winner get a slope (:attr:`MesRun.slopes`),
# for tangent aims and the parabolas of :func:`_predict`
_SLOPE_WITHIN = 0.25
_PAYS = 2
# the first plain runs in floats are made for this many steps at once; if the
# outcome changes among them, plain runs go on with ``settle`` _SETTLE_FIRST (as
# after tries that did not pay; on Warszawa 2026 the outcome changes every few
# steps: 8 exact runs -> 1, 1.03 -> 0.85 s)
_FIRST_BATCH = 8
_SETTLE_FIRST = 8
# the first try from an exact run that follows no other aims along the tangents of
# its prices (:func:`_predict_tangent`)
_TANGENT = True
_BATCH_MIN = 1  # shares per batch of plain runs in floats (``run_float_batch``) ...
_BATCH_MAX = 128  # ... doubling from batch to batch while the runs stay plain, up to
_BATCH_CELLS = 500_000  # ... this many (shares x distinct ballots; beyond, caches suffer)
# supporters from which :meth:`_FloatBatch._price_uniform` (and the fixed point of
# :meth:`_RunState.eval_float`: on Budapest 2024 half the supporters it looks at) leaves out
_CUT_FROM = 512
_CUT = 1.5  # ... those with more than this times the starting price at every share
_CUT_KEEP = 0.75  # ... when at most this share of them is left
_DEAD_EVERY = 8  # rounds of a batch between two searches for the ballots spent at every share

# A float batch's prices of one project at some shares: (gone: its supporters surely
# cannot pay; ok: decided in floats; price per unit of satisfaction; relative error)
_Priced = tuple[
    npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.float64], npt.NDArray[np.float64]
]


def _mix(n: int) -> npt.NDArray[np.int64]:
    """n fixed pseudo-random 64-bit keys (splitmix64 of 1..n), to hash rows with
    (a product with them): numpy.random alone would add its import, 6 ms, to a
    command."""
    x = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x.view(np.int64)


def _any(x: npt.NDArray[np.generic]) -> bool:
    """``x.any()``, several times faster on the small arrays of a float batch."""
    return bool(np.count_nonzero(x))


def _all(x: npt.NDArray[np.generic]) -> bool:
    """``x.all()``, several times faster on the small arrays of a float batch."""
    return bool(np.count_nonzero(x) == x.size)


def _entries(
    profile: Profile, groups: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The positions in the profile's CSR arrays (``indices``, ``points``) of the
    entries of the distinct ballots ``groups``, ballot after ballot, and each ballot's
    number of entries."""
    starts = profile.indptr[groups]
    lengths = profile.indptr[groups + 1] - starts
    n = int(lengths.sum())
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(n), lengths


@dataclass(frozen=True)
class Payment:
    """``voters`` supporters each paid ``amount``."""

    amount: Rational
    voters: int


@dataclass(frozen=True)
class Purchase:
    """One project bought by MES."""

    round: int
    project: int
    rho: Rational  # price per unit of satisfaction
    payments: tuple[Payment, ...]  # how much supporters paid, largest first
    supporters: int


@dataclass(frozen=True)
class MesRun:
    """The result of one MES run with a given per-voter budget."""

    budget_per_voter: Rational
    selected: tuple[int, ...]  # free projects first, then in purchase order
    purchases: tuple[Purchase, ...]
    eligible: frozenset[int]  # projects MES could buy (positive cost and support)
    rhos: tuple[Rational, ...] = ()  # price per unit of satisfaction of each purchase
    # with ``follow``: every share from the followed run's to this one gives this outcome
    # (with ``grid``: every share on the grid from the followed run's, see ``run``)
    certified: bool = False
    # with ``follow`` and not certified: the first round not certified (every round
    # before it has the followed run's winner at every share in between)
    failed_round: int = 0
    # certified, and some round needed the two-ended check (:meth:`MesEngine._forced_round`)
    two_ended: bool = False
    # shares in between replayed by the piecewise check (:meth:`MesEngine._split_check`)
    pieces: int = 0
    # not certified: a share in between where the outcome differs, if one was found
    change_at: Rational | None = None
    # decided in floats (:meth:`MesEngine.run_float`): ``selected`` only, no prices
    # (``rhos`` and ``purchases`` empty), so not a run to follow
    floated: bool = False
    # per round, the price bounds found for the projects evaluated in it (the
    # winner's exact price as a float): where the add-one completion aims next
    # (:func:`_predict`)
    seen: tuple[dict[int, float], ...] = field(default=(), compare=False, repr=False)
    # per round, for each project whose price floats gave in this round with its
    # slope as a function of the share (:attr:`_RunState.price_slope`): the lower
    # end of that price (for the winner, its price) and that slope: where to aim
    # from this run alone (:func:`_predict_tangent`)
    slopes: tuple[dict[int, tuple[float, float]], ...] = field(
        default=(), compare=False, repr=False
    )
    # projects found unaffordable (:attr:`_RunState.short`): the share increase at
    # which they become affordable, about their price there, and the round
    # given a number of shares (an aim found otherwise), a smaller one where, along
    # the tangents of its supporters' money, a project they could not afford becomes
    # affordable below the winner's price, or after the last purchase
    # (:meth:`_RunState.short_aim`)
    short_aim: Callable[[float], float] | None = field(default=None, compare=False, repr=False)
    # the distinct ballots each purchase drained (:attr:`_RunState.log`): a replay of
    # this run at its share needs no purchase computed (:class:`_Replay`)
    drained: tuple[npt.NDArray[np.int64], ...] = field(default=(), compare=False, repr=False)
    # projects found unaffordable (:attr:`_RunState.shorts`): a run following this one
    # knows them unaffordable without looking at their supporters while that bound
    # holds (:meth:`_RunState.short_by_bound`)
    shorts: dict[int, tuple[int, float]] | None = field(default=None, compare=False, repr=False)
    # projects found affordable (:attr:`_RunState.afford`)
    afford: dict[int, int] | None = field(default=None, compare=False, repr=False)

    @property
    def bought(self) -> tuple[int, ...]:
        """Projects bought in rounds (``selected`` without the free ones), in order."""
        return self.selected[len(self.selected) - len(self.rhos) :]


class MesEngine:
    """Precomputed data for running MES repeatedly on one election."""

    def __init__(self, election: Election, sat: Sat) -> None:
        self.election = election
        self.sat = sat
        self.sup: Supporters = supporters(election, sat)
        n_proj = len(election.projects)
        self.n_groups = election.profile.num_distinct
        self.cost = [q(p.cost) for p in election.projects]
        self.cost_f = [float(p.cost) for p in election.projects]
        self.ids = [p.id for p in election.projects]
        self.uniform = self.sup.unit is not None
        self.groups = self.sup.groups
        self.w_f = [w.astype(np.float64) for w in self.sup.weights]
        self.w_sum = [float(w.sum()) for w in self.sup.weights]
        if self.sup.unit is not None:
            self.unit = [q(u) for u in self.sup.unit]
            self.unit_f = [float(u) for u in self.sup.unit]
        else:
            if not (self.sup.points is not None):
                raise RuntimeError("internal invariant violated")
            self.scale = self.sup.scale
            self.pts = self.sup.points
            self.pts_f = [pt.astype(np.float64) / self.scale for pt in self.pts]
            self.wu_f = [w * u for w, u in zip(self.w_f, self.pts_f, strict=True)]
            self.wu_sum = [float(x.sum()) for x in self.wu_f]
            self.pmul = int(max((int(pt.max()) for pt in self.pts if len(pt)), default=0)) + 1
        self.free: list[int] = []
        self.eligible: list[int] = []
        for p in range(n_proj):
            if self.sup.total_sat[p] > 0:
                if election.projects[p].cost > 0:
                    self.eligible.append(p)
                else:
                    self.free.append(p)
        self.total_sat = [q(t) for t in self.sup.total_sat]
        self.free.sort(key=lambda x: self.ids[x])  # deterministic: by id, like ties
        # projects by id (as strings): the tie-break when sorting by price bound
        self.id_rank = np.empty(n_proj, dtype=np.int64)
        self.id_rank[sorted(range(n_proj), key=lambda x: self.ids[x])] = np.arange(n_proj)
        self.id_rank_list: list[int] = self.id_rank.tolist()
        # a price bound no purchase can lower: every supporter pays the same
        self.lower0 = [math.inf] * n_proj
        for p in self.eligible:
            self.lower0[p] = float(self.cost[p] / self.total_sat[p]) * (1 - _REL_FLOOR)
        # For :meth:`_RunState.exact_sum` (one satisfaction per project, no ballot listing
        # a project twice): which distinct ballots support each project bought in some
        # run so far, one 0/1 column per project (``member_col``), added on demand,
        # and each ballot's number of voters, as floats: every partial sum of the
        # products is an integer no larger than the number of voters, exact in float32
        # below 2**24 voters (float64 beyond)
        self.dense = self.uniform and not any(bool((np.diff(g) <= 0).any()) for g in self.groups)
        counts = election.profile.counts
        self.dense_type = np.float32 if int(counts.sum()) < 2**24 else np.float64
        self.member = np.zeros((self.n_groups, 0), dtype=self.dense_type)
        self.member_col: dict[int, int] = {}
        # the same columns as one 64-bit mask per ballot (bit j: column j), while there
        # are at most 64 of them: the compiled kernel then counts from these alone
        self.member_bits = np.zeros(self.n_groups, dtype=np.uint64)
        self.counts_f = counts.astype(self.dense_type)
        self.counts_i = np.ascontiguousarray(counts, dtype=np.int64)  # (for the kernel)
        self._cosupport: dict[int, npt.NDArray[np.float64]] = {}  # (see :meth:`cosupport`)

    def cosupport(self, k: int) -> npt.NDArray[np.float64]:
        """Per project, the voters whose ballots name both it and ``k`` (at least all
        the voters supporting both), as floats (kept: a few columns are asked for,
        over and over)."""
        got = self._cosupport.get(k)
        if got is not None:
            return got
        prof = self.election.profile
        offsets, lengths = _entries(prof, self.groups[k])
        column = np.bincount(
            prof.indices[offsets],
            weights=np.repeat(self.w_f[k], lengths),
            minlength=len(self.cost),
        ).astype(np.float64)
        self._cosupport[k] = column
        return column

    def member_cols(self, projects: list[int]) -> npt.NDArray[np.int64]:
        """The columns of :attr:`member` of ``projects`` (added if missing)."""
        missing = [p for p in projects if p not in self.member_col]
        if missing:
            n_cols = len(self.member_col)
            cap = self.member.shape[1]
            if n_cols + len(missing) > cap:
                # (a few columns to spare: a row is read whole, so the width costs)
                width = (n_cols + len(missing) + 7) // 8 * 8
                grown = np.zeros((self.n_groups, width), self.dense_type)
                grown[:, :n_cols] = self.member[:, :n_cols]
                self.member = grown
            for p in missing:
                self.member[self.groups[p], n_cols] = 1
                if n_cols < 64:
                    self.member_bits[self.groups[p]] |= np.uint64(1 << n_cols)
                self.member_col[p] = n_cols
                n_cols += 1
        return np.array([self.member_col[p] for p in projects], dtype=np.int64)

    # -- one run ---------------------------------------------------------------

    def run(
        self,
        budget_per_voter: Rational,
        *,
        record: bool = True,
        follow: MesRun | None = None,
        trusted: int = 0,
        grid: Rational | None = None,
        aims: bool = False,
    ) -> MesRun:
        """One MES run with the given share.

        ``follow``: a run made with a share no larger than this one.  The run then
        also tells (``MesRun.certified``) whether every share between the two
        gives exactly ``follow``'s outcome (see :func:`mes_add1`).  ``trusted``:
        the caller already knows (from a run following ``follow`` at a larger
        share, :attr:`MesRun.failed_round`) that in the first ``trusted`` rounds
        ``follow``'s winner wins at every share in between; those rounds are
        not checked again (only the winner's price is computed).  ``grid``: only
        the shares ``follow``'s plus a multiple of ``grid`` matter (the add-one
        steps); a round whose rival fails both checks over the whole interval is
        then checked over pieces of it (:meth:`_split_check`).  ``aims`` (with
        ``record`` False): also keep, in floats, what :func:`_predict_tangent`
        aims from (the slopes of money and prices as functions of the share).
        """
        return self._run(q(budget_per_voter), record, follow, trusted, grid, aims)

    def _run(
        self,
        share: Rational,
        record: bool,
        follow: MesRun | None,
        trusted: int = 0,
        grid: Rational | None = None,
        aims: bool = False,
    ) -> MesRun:
        state = _RunState(self, share, slopes=aims and not record)
        if follow is not None:
            state.follow_shorts(follow)
        purchases: list[Purchase] = []
        rhos: list[Rational] = []
        selected = list(self.free)
        active = set(self.eligible)
        lower = _Bounds(self.lower0, self.id_rank_list, self.eligible)
        forced = list(zip(follow.bought, follow.rhos, strict=True)) if follow is not None else []
        certified = follow is not None and follow.budget_per_voter <= share
        # One step of the grid above the followed run (no share of the grid in
        # between): the outcome there is the followed one exactly when this run's
        # winners are the followed run's, round by round.  So its rounds are run
        # plainly (after the trusted ones) and compared at the end: cheaper than
        # checking each round's rivals against the followed prices.
        direct = (
            certified
            and grid is not None
            and follow is not None
            and share - follow.budget_per_voter <= grid
        )
        # The followed run replayed on demand (its winners at its prices) for the
        # two-ended checks of :meth:`_forced_round` (``stable``: while every purchase
        # drains exactly the same voters at both shares; ``drained``: those at this
        # share).
        # (the same replay as the piecewise check's at the followed run's share,
        # :meth:`_Splitter.point`)
        low: _Replay | None = None
        replayed = 0
        stable = certified
        drained: list[npt.NDArray[np.int64]] = []

        def replay(upto: int) -> tuple[_RunState, bool] | None:
            # the followed run after ``upto`` rounds, and whether every purchase so
            # far drained the same voters at both shares
            nonlocal low, replayed, stable
            if follow is None or follow.budget_per_voter > share:
                return None
            rep = low_replay()
            rep.advance(upto, forced)
            while replayed < upto:
                if stable and not np.array_equal(rep.drained[replayed], drained[replayed]):
                    stable = False
                replayed += 1
            return rep.state, stable

        def low_replay() -> _Replay:
            nonlocal low
            if low is None:
                if follow is None:
                    raise RuntimeError("internal invariant violated")
                low = _Replay(self, follow.budget_per_voter, followed=True, logs=follow.drained)
            return low

        mids: dict[Rational, _Replay] = {}  # shares in between, replayed on demand
        seen: list[dict[int, float]] = []  # (see ``MesRun.seen``)
        slopes: list[dict[int, tuple[float, float]]] = []  # (see ``MesRun.slopes``)
        changes: list[Rational] = []  # shares in between found to change the outcome
        failed_round = 0
        two_ended = False
        rnd = 0
        while active:
            rnd += 1
            best: tuple[Rational, str, int] | None = None
            relied = False  # a rival needed the two-ended check
            if certified and rnd <= len(forced) and (not direct or rnd <= trusted):
                if rnd <= trusted:
                    best = self._trusted_round(state, active, *forced[rnd - 1])
                else:
                    split = None
                    if grid is not None and follow is not None:
                        split = partial(
                            self._split_check,
                            _Splitter(
                                self,
                                follow.budget_per_voter,
                                share,
                                grid,
                                forced,
                                mids,
                                changes,
                                low_replay,
                            ),
                            state,
                            drained,
                            rnd,
                        )
                    best, relied = self._forced_round(
                        state,
                        active,
                        lower,
                        *forced[rnd - 1],
                        partial(replay, rnd - 1),
                        split,
                    )
                if best is None:
                    certified = False
                    failed_round = rnd
            if best is None:
                best = self._free_round(state, active, lower)
                if best is None:
                    break
                if certified and direct and rnd <= len(forced):
                    if best[2] != forced[rnd - 1][0]:
                        certified = False
                        failed_round = rnd
                elif certified:
                    certified = False  # buys more than the run it follows
                    failed_round = rnd
            rho, _, winner = best
            lower.touched[winner] = float(rho)
            seen.append(lower.touched)
            near = float(rho) * (1 + _SLOPE_WITHIN)
            rates = {
                x: (lower[x], state.price_slope(x))
                for x in state.priced
                if x != winner and x in active and lower[x] <= near
            }
            rates[winner] = (float(rho), state.price_slope(winner))
            slopes.append(rates)
            lower.touched = {}
            payments = state.buy(winner, rho, record=record)
            if certified:
                drained.append(state.last_drained)
                two_ended = two_ended or relied
            active.discard(winner)
            selected.append(winner)
            rhos.append(rho)
            if record:
                purchases.append(Purchase(rnd, winner, rho, payments, self.sup.voters[winner]))
        if certified and len(rhos) < len(forced):
            certified = False  # (cannot happen: money only grows with the share)
            failed_round = len(rhos) + 1
        return MesRun(
            share,
            tuple(selected),
            tuple(purchases),
            frozenset(self.eligible),
            tuple(rhos),
            certified,
            failed_round,
            certified and two_ended,
            len(mids),
            None if certified or not changes else min(changes),
            seen=tuple(seen),
            slopes=tuple(slopes),
            short_aim=None if record else partial(state.short_aim, tuple(rhos)),
            drained=tuple(state.log),
            shorts=state.shorts,
            afford=state.afford,
        )

    # -- a run decided in floats ---------------------------------------------------

    def run_float(self, budget_per_voter: Rational) -> tuple[int, ...] | None:
        """The projects :meth:`run` selects at this share (free ones first, then in
        purchase order), decided with floats alone, or None when some decision is
        too close to call in floats (then only :meth:`run` can tell).

        The same rounds as :meth:`run`, without any exact arithmetic: every
        price is a float with an error bound (:meth:`_FloatBatch.price`),
        every budget a float within ``err`` of its exact value (which grows with
        each purchase by the error of the price paid).  A round's winner must beat
        every other project by its bounds (a tie or an overlap gives None, unless
        every tied project is paid in full by all its supporters with money left:
        then their exact prices are cost over satisfaction, compared exactly), and
        every supporter of the winner must be clearly above or clearly below the
        price paid (who pays all they have is then the exact run's choice too).
        So when a result is returned, every decision is the exact run's.
        """
        return self.run_float_batch([budget_per_voter])[0]

    def run_float_batch(self, shares: list[Rational]) -> list[tuple[int, ...] | None]:
        """:meth:`run_float` at each of ``shares``, computed together (one row of
        budgets per share, the NumPy calls shared by the rows that need the same
        project's price or buy the same project): exactly what :meth:`run_float`
        gives at each, several times cheaper per share when projects have few
        supporters (see :class:`_FloatBatch`)."""
        if not shares:
            return []
        return _FloatBatch(self, [q(s) for s in shares]).run()

    def _trusted_round(
        self, state: _RunState, active: set[int], winner: int, threshold: Rational
    ) -> tuple[Rational, str, int] | None:
        """``winner``'s exact price in a round already known to be its (see ``trusted``)."""
        if winner not in active:
            return None
        res = self._evaluate(state, winner)
        if res is None:
            return None
        lo, hi, exact = res
        if exact is None:
            exact = state.eval_exact(winner, (lo, hi))
        if exact is None or exact > threshold:
            return None
        return (exact, self.ids[winner], winner)

    def _evaluate(
        self, state: _RunState, p: int, start: float = 0.0
    ) -> tuple[float, float, Rational | None] | None:
        """(lo, hi, exact or None) bracketing p's price, or None if unaffordable
        (``start``: a lower bound on the price, see :meth:`_RunState.eval_float`)."""
        res = state.eval_float(p, start)
        if res is None:
            return None
        if res[1] < 0:  # too close to call in floats
            exact = state.eval_exact(p, None)
            if exact is None:
                return None
            return float(exact) * (1 - 1e-12), float(exact) * (1 + 1e-12), exact
        rho_f, rel = res
        return rho_f * (1 - rel), rho_f * (1 + rel), None

    def _free_round(
        self, state: _RunState, active: set[int], lower: _Bounds
    ) -> tuple[Rational, str, int] | None:
        """The project MES buys next (exact price, id, index), or None."""
        while True:
            best_hi = math.inf
            evaluated: dict[int, tuple[float, float, Rational | None]] = {}
            with closing(lower.ordered(active)) as order:
                for p in order:
                    if p not in active:
                        continue
                    if lower[p] > best_hi:
                        break
                    res = self._evaluate(state, p, lower[p])
                    if res is None:
                        active.discard(p)
                        continue
                    lower[p] = res[0]
                    evaluated[p] = res
                    best_hi = min(best_hi, res[1])
            if not evaluated:
                return None
            candidates = [p for p, (lo, _, _) in evaluated.items() if lo <= best_hi]
            best: tuple[Rational, str, int] | None = None
            for p in candidates:
                lo, hi, exact = evaluated[p]
                if exact is None:
                    exact = state.eval_exact(p, (lo, hi))
                if exact is None:  # unaffordable after all (float was within rounding)
                    active.discard(p)
                    continue
                key = (exact, self.ids[p], p)
                if best is None or key[:2] < best[:2]:
                    best = key
            if best is not None:
                return best
            if not active:
                return None

    def _forced_round(
        self,
        state: _RunState,
        active: set[int],
        lower: _Bounds,
        winner: int,
        threshold: Rational,
        replay: Callable[[], tuple[_RunState, bool] | None] | None = None,
        split: Callable[[int, int, Rational, float, float, Rational | None], bool] | None = None,
    ) -> tuple[tuple[Rational, str, int] | None, bool]:
        """Check that ``winner`` wins this round for every share from the followed
        run's to this one, and return its price at this share (None if not sure),
        and whether a rival needed the two-ended check.

        With the same purchases so far, every voter's money grows with the
        share (so every price falls): ``winner``'s price at any share in
        between is at most ``threshold`` (its price in the followed run) and
        every other project's is at least its price at this share.  So if every
        other project costs more than ``threshold`` here (or the same and
        loses the tie), ``winner`` wins at every share in between.

        A rival that fails this is checked at both ends (``replay()``: the
        followed run replayed to this round, or None unless every purchase so
        far drained the same voters at both shares).  Then every voter's money
        is an affine function of the share in between (each of those purchases
        has one drained set throughout, so its price is affine).  A price is
        then a convex function of the share (the smallest price at which
        ``sum min(money, price x satisfaction)`` covers the cost, with that sum
        concave in price and share together), so ``winner``'s price lies below
        the line joining its prices at both ends.  For any set P of a rival's
        supporters, ``(cost - money of P) / (satisfaction of the others)`` is
        affine and never above the rival's price (with P paying all they have
        and the others that price, the rival is not covered).  If that bound
        beats ``winner``'s price at both ends, it beats the line, so the rival
        loses everywhere in between.  When some purchase drained different voters
        at the two shares (or that fails), the rival is checked at both ends with
        bounds on how fast money grows with the share instead
        (:meth:`_slope_check`).
        """
        if winner not in active:
            return None, False
        wid = self.ids[winner]
        res = self._evaluate(state, winner, lower[winner])
        if res is None:
            return None, False
        wlo, whi, wexact = res
        if wexact is None:
            wexact = state.eval_exact(winner, (wlo, whi))
        if wexact is None or wexact > threshold:
            return None, False
        thr_f = float(threshold)
        relied = False
        with closing(lower.ordered(active)) as order:
            for p in order:
                if p == winner or p not in active:
                    continue
                if lower[p] > thr_f * (1 + 1e-9):
                    break
                res = self._evaluate(state, p, lower[p])
                if res is None:
                    active.discard(p)
                    continue
                lo, hi, exact = res
                lower[p] = lo
                if lo > thr_f * (1 + 1e-9):
                    continue
                if hi >= thr_f * (1 - 1e-9):
                    if exact is None:
                        exact = state.eval_exact(p, (lo, hi))
                        if exact is None:
                            active.discard(p)
                            continue
                    if exact > threshold or (exact == threshold and wid < self.ids[p]):
                        continue
                ends = replay() if replay is not None else None
                if ends is None or not self._both_ends(
                    state, ends[0], ends[1], p, (lo + hi) / 2, winner, wexact, threshold
                ):
                    if split is None or not split(p, winner, wexact, lo, hi, exact):
                        return None, False
                relied = True
        return (wexact, wid, winner), relied

    def _split_check(
        self,
        sp: _Splitter,
        state: _RunState,
        drained: list[npt.NDArray[np.int64]],
        rnd: int,
        p: int,
        winner: int,
        w_high: Rational,
        lo: float,
        hi: float,
        exact: Rational | None,
    ) -> bool:
        """Whether rival ``p`` loses round ``rnd`` to ``winner`` at every add-one step
        between the followed run's share and this one, checked piece by piece.

        Every earlier round is certified over the whole interval, so at any share
        in it the state before this round is the one the forced purchases give.
        Over a piece ``[x, y]`` of the interval, with both ends replayed: the
        one-ended check (p's price at y beats the winner's at x) or the two-ended
        one (the same drained voters at x and y) covers every share of the piece;
        otherwise the piece is cut in two at a step in between, and a piece of one
        step is checked at its upper end directly (its lower end is covered by the
        piece before it, or is the followed run itself).  At most
        :data:`_SPLITS` replayed shares per run.
        """
        if exact is None:
            exact = state.eval_exact(p, (lo, hi))
            if exact is None:
                return True  # unaffordable here: only at a smaller share could it matter
        if sp.high - sp.low <= sp.grid:  # no step in between: check this one directly
            return exact > w_high or (exact == w_high and self.ids[winner] < self.ids[p])
        if sp.high - sp.low < _SPLIT_FROM * sp.grid:
            return False  # replaying costs about what the steps in between would
        top = _Point(sp.high, state, drained, w_high, exact)
        bottom = sp.point(sp.low, rnd, p, winner)
        if bottom is None:
            return False
        return self._piece(sp, rnd, p, winner, bottom, top, 0)

    def _piece(
        self, sp: _Splitter, rnd: int, p: int, winner: int, x: _Point, y: _Point, depth: int
    ) -> bool:
        wins_tie = self.ids[winner] < self.ids[p]

        def beats(rival: Rational | None, w_price: Rational) -> bool:
            return rival is None or rival > w_price or (rival == w_price and wins_tie)

        if beats(y.rival, x.winner):  # one-ended over [x, y]
            return True
        if not beats(y.rival, y.winner):
            # p wins (or ties and wins) at y: the outcome changes.  Where, first?
            sp.changes.append(self._first_change(sp, rnd, p, winner, x, y, beats))
            return False
        n = (y.share - x.share) / sp.grid
        if n <= 1:
            return True  # checked at y; x is covered already
        # (depth 0 is the whole interval, whose two-ended check the caller made)
        if (
            depth
            and y.rival is not None
            and self._both_ends(
                y.state,
                x.state,
                len(x.drained) >= rnd - 1
                and len(y.drained) >= rnd - 1
                and all(np.array_equal(a, b) for a, b in zip(x.drained, y.drained, strict=False)),
                p,
                float(y.rival),
                winner,
                y.winner,
                x.winner,
            )
        ):
            return True
        if depth >= 8 or len(sp.mids) >= _SPLITS:
            return False
        mid_share = x.share + (int(n) // 2) * sp.grid
        mid = sp.point(mid_share, rnd, p, winner, (x, y))
        if mid is None:
            return False
        return self._piece(sp, rnd, p, winner, x, mid, depth + 1) and self._piece(
            sp, rnd, p, winner, mid, y, depth + 1
        )

    def _first_change(
        self,
        sp: _Splitter,
        rnd: int,
        p: int,
        winner: int,
        x: _Point,
        y: _Point,
        beats: Callable[[Rational | None, Rational], bool],
    ) -> Rational:
        """A share of ``(x, y]`` where ``p`` beats ``winner`` and one step before
        it where it does not: where the add-one completion looks next (only a
        guide: what it skips is certified all the same).  Searched by regula falsi
        (the Illinois variant: an end kept twice in a row counts half as much)
        along the gap between the two prices, or, while ``p`` is unaffordable at
        the lower end, along the money its supporters lack (it mostly wins as soon
        as it becomes affordable); by bisection when neither closes."""
        low, high = x, y
        cost = float(self.cost[p])
        g, w = self.groups[p], self.w_f[p]

        def level(pt: _Point, by_gap: bool) -> float:
            if by_gap and pt.rival is not None:
                return float(pt.rival - pt.winner)
            return cost - float(np.dot(w, pt.state.budget.take(g)))

        weight = [1.0, 1.0]  # (Illinois: of the lower end, of the upper one)
        kept = -1  # the end kept by the last cut (0 lower, 1 upper)
        while high.share - low.share > sp.grid and len(sp.mids) < 2 * _SPLITS:
            n = int((high.share - low.share) / sp.grid)
            cut = n // 2
            by_gap = low.rival is not None and high.rival is not None
            d_low = level(low, by_gap) * weight[0]
            d_high = level(high, by_gap) * weight[1]
            if d_low > 0 >= d_high:
                # where the gap (or what is lacked), linear between the ends, closes
                cut = min(n - 1, max(1, math.ceil(n * d_low / (d_low - d_high)) - 1))
            mid = sp.point(low.share + cut * sp.grid, rnd, p, winner, (low, high))
            if mid is None:
                break
            side = 1 if beats(mid.rival, mid.winner) else 0  # the end kept
            if side:
                low = mid
            else:
                high = mid
            weight[1 - side] = 1.0
            if side == kept:
                weight[side] /= 2
            kept = side
        return high.share

    def _both_ends(
        self,
        state: _RunState,
        low: _RunState,
        same_drained: bool,
        p: int,
        price_f: float,
        winner: int,
        w_high: Rational,
        w_low: Rational,
    ) -> bool:
        """Whether rival ``p`` loses to ``winner`` at every share from ``low``'s to
        ``state``'s (both after the same purchases), by the affine bound when every
        purchase so far drained the same voters at both shares, else (or if that
        fails) by the slope bound (:meth:`_slope_check`)."""
        if same_drained and self._below_both_ends(state, low, p, price_f, winner, w_high, w_low):
            return True
        return self._slope_check(state, low, p, price_f, winner, w_low)

    def _slope_check(
        self,
        state: _RunState,
        low: _RunState,
        p: int,
        price_f: float,
        winner: int,
        w_low: Rational,
    ) -> bool:
        """Whether rival ``p`` loses to ``winner`` at every share from ``low``'s (x)
        to ``state``'s (y), both after the same purchases, which are the purchases at
        every share in between (every earlier round is certified over [x, y]).

        With the same purchases, every voter's money is a nondecreasing function of
        the share t, and wherever it is positive it grows at least at the voter's
        rate ``r`` (at least 1; :class:`_Rates`).  A voter who paid all they had
        at some t has paid all they had at every smaller t.  So on [x, y]:

        - a voter with money left at x (so at every t >= x) has at least
          ``money(x) + r (t - x)``, an affine lower bound; any other voter at least
          0.  ``winner``'s price with those budgets, ``up(t)``, is at least its
          price and is a convex function of t (see :meth:`_forced_round`);
        - every voter has at most ``max(0, money(y) - r (y - t))``, a convex upper
          bound.  For any set P of ``p``'s supporters, ``p``'s price is at least
          ``(cost - money of P) / (satisfaction of the others)``; with P's money
          replaced by that bound, ``low(t)``, a concave function of t.

        ``low - up`` is concave, so it is positive (or zero, with ``winner`` first
        by id) on [x, y] when it is at both ends.  At x, ``up(x)`` is ``winner``'s
        price there (``w_low``); at y, ``up(y) <= low(y)`` when the supporters of
        ``winner``, each paying ``min(bound, low(y) x satisfaction)``, cover its
        cost.  P is the set of ``p``'s supporters short of ``price_f`` at y (any
        set gives a valid bound; that one makes ``low(y)`` p's price at y).  Every
        comparison is exact, with the rates rounded down to exact rationals; floats
        only pick the voters summed exactly together.
        """
        e = self
        d = state.b0 - low.b0
        if d < 0:
            return False
        d_f = float(d)
        wins_tie = e.ids[winner] < e.ids[p]

        def beats(rival: Rational, w_price: Rational) -> bool:
            return rival > w_price or (rival == w_price and wins_tie)

        # rival side: P from the budgets at y
        g = e.groups[p]
        w = e.sup.weights[p]
        empty = state.empty[g]
        b_y = state.budget[g]
        if e.uniform:
            poor = empty | (b_y < price_f * e.unit_f[p])
            sat_rest: Rational = e.unit[p] * int(w[~poor].sum())
        else:
            pts = e.pts[p]
            poor = empty | (b_y < price_f * e.pts_f[p])
            sat_rest = q(int(np.dot(w[~poor], pts[~poor])), e.scale)
        if sat_rest <= 0:
            return False
        paying = poor & ~empty
        cost = e.cost[p]
        low_y = (cost - state.exact_sum(g[paying])) / sat_rest
        # at x, each voter of P has at most max(0, money(y) - rate x d)
        sig = state.rates(low)[g] * (1 - 1e-12)
        drop = sig * d_f
        tol = 2 * state.err + _NEAR * (abs(state.b0_f) + drop)
        over = paying & (b_y - tol > drop)
        unsure = paying & ~over & (b_y + tol > drop)
        money_x = state.exact_sum(g[over]) - d * _down(float((w * sig)[over].sum()))
        for j in np.flatnonzero(unsure).tolist():
            left = state.exact_budget(int(g[j])) - d * q(Fraction(float(sig[j])))
            if left > 0:
                money_x += left * int(w[j])
        if not beats((cost - money_x) / sat_rest, w_low):
            return False
        # winner side at y: its supporters' lower bounds, each paying at most low(y)
        gw = e.groups[winner]
        ww = e.sup.weights[winner]
        live = ~low.empty[gw]
        sig = state.rates(low)[gw] * (1 - 1e-12)
        rise = sig * d_f
        bound_f = low.budget[gw] + rise
        if e.uniform:
            cap_f: float | npt.NDArray[np.float64] = float(low_y * e.unit[winner])
        else:
            cap_f = float(low_y) * e.pts_f[winner]
        tol = 2 * low.err + _NEAR * (abs(low.b0_f) + rise)
        less = live & (bound_f + tol < cap_f)
        more = live & (bound_f - tol > cap_f)
        unsure = live & ~less & ~more
        covered = low.exact_sum(gw[less]) + d * _down(float((ww * sig)[less].sum()))
        if e.uniform:
            covered += low_y * e.unit[winner] * int(ww[more].sum())
        else:
            pw = e.pts[winner]
            covered += low_y * q(int(np.dot(ww[more], pw[more])), e.scale)
        for j in np.flatnonzero(unsure).tolist():
            bound = low.exact_budget(int(gw[j])) + d * q(Fraction(float(sig[j])))
            u = e.unit[winner] if e.uniform else q(int(e.pts[winner][j]), e.scale)
            covered += min(bound, low_y * u) * int(ww[j])
        wcost = e.cost[winner]
        return covered > wcost or (covered == wcost and wins_tie)

    def _below_both_ends(
        self,
        state: _RunState,
        low: _RunState,
        p: int,
        price_f: float,
        winner: int,
        w_high: Rational,
        w_low: Rational,
    ) -> bool:
        """Whether rival ``p`` loses to ``winner`` at both shares by the affine bound."""
        g = self.groups[p]
        w = self.sup.weights[p]
        empty = state.empty[g]
        if self.uniform:
            poor = empty | (state.budget[g] < price_f * self.unit_f[p])
            sat_rest: Rational = self.unit[p] * int(w[~poor].sum())
        else:
            pts = self.pts[p]
            poor = empty | (state.budget[g] < price_f * self.pts_f[p])
            sat_rest = q(int(np.dot(w[~poor], pts[~poor])), self.scale)
        if sat_rest <= 0:
            return False
        paying = g[poor & ~empty]
        cost = self.cost[p]
        wins_tie = self.ids[winner] < self.ids[p]
        for st, w_price in ((state, w_high), (low, w_low)):
            bound = (cost - st.exact_sum(paying)) / sat_rest
            if bound < w_price or (bound == w_price and not wins_tie):
                return False
        return True


class _Bounds(list[float]):
    """Each project's bound on its price in a run (they only rise), with the
    projects kept in a heap by bound, then id, for :meth:`ordered`."""

    def __init__(self, bounds: list[float], rank: list[int], projects: list[int]) -> None:
        super().__init__(bounds)
        self.rank = rank
        self.heap = [(bounds[p], rank[p], p) for p in projects]
        heapq.heapify(self.heap)
        self.touched: dict[int, float] = {}  # bounds set since the caller last took them

    def __setitem__(self, p: int, value: float) -> None:  # type: ignore[override]
        super().__setitem__(p, value)
        self.touched[p] = value

    def ordered(self, active: set[int]) -> Generator[int, None, None]:
        """The active projects by bound, then id (as sorting them all would give),
        as far as the caller reads; projects no longer active are dropped for good
        (a run never makes one active again).  Close it when done (``closing``)."""
        heap = self.heap
        popped: list[int] = []
        try:
            while heap:
                key, rank, p = heap[0]
                if p not in active:
                    heapq.heappop(heap)
                    continue
                if key < self[p]:  # raised since it was pushed
                    heapq.heapreplace(heap, (self[p], rank, p))
                    continue
                heapq.heappop(heap)
                popped.append(p)
                yield p
        finally:
            for p in popped:
                heapq.heappush(heap, (self[p], self.rank[p], p))


@dataclass
class _Live:
    """A project's supporters that still have money (compacted now and then)."""

    g: npt.NDArray[np.int64]
    w: npt.NDArray[np.int64]
    w_f: npt.NDArray[np.float64]
    pts: npt.NDArray[np.int64] | None
    pts_f: npt.NDArray[np.float64] | None
    wu_f: npt.NDArray[np.float64] | None
    w_sum: float
    wu_sum: float
    empties_seen: int

    @classmethod
    def every_supporter(cls, e: MesEngine, p: int) -> _Live:
        """p's supporters before any purchase."""
        if e.uniform:
            return cls(
                e.groups[p], e.sup.weights[p], e.w_f[p], None, None, None, e.w_sum[p], e.w_sum[p], 0
            )
        return cls(
            e.groups[p],
            e.sup.weights[p],
            e.w_f[p],
            e.pts[p],
            e.pts_f[p],
            e.wu_f[p],
            e.w_sum[p],
            e.wu_sum[p],
            0,
        )


_COL0 = np.zeros(1, dtype=np.int64)  # (one share's column, for the kernel's ``buy_uniform``)
_BRACKET_UNSURE = 8  # (see :meth:`_RunState.bracketed`)
_SPLITS = 32  # replayed shares per run for :meth:`MesEngine._split_check`
_SPLIT_FROM = 4  # steps from which an interval is checked piecewise


@dataclass
class _Point:
    """One end of a piece: a share, its state before the round, the prices there."""

    share: Rational
    state: _RunState
    drained: list[npt.NDArray[np.int64]]
    winner: Rational  # the winner's exact price
    rival: Rational | None  # the rival's exact price (None: unaffordable)


class _Replay:
    """MES at one share, buying the followed run's winners, advanced on demand."""

    def __init__(
        self,
        engine: MesEngine,
        share: Rational,
        *,
        followed: bool = False,
        logs: tuple[npt.NDArray[np.int64], ...] = (),
    ) -> None:
        self.e = engine
        self.state = _RunState(engine, share)
        self.drained: list[npt.NDArray[np.int64]] = []
        # the followed run's own share: its prices are the followed run's, and
        # ``logs`` the voters its purchases drained (:attr:`MesRun.drained`)
        self.followed = followed
        self.logs = logs if followed else ()
        # two states at shares around this one after the same purchases (the
        # closest seen, :meth:`_Splitter.point`): their exact prices bracket this
        # one's (:meth:`price`)
        self.around: tuple[_RunState, _RunState] | None = None

    def _made(self, p: int, rho: Rational, gd: npt.NDArray[np.int64]) -> None:
        """Record p bought at ``rho``, draining ``gd`` (known): the others among its
        supporters pay the full price (the float budgets as :meth:`_RunState.buy`
        computes them, within ``err``)."""
        e = self.e
        st = self.state
        g = e.groups[p]
        if st.kernel is not None:  # (approval-like: the same floats in one call)
            st.kernel.buy_uniform(st.budget, 1, g, _COL0, np.array([float(rho * e.unit[p])]))
        else:
            if e.uniform:
                left = st.budget.take(g) - float(rho * e.unit[p])
            else:
                left = st.budget.take(g) - float(rho) * e.pts_f[p]
            np.maximum(left, 0.0, out=left)
            st.budget[g] = left
        st.budget[gd] = 0.0
        st.empty[gd] = True
        st.n_empty += len(gd)
        st.rho[p] = rho
        st.bought.append(p)
        st.paid(rho * e.unit[p] if e.uniform else rho / e.scale)
        st.priced = {}
        st.log.append(gd)
        st.last_drained = gd
        st._bump_err()
        self.drained.append(gd)

    def price(
        self, p: int, below: Rational | None = None, above: Rational | None = None
    ) -> Rational | None:
        """p's exact price (None: unaffordable).  ``below`` and ``above``: p's exact
        prices, after the same purchases, at a larger and a smaller share (so a
        lower and an upper bound on its price here, see :meth:`_RunState.bracketed`)."""
        if below is not None and above is not None:
            got = self.state.bracketed(p, below, above)
            if got is not False:
                return got
        res = self.e._evaluate(self.state, p)
        if res is None:
            return None
        lo, hi, exact = res
        return exact if exact is not None else self.state.eval_exact(p, (lo, hi))

    def _bracket(self, p: int) -> tuple[Rational | None, Rational | None]:
        """p's exact prices in the states :attr:`around` when both bought it as
        their purchase number ``len(self.drained)`` (else None, None)."""
        if self.around is None:
            return None, None
        n = len(self.drained)
        low, high = self.around
        if (
            len(low.bought) > n
            and len(high.bought) > n
            and low.bought[n] == p
            and high.bought[n] == p
        ):
            return high.rho[p], low.rho[p]
        return None, None

    def jump(self, x: _Point, y: _Point, rounds: int) -> None:
        """Make the first purchases of a new replay at once, from two replays
        ``x`` and ``y`` at shares around this one (both after at least those
        purchases): as many of the first ``rounds`` purchases as drained the same
        voters at ``x`` and ``y``.

        Those purchases drain the same voters at every share in between, at a price
        affine in the share: while every purchase before drained the same voters
        at both ends, every voter's money is affine in the share, and so is
        ``(cost - money of the drained) / (satisfaction of the others)``, the price
        at both ends; the voters it drains (no more money than it asks) and those
        it leaves some money (more than it asks) are so at both ends, so in
        between too, where it is then the one price at which the supporters cover
        the cost.  So the exact prices are interpolated, and the float budgets are
        the share minus the prices each paid in full (as :meth:`_RunState.buy`
        computes them, one subtraction per purchase: within ``err``).
        """
        st = self.state
        if self.drained or st.bought or x.share >= y.share or not x.share <= st.b0 <= y.share:
            return
        n = 0
        limit = min(rounds, len(x.drained), len(y.drained))
        while n < limit and np.array_equal(x.drained[n], y.drained[n]):
            n += 1
        if n == 0:
            return
        lam = (st.b0 - x.share) / (y.share - x.share)
        for k in range(n):
            p = x.state.bought[k]
            if y.state.bought[k] != p:
                raise RuntimeError("internal invariant violated")
            r_x, r_y = x.state.rho[p], y.state.rho[p]
            self._made(p, r_x + lam * (r_y - r_x), x.drained[k])

    def advance(self, upto: int, forced: list[tuple[int, Rational]]) -> bool:
        while len(self.drained) < upto:
            w, rho = forced[len(self.drained)]
            if len(self.drained) < len(self.logs):
                self._made(w, rho, self.logs[len(self.drained)])
                continue
            if not self.followed:
                rho = self.price(w, *self._bracket(w))
            if rho is None:
                return False
            self.state.buy(w, rho, record=False)
            self.drained.append(self.state.last_drained)
        return True


class _Splitter:
    """Replayed shares between a followed run's (``low``) and a try's (``high``)."""

    def __init__(
        self,
        engine: MesEngine,
        low: Rational,
        high: Rational,
        grid: Rational,
        forced: list[tuple[int, Rational]],
        mids: dict[Rational, _Replay],
        changes: list[Rational],
        low_replay: Callable[[], _Replay] | None = None,
    ) -> None:
        self.e = engine
        self.low, self.high, self.grid = low, high, grid
        self.forced = forced
        self.mids = mids
        self.changes = changes  # shares where the outcome changes
        # the followed run's replay, shared with the two-ended checks of its run
        self.low_replay = low_replay

    def point(
        self,
        share: Rational,
        rnd: int,
        p: int,
        winner: int,
        around: tuple[_Point, _Point] | None = None,
    ) -> _Point | None:
        """The point at ``share`` before round ``rnd`` (``around``: two points at
        shares around it, replayed at least as far, that a new replay may start
        from, :meth:`_Replay.jump`)."""
        rep = self.mids.get(share)
        if rep is None:
            if share == self.low and self.low_replay is not None:
                rep = self.mids[share] = self.low_replay()
            else:
                rep = self.mids[share] = _Replay(self.e, share, followed=share == self.low)
                if around is not None and share != self.low:
                    rep.jump(around[0], around[1], rnd - 1)
        if around is not None and share != self.low and around[0].share < share < around[1].share:
            rep.around = (around[0].state, around[1].state)
        if not rep.advance(rnd - 1, self.forced):
            return None
        if share == self.low:
            w_price: Rational | None = self.forced[rnd - 1][1]
        elif around is not None:
            w_price = rep.price(winner, around[1].winner, around[0].winner)
        else:
            w_price = rep.price(winner)
        if w_price is None:
            return None
        if around is not None and around[0].rival is not None:
            # (unaffordable at the larger share: here too)
            if around[1].rival is None:
                return _Point(share, rep.state, rep.drained, w_price, None)
            return _Point(
                share,
                rep.state,
                rep.drained,
                w_price,
                rep.price(p, around[1].rival, around[0].rival),
            )
        return _Point(share, rep.state, rep.drained, w_price, rep.price(p))


def _fixed_point(
    r: npt.NDArray[np.float64],
    wb: npt.NDArray[np.float64],
    wu: npt.NDArray[np.float64],
    price: float,
    c: float,
    total: float,
) -> tuple[float, float, float, npt.NDArray[np.int64], float] | None:
    """For :meth:`_RunState.eval_float`: from ``price`` (below the price), the
    supporters who cannot pay it pay all they have; the price rises as they are
    found, so iterate until no one else falls short.  (price, paid by those, their
    satisfaction, their positions, the largest price reached), or None (too close
    to call)."""
    poor = r < price
    top = price
    for _ in range(40):
        at = poor.nonzero()[0]  # (the same sums as by the mask, faster)
        paid = float(wb.take(at).sum())
        w_poor = float(wu.take(at).sum())
        sat_left = total - w_poor
        if sat_left <= 0:
            return None
        was, price = price, (c - paid) / sat_left
        top = max(top, price)
        more = r < price
        # (a price no lower than the last: ``more`` holds ``poor``, so the same
        # count means the same voters)
        if np.count_nonzero(more) == len(at) if price >= was else np.array_equal(more, poor):
            return price, paid, w_poor, at, top
        poor = more
    return None


def _down(x: float) -> Rational:
    """An exact rational no larger than the exact value of a sum of n < 10**6
    nonnegative floats that ``x`` is (any order of summation errs by less than
    ``n x eps`` of it)."""
    return q(Fraction(x * (1 - 1e-9)))


class _Rates:
    """Lower bounds on how fast each voter's money grows with the share t between
    two shares x < y, after the same purchases (those at every t in [x, y]).

    Before the first purchase a voter's money is t.  A voter's money before
    round r, wherever it is positive, is t minus the prices it paid in full, each
    times its satisfaction; every price only falls as t grows.  Round s's price
    ``rho_s`` is at least ``(cost - money of P) / (satisfaction of the others)``
    for any set P of its supporters, with equality for those who pay all they
    have at y (``log[s]`` of y's state); those pay all they have at every t <= y
    too.  So for x <= t <= t' <= y, ``rho_s(t) - rho_s(t') >= k_s (t' - t)`` with
    ``k_s`` the rate of those of them with money left at x before round s (which
    then grows at least at their own rate, by induction) times their weight, over
    the satisfaction of the supporters who keep money at y.  A voter's money then
    grows at least at ``1 + sum of k_s x satisfaction`` over the rounds it paid
    in full.  Floats, each rounded down by far more than their rounding errors.
    """

    def __init__(self, engine: MesEngine, low: _RunState) -> None:
        self.e = engine
        self.low = low
        self.sigma = np.ones(engine.n_groups, dtype=np.float64)
        self.dead_x = np.zeros(engine.n_groups, dtype=np.bool_)  # spent at x
        self.dead_y = np.zeros(engine.n_groups, dtype=np.bool_)  # spent at y
        self.done = 0

    def upto(self, high: _RunState, rounds: int) -> npt.NDArray[np.float64]:
        """The rates for ``high`` (y) after its first ``rounds`` purchases."""
        e = self.e
        kernel = _kernel.kernel() if e.dense else None
        while self.done < rounds and kernel is not None:
            # (the same round by the compiled kernel: ballots list a project once)
            s = self.done
            w_s = high.bought[s]
            kernel.rates_round(
                e.groups[w_s], e.w_f[w_s], e.unit_f[w_s], high.log[s], self.low.log[s],
                e.counts_i, self.sigma, self.dead_x, self.dead_y,
            )  # fmt: skip
            self.done += 1
        while self.done < rounds:
            s = self.done
            w_s = high.bought[s]
            g = e.groups[w_s]
            wt = e.w_f[w_s]
            units: float | npt.NDArray[np.float64] = e.unit_f[w_s] if e.uniform else e.pts_f[w_s]
            poor_y = high.log[s]
            self.dead_y[poor_y] = True
            keeps = ~self.dead_y[g]
            if e.uniform:
                sat_keeps = float(wt[keeps].sum()) * e.unit_f[w_s]
            else:
                sat_keeps = float((wt * e.pts_f[w_s])[keeps].sum())
            counted = poor_y[~self.dead_x[poor_y]]
            if len(counted) and sat_keeps > 0:
                num = float((e.election.profile.counts[counted] * self.sigma[counted]).sum())
                k = num / sat_keeps * (1 - 4e-9)
                self.sigma[g] += k * units * (1 - 4e-9)
            self.dead_x[self.low.log[s]] = True
            self.done += 1
        return self.sigma


class _RunState:
    """Budgets during one MES run.

    ``budget`` holds each distinct ballot's remaining money as a float, within
    ``err`` of the exact value.  The exact value is never stored: a ballot
    either has no money left (``empty``, decided exactly) or has paid the full
    price of every bought project it supports, so its money is exactly
    ``share - sum of those prices``, computed on demand.
    """

    def __init__(self, engine: MesEngine, b0: Rational, *, slopes: bool = False) -> None:
        self.e = engine
        self.b0 = b0
        self.b0_f = float(b0)
        self.budget = np.full(engine.n_groups, self.b0_f, dtype=np.float64)
        # the compiled kernel, with approval-like satisfaction (see ``_kernel.py``)
        self.kernel = _kernel.kernel() if engine.uniform else None
        self._at_room = np.empty(0, dtype=np.int64)
        self._b_room = np.empty(0)
        # with ``slopes``: each ballot's d(money)/d(share) in floats, as if every
        # purchase so far drained the same voters at nearby shares (a guide for
        # where the add-one completion tries next, :func:`_predict_tangent`, never
        # a decision), and the slope of the price of each project priced in floats
        # in the current round (``priced``, per unit of satisfaction, computed with
        # its price, :meth:`price_slope`)
        self.slope: npt.NDArray[np.float64] | None = (
            np.ones(engine.n_groups, dtype=np.float64) if slopes else None
        )
        self.priced: dict[int, float] = {}
        # with ``slopes``: each project found unaffordable in floats, with the
        # increase of the share at which its supporters' money, along its tangent,
        # covers its cost, their largest money per satisfaction there (about its
        # price there), and the round (purchases made before)
        self.short: dict[int, _Short] = {}
        self.snaps: list[npt.NDArray[np.float64] | None] = []  # ``slope`` in each round
        self._snap = False
        self.empty = np.zeros(engine.n_groups, dtype=np.bool_)
        self.bought: list[int] = []
        self.rho: dict[int, Rational] = {}
        # per purchase, in order: what one supporter paying in full paid (per point)
        self._pay: list[Rational] = []
        # the same over a common denominator (``_den``, a multiple of the share's):
        # ``_nums[i] / _den`` is ``_pay[i]`` and ``_b0n / _den`` the share (sums of
        # them in integers, one rational at the end, see :meth:`exact_sum`)
        self._den = int(q(b0).denominator)
        self._b0n = int(q(b0).numerator)
        self._nums: list[int] = []
        self._bought_arr: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._cols: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)  # (see exact_sum)
        self.err = 0.0  # bound on |float budget - exact budget|
        self.n_empty = 0
        self._live: dict[int, _Live] = {}
        self.last_drained: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.log: list[npt.NDArray[np.int64]] = []  # the voters drained by each purchase
        self._rates: dict[int, _Rates] = {}  # (see :meth:`rates`)
        # projects found unaffordable, each with (r, a): after the first r purchases,
        # its supporters' money is at most a (exact: float errors included)
        self.shorts: dict[int, tuple[int, float]] = {}
        # per project found affordable (or not surely short), the purchases made then
        # (the last time): see :meth:`_affordable`
        self.afford: dict[int, int] = {}
        self._was_afford: dict[int, int] = {}
        self._cheaper = 0  # the first purchases the followed run's, none dearer here
        # with :meth:`follow_shorts`: a run's ``shorts``, the share's increase from it,
        # how many of the first purchases are that run's, and after each of those
        # the bound on how much more each project's supporters can have than there
        self._was_short: dict[int, tuple[int, float]] | None = None
        # (the followed run's purchases and prices, not the run itself: a run keeps
        # its state for its aims, so a state holding the run it followed would keep
        # every run of a search alive)
        self._was: tuple[tuple[int, ...], tuple[Rational, ...]] | None = None
        self._lift = 0.0
        self._same = 0
        self._more: list[npt.NDArray[np.float64]] = []

    def follow_shorts(self, run: MesRun) -> None:
        """Know what ``run`` found: the projects it found unaffordable
        (:meth:`short_by_bound`) and those it found affordable (:meth:`_affordable`);
        with approval-like satisfaction and the compiled kernel only."""
        if self.kernel is None or not self.e.uniform or not run.rhos:
            return
        self._was = (run.bought, run.rhos)
        self._more = [np.zeros(len(self.e.cost))]
        if run.shorts:
            self._was_short = run.shorts
            self._lift = max(0.0, float(self.b0 - run.budget_per_voter)) * (1 + 1e-12)
        if run.afford and run.budget_per_voter <= self.b0:
            self._was_afford = run.afford

    def _followed(self, p: int, rho: Rational) -> None:
        """After buying p at rho: whether the purchases are still the followed run's,
        and then how much more money each project's supporters can have than there.

        A voter's money after a purchase it supports is ``max(0, m - a)`` (m: its
        money before, a: the price per voter), which is 1-Lipschitz in m and in a,
        rising in m and falling in a.  So after the same purchases, a voter's money
        here is at most its money in the followed run plus the rise of the share
        (if it rose) plus, for each purchase it supports, how much less it cost here
        (if it did).  Summed over a project's supporters: its supporters' money
        there, plus their number times the rise, plus, per purchase, how much less it
        cost times the voters supporting both (:meth:`MesEngine.cosupport`)."""
        if self._was is None:
            return
        was_bought, was_rhos = self._was
        j = len(self.bought) - 1
        if self._same != j or j >= len(was_rhos) or was_bought[j] != p:
            return
        e = self.e
        less = float((was_rhos[j] - rho) * e.unit[p])
        if self._cheaper == j and rho <= was_rhos[j]:
            self._cheaper += 1
        more = self._more[-1]
        if less > 0:
            more = more + less * (1 + 1e-12) * e.cosupport(p)
        self._more.append(more)
        self._same += 1

    def short_by_bound(self, p: int) -> bool:
        """Whether p is surely unaffordable by what the followed run found: its
        supporters' money there after the first r purchases (the same here), with how
        much more they can have here (see :meth:`_followed`), less than its cost
        (more purchases since only take money away).  Noted in :attr:`shorts`, not in
        :attr:`short` (what its supporters lack is not computed): with aims, only
        below :data:`_SHORT_FOR_AIMS` of its cost."""
        was = self._was_short
        if was is None:
            return False
        got = was.get(p)
        if got is None or got[0] > self._same:
            return False
        r, money = got
        bound = (money + self.e.w_sum[p] * self._lift + float(self._more[r][p])) * (1 + 1e-9)
        if bound >= self.e.cost_f[p] * (_SHORT_FOR_AIMS if self.slope is not None else 1.0):
            return False
        self.shorts[p] = (r, bound)
        return True

    def _affordable(self, p: int) -> bool:
        """Whether p's supporters surely have the money for it, as far as the followed
        run tells (a guide only: whether to look at all of them before dropping the
        spent ones, :meth:`eval_float`).  With a share here no smaller than there, and
        every purchase so far the same and no dearer here, every voter has at least as much
        money here as there (``max(0, m - a)`` rises with m and falls with a); and
        there, p was affordable after at least as many purchases."""
        return self._was_afford.get(p, -1) >= len(self.bought) and len(self.bought) <= self._cheaper

    def _note_short(self, p: int, money: float, n: int, w_sum: float) -> None:
        """Note p unaffordable after the purchases made so far, its supporters' money
        being ``money`` in floats (n terms, the supporters' weight ``w_sum``): at
        most that plus the budgets' error and the sum's rounding."""
        bound = money + w_sum * self.err + (n + 4) * _EPS * abs(money)
        self.shorts[p] = (len(self.bought), bound * (1 + 1e-12))

    def live(self, p: int) -> _Live:
        """p's supporter arrays, dropping those with no money left when worthwhile."""
        e = self.e
        cur = self._live.get(p)
        if cur is None:
            cur = self._live[p] = _Live.every_supporter(e, p)
        if self.n_empty - cur.empties_seen > 0.1 * len(cur.g) + 64:
            if self.kernel is not None:  # (approval-like: no points to keep)
                n = len(cur.g)
                g, w, w_f = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n)
                k, total = self.kernel.compact(self.empty, cur.g, cur.w, cur.w_f, g, w, w_f)
                cur = _Live(g[:k], w[:k], w_f[:k], None, None, None, total, total, self.n_empty)
                self._live[p] = cur
                return cur
            # (indices taken: about twice as fast as indexing each array by a mask)
            keep = (~self.empty[cur.g]).nonzero()[0]
            w_f = cur.w_f.take(keep)
            if cur.pts is not None and cur.pts_f is not None and cur.wu_f is not None:
                wu_f = cur.wu_f.take(keep)
                cur = _Live(
                    cur.g.take(keep),
                    cur.w.take(keep),
                    w_f,
                    cur.pts.take(keep),
                    cur.pts_f.take(keep),
                    wu_f,
                    float(w_f.sum()),
                    float(wu_f.sum()),
                    self.n_empty,
                )
            else:
                total = float(w_f.sum())
                cur = _Live(
                    cur.g.take(keep),
                    cur.w.take(keep),
                    w_f,
                    None,
                    None,
                    None,
                    total,
                    total,
                    self.n_empty,
                )
            self._live[p] = cur
        return cur

    def price_slope(self, p: int) -> float:
        """The slope of p's price (per unit of satisfaction) as a function of the
        share, from its float computation in this round (0 when everyone paid the
        same; with ``slopes`` only): the money of the supporters who pay all they
        have grows with the share at their ``slope``, the others' pays the rest."""
        return self.priced.get(p, 0.0)

    def short_aim(self, rhos: tuple[Rational, ...], best: float) -> float:
        """The smallest of ``best`` and the share increases at which a project
        found unaffordable in round r (:attr:`short`) becomes affordable, along the
        tangents of its supporters' money then, at a price (there every supporter
        pays all it has: about the largest money per satisfaction) below round r's
        winner's; or, for the others, after the run's last purchase (an extra
        purchase; computed there only where the bound from round r, at which it
        lacks no more, is below the smallest so far).  With ``slopes``, once the
        run is over."""
        later: list[tuple[float, int]] = []
        fastest: dict[int, float] = {}  # per round, the largest slope
        for p, (g, w, b, units, lack, r, w_sum) in list(self.short.items()):
            snap = self.snaps[r] if r < len(self.snaps) else self.slope
            if snap is None:
                continue
            if r not in fastest:
                fastest[r] = float(snap.max())
            bound = lack / (w_sum * fastest[r]) if fastest[r] > 0 else math.inf  # <= lift
            if bound >= best:
                continue  # (``best`` only falls: also skipped among ``later``)
            if r < len(rhos):
                price = float(rhos[r])
                most = float(b.max()) / units if isinstance(units, float) else (b / units).max()
                if float(most) > price:  # (a bound on ``top`` below)
                    later.append((bound, p))
                    continue
            sl = snap[g]
            rate = float(np.einsum("i,i->", w, sl))
            if rate <= 0:
                continue
            lift = lack / rate
            if lift >= best:
                continue
            if r >= len(rhos) or float(((b + lift * sl) / units).max()) <= price:
                best = lift
            else:
                later.append((lift, p))
        for bound, p in sorted(later):
            if bound >= best:
                break
            got = self.short.pop(p)
            if self.eval_float(p) is None and p in self.short and self.slope is not None:
                g, w, _, _, lack, _, _ = self.short[p]
                rate = float(np.einsum("i,i->", w, self.slope[g]))
                if rate > 0:
                    best = min(best, lack / rate)
            self.short[p] = got
        return best

    def rates(self, low: _RunState) -> npt.NDArray[np.float64]:
        """Per distinct ballot, a lower bound on how fast its money grows with the
        share between ``low``'s share (x) and this one (y), wherever it is positive,
        both states after the same purchases (see :class:`_Rates`)."""
        cur = self._rates.get(id(low))
        if cur is None or cur.low is not low:
            cur = self._rates[id(low)] = _Rates(self.e, low)
        return cur.upto(self, len(self.bought))

    def _bump_err(self) -> None:
        self.err = (len(self.bought) + 1) * 8 * _EPS * self.b0_f

    def eval_float(self, p: int, start: float = 0.0) -> tuple[float, float] | None:
        """Float price per unit of satisfaction and its relative error bound.

        None if the supporters clearly cannot pay; ``(nan, -1)`` if it is too
        close to call in floats.  ``start``: a lower bound on the price (per unit
        of satisfaction), such as the lower end of an interval found earlier in
        the run (prices only rise within a run): the fixed point is then sought
        from there (from a little below it, far more than any rounding), which
        changes only the number of steps, not the point reached.
        """
        if self.kernel is not None:
            return self._eval_float_kernel(self.kernel, p, start)
        e = self.e
        c = e.cost_f[p]
        if p not in self._live and self.n_empty:
            # the first look at p in this run: before dropping its supporters with no
            # money left (:meth:`live`), whether all of them together are clearly short
            # of its cost (the commonest answer; those spent add exactly 0)
            g = e.groups[p]
            b = self.budget.take(g)
            avail = float(np.dot(e.w_f[p], b))
            if avail < c - (c * _NEAR + e.w_sum[p] * self.err):
                if self.slope is not None:
                    self.short[p] = (
                        g,
                        e.w_f[p],
                        b,
                        e.unit_f[p] if e.uniform else e.pts_f[p],
                        c - avail,
                        len(self.bought),
                        e.w_sum[p],
                    )
                    self._snap = True
                return None
        sup = self.live(p)
        b = self.budget.take(sup.g)
        w = sup.w_f
        if sup.pts_f is None:
            u = e.unit_f[p]
            r = b  # compare budgets with the price per voter
            wu = w
            total = sup.w_sum
        else:
            if not (sup.wu_f is not None):
                raise RuntimeError("internal invariant violated")
            u = 1.0
            r = b / sup.pts_f
            wu = sup.wu_f
            total = sup.wu_sum
        if total <= 0:
            return None
        price = c / total
        # (unaffordable first: the commonest answer; when nobody is short of money,
        # their money is at least ``c (1 + _NEAR)``, so not below ``c - slack``)
        slack = c * _NEAR + sup.w_sum * self.err
        wb = w * b
        avail = float(wb.sum())
        if avail < c - slack:
            if self.slope is not None:
                units: float | npt.NDArray[np.float64] = u if sup.pts_f is None else sup.pts_f
                self.short[p] = (sup.g, w, b, units, c - avail, len(self.bought), sup.w_sum)
                self._snap = True
            return None
        if float(r.min()) >= price * (1 + _NEAR):
            # nobody is short of money: everyone pays the same price
            self.priced.pop(p, None)
            return (price / u, _REL_FLOOR)
        if avail <= c + slack:
            return (math.nan, -1.0)
        # The supporters who cannot pay the price pay all they have; the price
        # rises as they are found, so iterate until no one else falls short.
        price = max(price, start * (1 - 1e-9) * u)
        got = None
        if len(r) >= _CUT_FROM:
            # Over the supporters short of a guess at the price only, when that
            # leaves out many: while every price reached stays at most the guess,
            # the same voters fall short, in the same order, so the same sums
            # and the same point (else computed over all of them)
            guess = price * _CUT
            short = (r < guess).nonzero()[0]
            if len(short) <= _CUT_KEEP * len(r):
                got = _fixed_point(r.take(short), wb.take(short), wu.take(short), price, c, total)
                if got is not None and got[4] <= guess:
                    got = (got[0], got[1], got[2], short.take(got[3]), got[4])
                else:
                    got = None
        if got is None:
            got = _fixed_point(r, wb, wu, price, c, total)
            if got is None:
                return (math.nan, -1.0)
        price, paid, w_poor, at, _ = got
        num = c - paid
        if num <= c * _NEAR:
            return (math.nan, -1.0)
        rel = _REL_FLOOR + (_REL_FACTOR * (c + paid) + 2 * w_poor * self.err) / num
        if self.slope is not None:
            spent = float(np.dot(w.take(at), self.slope.take(sup.g.take(at))))
            self.priced[p] = -spent / ((total - w_poor) * u)
        return (price / u, rel)

    def _eval_float_kernel(
        self, kernel: _kernel.Kernel, p: int, start: float
    ) -> tuple[float, float] | None:
        """:meth:`eval_float` by the compiled kernel (approval-like satisfaction), in
        one call (``eval_price`` in ``_kernel.c``): the same steps, each sum of money
        made in C (in another order than NumPy's, within the same bounds), and the
        fixed point's sums over those short of a price the same whether it looks at
        all the supporters or at those short of the guess only (so the same floats
        from any start below the price, with or without the guess)."""
        e = self.e
        c = e.cost_f[p]
        u = e.unit_f[p]
        if self._was_short is not None and self.short_by_bound(p):
            return None
        consts = (_NEAR, _CUT_FROM, _CUT, _CUT_KEEP, _REL_FLOOR, _REL_FACTOR)
        if p not in self._live and self.n_empty and not self._affordable(p):
            # (see :meth:`eval_float`: the first look, before dropping the spent)
            g, w = e.groups[p], e.w_f[p]
            b, at = self._rooms(len(g))
            res = kernel.eval_price(
                self.budget, g, w, c, e.w_sum[p], self.err, 0.0, True, *consts, b, at, None
            )
            if res[0] == _kernel.E_SHORT:
                self._note_short(p, res[3], len(g), e.w_sum[p])
                if self.slope is not None:
                    self.short[p] = (g, w, b.copy(), u, c - res[3], len(self.bought), e.w_sum[p])
                    self._snap = True
                return None
            self.afford[p] = len(self.bought)
        sup = self.live(p)
        if sup.w_sum <= 0:
            return None
        b, at = self._rooms(len(sup.g))
        res = kernel.eval_price(
            self.budget, sup.g, sup.w_f, c, sup.w_sum, self.err, start * (1 - 1e-9) * u, False,
            *consts, b, at, self.slope,
        )  # fmt: skip
        outcome = res[0]
        if outcome == _kernel.E_PRICED:
            self.afford[p] = len(self.bought)
            if self.slope is not None:
                self.priced[p] = -res[9] / ((sup.w_sum - res[5]) * u)
            return (res[1] / u, res[2])
        if outcome == _kernel.E_SHORT:
            self._note_short(p, res[3], len(sup.g), sup.w_sum)
            if self.slope is not None:
                self.short[p] = (
                    sup.g, sup.w_f, b.copy(), u, c - res[3], len(self.bought), sup.w_sum
                )  # fmt: skip
                self._snap = True
            return None
        if outcome == _kernel.E_ALL_PAY:
            self.afford[p] = len(self.bought)
            self.priced.pop(p, None)
            return (res[1] / u, res[2])
        return (math.nan, -1.0)  # (E_CLOSE)

    def _rooms(self, n: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        # room for the money and the positions the kernel writes, n of each (reused:
        # what is kept is copied out before the next call)
        if len(self._at_room) < n:
            size = max(n, 2 * len(self._at_room))
            self._b_room = np.empty(size)
            self._at_room = np.empty(size, dtype=np.int64)
        return self._b_room[:n], self._at_room[:n]

    # -- exact values -----------------------------------------------------------

    def _price(self, k: int, pts: int) -> Rational:
        """Exact amount a supporter of bought project k pays (if it can)."""
        e = self.e
        if e.uniform:
            return self.rho[k] * e.unit[k]
        return self.rho[k] * q(pts, e.scale)

    def paid(self, amount: Rational) -> None:
        """Record what a supporter paying the latest purchase in full paid (per
        point): :attr:`_pay` (:attr:`_nums` follows on demand, :meth:`_numerators`)."""
        self._pay.append(amount)

    def _numerators(self) -> list[int]:
        """:attr:`_nums` brought up to date with :attr:`_pay` (one common
        denominator for all the purchases made since the last call)."""
        nums = self._nums
        if len(nums) == len(self._pay):
            return nums
        new = [(int(x.numerator), int(x.denominator)) for x in self._pay[len(nums) :]]
        den = self._den
        for _, d in new:
            if den % d:
                den *= d // math.gcd(den, d)
        if den != self._den:
            grow = den // self._den
            self._den = den
            self._b0n *= grow
            nums = [x * grow for x in nums]
        nums.extend(n * (den // d) for n, d in new)
        self._nums = nums
        return nums

    def exact_budget(self, g: int) -> Rational:
        if self.empty[g]:
            return q(0)
        prof = self.e.election.profile
        lo, hi = int(prof.indptr[g]), int(prof.indptr[g + 1])
        value = self.b0
        rho = self.rho
        pts = prof.points if not self.e.uniform else None
        for j in range(lo, hi):
            k = int(prof.indices[j])
            if k in rho:
                p = int(pts[j]) if pts is not None else 0
                if pts is not None and p == 0:
                    continue  # gave no points: did not pay
                value -= self._price(k, p)
        return value

    def exact_sum(self, groups: npt.NDArray[np.int64]) -> Rational:
        """Exact total money left of the given non-empty distinct ballots (weighted)."""
        e = self.e
        prof = e.election.profile
        if len(groups) == 0:
            return q(0)
        if e.dense:
            # the voters of these ballots supporting each project bought: their weights
            # times the ballots' columns of :attr:`MesEngine.member` (exact, see there)
            if len(self._cols) != len(self.bought):
                # (the columns of the purchases made since: the others are the same)
                more = e.member_cols(self.bought[len(self._cols) :])
                self._cols = np.concatenate((self._cols, more)) if len(self._cols) else more
            counts_d: npt.NDArray[np.generic]
            if self.kernel is not None and len(e.member_col) <= 64:
                # (the same counts by the compiled kernel, from each ballot's mask)
                counts_d = np.empty(len(self._cols))
                voters = self.kernel.member_bits(
                    e.member_bits, e.counts_i, groups, self._cols, counts_d
                )
            elif self.kernel is not None and e.dense_type is np.float32:
                # (the same counts by the compiled kernel, from the bought columns only)
                counts_d = np.empty(len(self._cols))
                voters = self.kernel.member_counts(
                    e.member, e.counts_i, groups, self._cols, counts_d
                )
            else:
                w_f = e.counts_f.take(groups)
                voters = int(w_f.sum(dtype=np.float64))
                counts_d = (w_f @ e.member.take(groups, axis=0)).take(self._cols)
            if not self.bought:
                return self.b0 * voters
            # (in integers over ``_den``: several times cheaper than rational steps)
            nums = self._numerators()
            acc = self._b0n * voters
            for num, count in zip(nums, counts_d.tolist(), strict=True):
                if count:
                    acc -= num * int(count)
            return q(acc, self._den)
        w = prof.counts[groups]
        total: Rational = self.b0 * int(w.sum())
        if not self.bought:
            return total
        offsets, lengths = _entries(prof, groups)
        if len(offsets) == 0:
            return total
        weights = np.repeat(w, lengths).astype(np.float64)
        if prof.points is not None and not e.uniform:
            weights = weights * prof.points[offsets]
        per_project = np.bincount(prof.indices[offsets], weights=weights, minlength=len(e.cost))
        if len(self._bought_arr) != len(self.bought):
            self._bought_arr = np.array(self.bought, dtype=np.int64)
        counts = per_project[self._bought_arr]
        pay = self._pay
        for i in np.flatnonzero(counts).tolist():
            total -= pay[i] * int(counts[i])
        return total

    def bracketed(self, p: int, below: Rational, above: Rational) -> Rational | None | bool:
        """p's exact price, known to lie between ``below`` and ``above`` (exact
        prices of p after the same purchases at a larger and a smaller share: with
        the same purchases every voter's money only grows with the share, so every
        price only falls), by :meth:`eval_exact` from those bounds, without pricing
        in floats first; False (not computed) when more than :data:`_BRACKET_UNSURE`
        supporters' money lies between the two (each would be computed exactly)."""
        if below > above:
            return False
        lo, hi = float(below), float(above)
        if self.kernel is not None:
            # (counted as :meth:`eval_exact` classes them: the spent ones aside)
            return self._exact_kernel(self.kernel, p, (lo, hi), _BRACKET_UNSURE)
        e = self.e
        sup = self.live(p)
        b = self.budget.take(sup.g)
        units_f: float | npt.NDArray[np.float64] = e.unit_f[p] if sup.pts_f is None else sup.pts_f
        tol = 2 * self.err
        # (as :meth:`eval_exact` counts them, spent ones aside: those have 0 <= lo)
        between = (b + tol >= lo * (1 - _NEAR) * units_f) & (b - tol <= hi * (1 + _NEAR) * units_f)
        if np.count_nonzero(between) > _BRACKET_UNSURE:
            return False
        return self.eval_exact(p, (lo, hi))

    def eval_exact(self, p: int, bounds: tuple[float, float] | None) -> Rational | None:
        """Exact price per unit of satisfaction, or None if unaffordable.

        ``bounds`` (lo, hi) bracket the price, from floats: supporters whose
        money is clearly below lo x satisfaction pay all they have, those clearly
        above hi x satisfaction pay the full price; only the others are sorted
        exactly.
        """
        if self.kernel is not None and bounds is not None:
            got = self._exact_kernel(self.kernel, p, bounds)
            if got is False:
                raise RuntimeError("internal invariant violated")
            return got
        e = self.e
        sup = self.live(p)
        g = sup.g
        w = sup.w
        b = self.budget.take(g)
        live = ~self.empty.take(g)
        if sup.pts_f is None:
            units_f: float | npt.NDArray[np.float64] = e.unit_f[p]
        else:
            units_f = sup.pts_f
        if bounds is not None:
            lo, hi = bounds[0] * (1 - _NEAR), bounds[1] * (1 + _NEAR)
            tol = 2 * self.err
            poor = live & (b + tol < lo * units_f)
            rich = live & (b - tol > hi * units_f)
            # (poor and rich are apart: any other live one is unsure)
            if np.count_nonzero(live) > np.count_nonzero(poor) + np.count_nonzero(rich):
                unsure = live & ~poor & ~rich
            else:
                unsure = np.zeros(0, dtype=np.bool_)
        else:
            poor = np.zeros(len(g), dtype=np.bool_)
            rich = poor
            unsure = live
        paid = self.exact_sum(g.take(poor.nonzero()[0]))
        if e.uniform:
            rem: Rational = e.unit[p] * int(w.take(rich.nonzero()[0]).sum())
        else:
            if not (sup.pts is not None):
                raise RuntimeError("internal invariant violated")
            rem = q(int(np.dot(w[rich], sup.pts[rich])), e.scale)
        return self._exact_from(p, bounds, paid, rem, np.nonzero(unsure)[0].tolist())

    def _exact_kernel(
        self,
        kernel: _kernel.Kernel,
        p: int,
        bounds: tuple[float, float],
        most_unsure: int | None = None,
    ) -> Rational | None | bool:
        """:meth:`eval_exact` from float bounds by the compiled kernel (the same
        classes); False (not computed) when more than ``most_unsure`` supporters are
        to be decided exactly."""
        e = self.e
        sup = self.live(p)
        g = sup.g
        unit_f = e.unit_f[p]
        lo, hi = bounds[0] * (1 - _NEAR), bounds[1] * (1 + _NEAR)
        poor_g = np.empty(len(g), dtype=np.int64)
        unsure_at = np.empty(len(g), dtype=np.int64)
        n_poor, n_unsure, n_rich = kernel.exact_classify(
            self.budget, self.empty, g, sup.w, lo * unit_f, hi * unit_f, 2 * self.err,
            poor_g, unsure_at,
        )  # fmt: skip
        if most_unsure is not None and n_unsure > most_unsure:
            return False
        return self._exact_from(
            p, bounds, self.exact_sum(poor_g[:n_poor]), e.unit[p] * n_rich,
            unsure_at[:n_unsure].tolist(),
        )  # fmt: skip

    def _exact_from(
        self,
        p: int,
        bounds: tuple[float, float] | None,
        paid: Rational,
        rem: Rational,
        unsure: list[int],
    ) -> Rational | None:
        """:meth:`eval_exact` once the supporters surely paying all they have (their
        money: ``paid``) and those surely paying the price (their satisfaction:
        ``rem``) are known: the others (positions ``unsure``) sorted exactly."""
        e = self.e
        sup = self.live(p)
        g = sup.g
        w = sup.w
        cost = e.cost[p]
        cand: list[tuple[Rational, Rational, Rational]] = []  # ratio, money x weight, sat x weight
        for j in unsure:
            money = self.exact_budget(int(g[j]))
            u = e.unit[p] if sup.pts is None else q(int(sup.pts[j]), e.scale)
            wt = int(w[j])
            cand.append((money / u, money * wt, u * wt))
            rem += u * wt
        cand.sort(key=lambda t: t[0])
        for ratio, money, sat in cand:
            if rem <= 0:
                return None
            rho = (cost - paid) / rem
            if rho <= ratio:
                return self._checked(p, rho, bounds)
            paid += money
            rem -= sat
        if rem <= 0:
            return None
        return self._checked(p, (cost - paid) / rem, bounds)

    def _checked(
        self, p: int, rho: Rational, bounds: tuple[float, float] | None
    ) -> Rational | None:
        if bounds is None:
            return rho
        value = float(rho)
        if bounds[0] * (1 - _NEAR / 2) <= value <= bounds[1] * (1 + _NEAR / 2):
            return rho
        return self.eval_exact(p, None)  # the float bracket was wrong: decide from scratch

    def _drained_money(
        self, groups: npt.NDArray[np.int64], w: npt.NDArray[np.int64], paid_by: dict[Rational, int]
    ) -> None:
        """Add to ``paid_by`` the exact money of each of the non-empty distinct
        ballots ``groups`` (weights ``w``): :meth:`exact_budget` of each, computed once
        per distinct set of bought projects they paid in full (with their points)."""
        if len(groups) == 0:
            return
        e = self.e
        prof = e.election.profile
        n_bought = len(self.bought)
        if n_bought == 0:
            paid_by[self.b0] = paid_by.get(self.b0, 0) + int(w.sum())
            return
        offsets, lengths = _entries(prof, groups)
        n = len(offsets)
        owner = np.repeat(np.arange(len(groups)), lengths)
        slot = np.full(len(e.cost), -1, dtype=np.int64)  # project -> its purchase index
        slot[np.array(self.bought, dtype=np.int64)] = np.arange(n_bought)
        k = slot[prof.indices[offsets]]
        on = k >= 0
        if e.uniform or prof.points is None:
            amount = np.ones(n, dtype=np.int64)
        else:
            amount = prof.points[offsets].astype(np.int64)
        # per ballot, what it paid of each purchase (1 or its points; 0: not a supporter)
        paid = np.zeros((len(groups), n_bought), dtype=np.int64)
        paid[owner[on], k[on]] = amount[on]
        # equal rows found by a hash of each row, checked row by row (a collision
        # falls back to comparing whole rows)
        mix = _mix(n_bought)
        key = paid @ mix  # (wraps around: a hash)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        rows = paid[first]
        if not np.array_equal(rows[inverse], paid):
            rows, inverse = np.unique(paid, axis=0, return_inverse=True)
        weight = np.bincount(inverse.reshape(-1), weights=w.astype(np.float64), minlength=len(rows))
        pay = self._pay
        money = [self.b0] * len(rows)
        r_idx, c_idx = np.nonzero(rows)
        for r, c, v in zip(
            r_idx.tolist(), c_idx.tolist(), rows[r_idx, c_idx].tolist(), strict=True
        ):
            money[r] -= pay[c] if v == 1 else pay[c] * v
        for value, total in zip(money, weight.tolist(), strict=True):
            paid_by[value] = paid_by.get(value, 0) + int(total)

    def buy(self, p: int, rho: Rational, *, record: bool) -> tuple[Payment, ...]:
        """Charge p's supporters ``min(money, rho x satisfaction)``."""
        if self.kernel is not None and not record:
            self._buy_kernel(self.kernel, p, rho)
            return ()
        e = self.e
        sup = self.live(p)
        g = sup.g
        w = sup.w
        b = self.budget.take(g)
        live = ~self.empty.take(g)
        if sup.pts_f is None:
            price_f: float | npt.NDArray[np.float64] = float(rho * e.unit[p])
        else:
            price_f = float(rho) * sup.pts_f
        tol = 2 * self.err + abs(self.b0_f) * _NEAR * 1e-3
        drained = live & (b + tol < price_f)
        keeps = live & (b - tol > price_f)
        # (drained and keeps are apart: any other live one is unsure)
        if np.count_nonzero(live) > np.count_nonzero(drained) + np.count_nonzero(keeps):
            unsure = np.nonzero(live & ~drained & ~keeps)[0]
        else:
            unsure = np.zeros(0, dtype=np.int64)
        paid_by: dict[Rational, int] = {}
        if record:
            self._drained_money(g[drained], w[drained], paid_by)
        for j in unsure.tolist():
            money = self.exact_budget(int(g[j]))
            u = e.unit[p] if sup.pts is None else q(int(sup.pts[j]), e.scale)
            price = rho * u
            if price >= money:
                drained[j] = True
                if record:
                    paid_by[money] = paid_by.get(money, 0) + int(w[j])
            else:
                keeps[j] = True
        if record:
            if e.uniform:
                n_full = int(w[keeps].sum())
                if n_full:
                    full = rho * e.unit[p]
                    paid_by[full] = paid_by.get(full, 0) + n_full
            else:
                for j in np.nonzero(keeps)[0].tolist():
                    if not (sup.pts is not None):
                        raise RuntimeError("internal invariant violated")
                    amount = rho * q(int(sup.pts[j]), e.scale)
                    paid_by[amount] = paid_by.get(amount, 0) + int(w[j])
        at_d = drained.nonzero()[0]
        at = keeps.nonzero()[0]
        gd = g.take(at_d)
        gk = g.take(at)
        if self.slope is not None:
            # (kept for :meth:`short_aim` if a project was found short this round)
            self.snaps.append(self.slope if self._snap else None)
            if self._snap:
                self.slope = self.slope.copy()
                self._snap = False
            sl = self.slope.take(g)
            if sup.pts_f is None:
                units_f = e.unit_f[p]
                sat_keeps = float(sup.w_f.take(at).sum()) * units_f
            else:
                sat_keeps = float((sup.w_f * sup.pts_f).take(at).sum())
            self.slope[g] = 0.0
            if sat_keeps > 0:
                d_rho = -float(np.dot(sup.w_f.take(at_d), sl.take(at_d))) / sat_keeps
                if sup.pts_f is None:
                    self.slope[gk] = sl.take(at) - d_rho * units_f
                else:
                    self.slope[gk] = sl.take(at) - d_rho * sup.pts_f.take(at)
        self.priced = {}
        self.rho[p] = rho
        self.bought.append(p)
        self.paid(rho * e.unit[p] if e.uniform else rho / e.scale)
        self._followed(p, rho)
        self.last_drained = gd
        self.log.append(gd)
        self.n_empty += len(gd)
        self.empty[gd] = True
        self.budget[gd] = 0.0
        # (only those who keep money change: every budget is at least 0 already)
        if e.uniform:
            left = self.budget.take(gk) - price_f
        else:
            if not (isinstance(price_f, np.ndarray)):
                raise RuntimeError("internal invariant violated")
            left = self.budget.take(gk) - price_f.take(at)
        np.maximum(left, 0.0, out=left)
        self.budget[gk] = left
        self._bump_err()
        payments = sorted((Payment(a, n) for a, n in paid_by.items()), key=lambda x: -x.amount)
        return tuple(payments)

    def _buy_kernel(self, kernel: _kernel.Kernel, p: int, rho: Rational) -> None:
        """:meth:`buy` (not recorded, approval-like satisfaction) by the compiled
        kernel: the same classes (spent already, surely short of the price, surely
        above it, unsure: decided exactly here), budgets and slopes."""
        e = self.e
        sup = self.live(p)
        g = sup.g
        n = len(g)
        price_f = float(rho * e.unit[p])
        tol = 2 * self.err + abs(self.b0_f) * _NEAR * 1e-3
        cls = np.empty(n, dtype=np.int8)
        room = np.empty(n, dtype=np.int64)
        if self.slope is not None:
            # (kept for :meth:`short_aim` if a project was found short this round)
            self.snaps.append(self.slope if self._snap else None)
            if self._snap:
                self.slope = self.slope.copy()
                self._snap = False
        unit_f = e.unit_f[p]
        d = kernel.buy(
            self.budget, self.empty, g, sup.w_f, price_f, tol, unit_f, self.slope, cls, room
        )
        if d < 0:  # (some supporters' money too close to the price: decided exactly)
            for j in room[: -1 - d].tolist():
                money = self.exact_budget(int(g[j]))
                cls[j] = 1 if rho * e.unit[p] >= money else 2
            d = kernel.buy_apply(
                self.budget, self.empty, g, sup.w_f, cls, price_f, unit_f, self.slope, room
            )
        gd = room[:d].copy()
        self.priced = {}
        self.rho[p] = rho
        self.bought.append(p)
        self.paid(rho * e.unit[p])
        self._followed(p, rho)
        self.last_drained = gd
        self.log.append(gd)
        self.n_empty += d
        self._bump_err()


class _FloatBatch:
    """MES decided in floats at several shares at once (:meth:`MesEngine.run_float_batch`).

    Each distinct ballot's money at each share (``budget``, ballots x shares, so
    that a ballot's money at every share is gathered or written at once, in a
    cache line or two; :meth:`_cols` gives the supporters' as shares x ballots,
    as the computations read them; 0 exactly once it is spent, and only then), and per share a bound
    on every ballot's error (``err``; a ballot's own bound is rebuilt from the
    purchases where ``err`` is not enough to decide, :meth:`errs`).  Every share makes
    the decisions :meth:`MesEngine.run_float` documents, by itself: the shares
    only share the NumPy calls (a project's price is computed for all the shares
    that need it in one call, a purchase for all the shares buying the same
    project), and every float of a share is computed from that share's row
    alone.  A project's supporters are kept without the ballots spent at every
    share still running (``dead``, compacted now and then): they would pay
    nothing.  Which floats a sum adds up can therefore depend on the other
    shares, and so can how close a decision has to be for a share to give None;
    an outcome given is the exact run's all the same.
    """

    def __init__(self, engine: MesEngine, shares: list[Rational]) -> None:
        self.e = engine
        k = self.k = len(shares)
        self.b0 = np.array([float(s) for s in shares], dtype=np.float64)
        self.base = 2 * _EPS * np.abs(self.b0)  # a float share's error, and a subtraction's
        self.budget = np.repeat(self.b0[None, :], engine.n_groups, axis=0)
        self.err = self.base.copy()
        # per share: a bound on the sum over all ballots of weight x error, which a
        # purchase only raises by its roundings (see :meth:`buy`); so also a bound
        # on each ballot's error that does not compound from purchase to purchase
        self.spread = self.base * float(engine.election.profile.counts.sum())
        # per project priced in this round: the shares and what buying it there
        # adds to ``spread`` (approval-like satisfaction only)
        self._spill: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}
        # per share and bought project: what each purchase adds to the error bound
        # of a ballot that pays it in full, per unit of satisfaction (plus ``base``)
        self.coef = np.zeros((k, len(engine.ids)))
        self.paid = np.zeros((k, len(engine.ids)), dtype=np.bool_)
        self.dead = np.zeros(engine.n_groups, dtype=np.bool_)  # spent at every share running
        self.n_dead = 0
        self._live: dict[int, _Live] = {}
        # the budgets :meth:`price` gathered for each project in this round
        self._gathered: dict[
            int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]
        ] = {}
        # (approval-like satisfaction) per project priced in this round: the shares
        # and the price per voter :meth:`_price_uniform` checked nobody's money is
        # near (what :meth:`buy` charges), and its supporters' rows of ``budget``
        # at every share (ballots x shares) when it gathered them whole
        self._checked: dict[
            int,
            tuple[
                npt.NDArray[np.int64],
                npt.NDArray[np.int64],
                npt.NDArray[np.float64],
                npt.NDArray[np.float64] | None,
            ],
        ] = {}
        self._rows_taken = np.zeros((0, k))  # the rows :meth:`_cols` took last (all shares)
        self._every = np.arange(k)
        # the compiled kernel, with approval-like satisfaction (see ``_kernel.py``)
        self.kernel = _kernel.kernel() if engine.uniform else None
        # ``budget`` as one element per ballot (its row at every share): a purchase
        # at every share writes its supporters' rows back in one ``put``, about
        # twice as fast as assigning rows of a 2-D array
        self._rows = self.budget.view(np.dtype((np.void, 8 * k))).reshape(engine.n_groups)

    def live(self, p: int) -> _Live:
        """p's supporter arrays, without the dead ballots when worthwhile."""
        e = self.e
        cur = self._live.get(p)
        if cur is None:
            cur = self._live[p] = _Live.every_supporter(e, p)
        if self.n_dead - cur.empties_seen > 0.1 * len(cur.g) + 64:
            keep = ~self.dead[cur.g]
            w_f = cur.w_f[keep]
            pts = pts_f = wu_f = None
            total = wu_total = float(w_f.sum())  # integers: exact
            if cur.pts is not None and cur.pts_f is not None and cur.wu_f is not None:
                pts, pts_f, wu_f = cur.pts[keep], cur.pts_f[keep], cur.wu_f[keep]
                wu_total = float(wu_f.sum())
            cur = _Live(
                cur.g[keep], cur.w[keep], w_f, pts, pts_f, wu_f, total, wu_total, self.n_dead
            )
            self._live[p] = cur
        return cur

    def _budgets(
        self, p: int, g: npt.NDArray[np.int64], rows: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        """The budgets of p's supporters ``g`` at the shares ``rows`` (sorted), from
        :meth:`price`'s gathering in this round when it has them all."""
        got = self._gathered.get(p)
        if got is not None and got[0] is g:
            cols, b = got[1], got[2]
            if len(cols) == len(rows) and _all(cols == rows):
                return b
            at = np.searchsorted(cols, rows)
            if _all(at < len(cols)) and _all(cols[np.minimum(at, len(cols) - 1)] == rows):
                return b[at]
        return self._cols(g, None if len(rows) == self.k else rows)

    def _cols(
        self, g: npt.NDArray[np.int64], cols: npt.NDArray[np.int64] | None
    ) -> npt.NDArray[np.float64]:
        """The money of the ballots ``g`` at the shares ``cols`` (None: all), shares x
        ballots, C-contiguous (NumPy reduces a transposed view far more slowly): one
        gather by flat index, the fastest way found."""
        k = self.k
        if cols is None or 2 * len(cols) >= k:
            # each ballot's row at once (a cache line or two), then transposed
            rows = self.budget.take(g, axis=0)
            if cols is None:
                self._rows_taken = rows
                return np.ascontiguousarray(rows.T)
            return np.ascontiguousarray(rows[:, cols].T)
        return self.budget.reshape(-1).take(g * k + cols[:, None])

    def run(self) -> list[tuple[int, ...] | None]:
        # (a price whose supporters are all short is inf or nan: not ok, see :meth:`price`)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._run()

    def _run(self) -> list[tuple[int, ...] | None]:
        e = self.e
        k = self.k
        n_proj = len(e.ids)
        results: list[tuple[int, ...] | None] = [None] * k
        log: list[npt.NDArray[np.int64]] = []  # per round, what each share bought

        ends: list[tuple[int, int]] = []  # (share, rounds) of each share finished

        def outcome(i: int) -> None:  # (a share still running has bought each round)
            ends.append((i, len(log)))

        # per project and share (one row per project: what a project's evaluation
        # reads and writes is contiguous): a bound on the price no purchase can lower
        # (the lower end of its last float interval), and whether it may still be bought
        lower = np.tile(np.array(e.lower0, dtype=np.float64)[:, None], (1, k))
        active = np.zeros((n_proj, k), dtype=np.bool_)
        active[e.eligible] = True
        alive = np.ones(k, dtype=np.bool_)
        inf = math.inf
        # this round's float intervals of the prices (lo inf: not evaluated; the
        # others are only read where lo is set; upper ends only as ``best_hi``)
        lo = np.full((n_proj, k), inf)
        rho = np.zeros((n_proj, k))
        rel = np.zeros((n_proj, k))
        best_hi = np.full(k, inf)
        touched: list[int] = []  # projects evaluated in this round

        # per project, its smallest bound at a share where it may still be bought
        # (the order in which a round evaluates them), recomputed for the projects
        # whose bounds or shares changed (``dirty``), for all when shares stopped
        keys = np.where(active & alive, lower, inf).min(axis=1)
        keys_alive = alive.copy()
        dirty: set[int] = set()

        def evaluate(cols: npt.NDArray[np.int64], p: int) -> None:
            dirty.add(p)
            gone, ok, rho_p, rel_p = self._price(cols, p, lower[p, cols])
            if _all(ok):  # (ok: not gone)
                good, r, x = cols, rho_p, rel_p
            else:
                if _any(gone):
                    active[p, cols[gone]] = False
                bad = ~(gone | ok)
                if _any(bad):
                    alive[cols[bad]] = False  # too close to call: None
                good = cols[ok]
                if not len(good):
                    return
                r, x = rho_p[ok], rel_p[ok]
            touched.append(p)
            low = r * (1 - x)
            lower[p, good] = low
            lo[p, good] = low
            rho[p, good] = r
            rel[p, good] = x
            best_hi[good] = np.minimum(best_hi[good], r * (1 + x))

        rounds = 0
        while _any(alive):
            # Every share evaluates its projects until every one not evaluated has a
            # bound above the smallest upper end so far (``best_hi``), as run_float
            # does; each project is evaluated for all the shares needing it at once,
            # by their smallest bound at the start of the round (a bound not
            # evaluated does not change within a round).
            if touched:
                lo[touched] = inf
                touched.clear()
            best_hi.fill(inf)
            self._gathered.clear()
            self._checked.clear()
            self._spill.clear()
            if not _all(alive == keys_alive):
                keys = np.where(active & alive, lower, inf).min(axis=1)
                keys_alive = alive.copy()
            elif dirty:
                at = np.array(sorted(dirty))
                keys[at] = np.where(active[at] & alive, lower[at], inf).min(axis=1)
            dirty.clear()
            key_list = keys.tolist()
            top = inf
            for p in np.argsort(keys, kind="stable").tolist():
                if key_list[p] > top:
                    break
                cols = (active[p] & alive & (lower[p] <= best_hi)).nonzero()[0]
                if len(cols):
                    evaluate(cols, p)
                    top = float(best_hi[alive].max(initial=-inf))
            # each share's winner: the only project whose interval reaches below
            # every upper end, or an exact tie among projects paid in full by all
            # their supporters with money left (then compared exactly)
            evaluated = np.isfinite(best_hi) & alive
            for i in (alive & ~evaluated).nonzero()[0].tolist():
                outcome(i)  # nothing affordable is left
            alive &= evaluated
            cand = (lo[touched] <= best_hi) & alive  # (only those evaluated can be)
            n_cand = cand.sum(axis=0)
            pick = np.array(touched, dtype=np.int64)
            winners = np.where(n_cand == 1, pick[cand.argmax(axis=0)] if len(pick) else -1, -1)
            tied = (n_cand > 1).nonzero()[0]
            if len(tied):
                full = np.zeros((len(tied), n_proj), dtype=np.bool_)
                full[:, pick] = cand[:, tied].T
                won = self.tie_winners(tied, full, rho[:, tied].T)
                winners[tied] = won
                alive[tied[won < 0]] = False
            buying = alive.nonzero()[0]
            bought = np.full(k, -1)
            buys = sorted(set(winners[buying].tolist()))
            for p in buys:
                rows = buying[winners[buying] == p]
                oks = self.buy(rows, p, rho[p, rows], rel[p, rows], checked=True)
                alive[rows[~oks]] = False
                active[p, rows[oks]] = False
                bought[rows[oks]] = p
                dirty.add(p)
            log.append(bought)
            done = alive & ~active.any(axis=0)
            for i in done.nonzero()[0].tolist():
                outcome(i)
            alive &= ~done
            rounds += 1
            running = alive.nonzero()[0]
            if rounds % _DEAD_EVERY == 0 and len(running):
                # ballots now spent at every share still running (only ever more)
                # (money is never negative: a sum over the running shares is 0
                # exactly when all are; a product with a mask is the fastest found)
                mask = np.zeros(k)
                mask[running] = 1.0
                self.dead = (self.budget @ mask) == 0
                self.n_dead = int(self.dead.sum())
        if ends:
            bought_by = np.array(log, dtype=np.int64).reshape(len(log), k)
            for i, n in ends:
                results[i] = (*e.free, *bought_by[:n, i].tolist())
        return results

    def price(
        self,
        cols: npt.NDArray[np.int64],
        p: int,
        start: npt.NDArray[np.float64] | None = None,
    ) -> _Priced:
        """:meth:`_price` (which :meth:`run` calls with NumPy's warnings off)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._price(cols, p, start)

    def _price_uniform(
        self,
        cols: npt.NDArray[np.int64],
        p: int,
        sup: _Live,
        start: npt.NDArray[np.float64] | None,
    ) -> _Priced:
        """:meth:`_price` where every supporter's satisfaction is the same (the
        budgets compared with the price per voter): the same computation, in fewer
        NumPy calls, and over the supporters short of an upper guess at the price
        only (``_CUT`` times the starting one) where that leaves out many: the
        others pay the price in full at every share where it stays below the guess
        by more than their error and the price's (checked; else computed over
        every supporter)."""
        if self.kernel is not None:
            return self._price_kernel(self.kernel, cols, p, sup, start)
        e = self.e
        g = sup.g
        rows: npt.NDArray[np.float64] | None = None
        if len(cols) == self.k:
            sel = None
            b = self._cols(g, None)
            rows = self._rows_taken
            err = self.err
            spread = self.spread
            base = self.base
        else:
            sel = cols
            b = self._cols(g, sel)
            err = self.err[sel]
            spread = self.spread[sel]
            base = self.base[sel]
        self._gathered[p] = (g, cols, b)
        c = e.cost_f[p]
        m = len(cols)
        n = len(g)
        gamma = (n + 4) * _EPS
        w = sup.w_f
        total = sup.w_sum  # a sum of integers: exact
        u = e.unit_f[p]
        if total <= 0:
            none = np.zeros(m, dtype=np.bool_)
            return ~none, none, np.zeros(m), np.zeros(m)
        avail = b @ w
        slack = np.minimum(total * err, spread)
        slack += gamma * (avail + c)
        gone = avail < c - slack
        ok = avail > c + slack  # (and so not gone)
        if not _any(ok):
            return gone, ok, np.zeros(m), np.zeros(m)
        if start is not None:
            price0 = np.maximum(start * u, c / total)
        else:
            price0 = np.full(m, c / total)
        cut = None
        bs, ws = b, w
        if n >= _CUT_FROM:
            guess = price0 * _CUT
            short = np.flatnonzero((b < guess[:, None]).any(axis=0))
            if len(short) <= _CUT_KEEP * n:
                cut = guess
                bs, ws = np.take(b, short, axis=1), w[short]
        while True:
            ok_try = ok.copy() if cut is not None else ok
            # Newton's method from below, as in :meth:`_price` (same sets, same sums)
            price = price0
            poor = bs < price[:, None]
            n_poor = poor @ ws
            paid: float | npt.NDArray[np.float64] = 0.0
            sat_left: float | npt.NDArray[np.float64] = total
            moved = ok_try & (n_poor > 0)
            if _any(moved):
                for _ in range(40):
                    paid = (bs * poor) @ ws
                    sat_left = total - n_poor
                    ok_try &= sat_left > 0
                    price = (c - paid) / sat_left
                    poor = bs < price[:, None]
                    more = poor @ ws
                    moved = ok_try & (more != n_poor)
                    n_poor = more
                    if not _any(moved):
                        break
                else:
                    ok_try &= ~moved
                ok_try &= sat_left > 0
            paid_err = np.minimum(err * n_poor, spread)
            num = c - paid
            rounding = _EPS * c + gamma * paid
            num_err = rounding + paid_err
            ok_try &= num > 2 * num_err
            rel = (num_err / (num - num_err) + 4 * _EPS) * 1.001
            ok_try &= rel < 0.25  # (so that :meth:`buy` drains every spent ballot)
            # nobody's money within its error plus the price's of the price: first
            # with the largest error bound, then with each ballot's own
            tol = err + price * (2 * rel)
            if cut is not None:
                # those left out have at least ``cut``: clear of the price?
                clear = (cut - price) * (1 - 1e-9) > tol * (1 + 1e-9)
                if not _all(clear | ~ok_try):
                    cut = None
                    bs, ws = b, w
                    continue
            dist = np.abs(bs - price[:, None])
            # (someone within tol of the price: the row's least distance, NaNs aside)
            close = ok_try & (np.fmin.reduce(dist, axis=1, initial=math.inf) <= tol)
            if _any(close):
                j = close.nonzero()[0]
                gs = g if cut is None else g[short]
                eb = self.errs(j if sel is None else sel[j], gs)
                margin = eb + (price[j] * (2 * rel[j]))[:, None]
                ok_try[j] &= ~(dist[j] <= margin).any(axis=1)
            break
        # Buying it moves the error of the money the poor pay (``paid_err``, at most)
        # onto those who pay the price: over all ballots, the sum of weight x error
        # grows by the roundings alone (sat_left: the weight of those who pay the
        # price in full, each rounding once)
        self._spill[p] = (cols, (rounding + 4 * _EPS * num) * 1.01 + sat_left * base)
        self._checked[p] = (g, cols, price, rows)
        return gone, ok_try, price / u, rel

    def _price_kernel(
        self,
        kernel: _kernel.Kernel,
        cols: npt.NDArray[np.int64],
        p: int,
        sup: _Live,
        start: npt.NDArray[np.float64] | None,
    ) -> _Priced:
        """:meth:`_price_uniform` by the compiled kernel (``_kernel.c``): the same
        computation share by share (which supporters count as short of the guess is
        decided per share, not for the batch: again the sums can differ, not the
        decisions), and the closer check with each ballot's own error bound, where
        the largest is not enough, made here over all the supporters (those the cut
        left out are clear of the price by more than that bound)."""
        e = self.e
        g = sup.g
        c = e.cost_f[p]
        n = len(g)
        total = sup.w_sum  # a sum of integers: exact
        u = e.unit_f[p]
        m = len(cols)
        if total <= 0:
            none = np.zeros(m, dtype=np.bool_)
            return ~none, none, np.zeros(m), np.zeros(m)
        if start is not None:
            price0 = np.maximum(start * u, c / total)
        else:
            price0 = np.full(m, c / total)
        cut = _CUT if n >= _CUT_FROM else 0.0
        room = np.empty(_kernel.FIELDS * m + m * n)
        kernel.price_uniform(
            self.budget, self.k, g, sup.w_f, cols, self.err, self.spread, self.base, price0,
            c, total, (n + 4) * _EPS, cut, _CUT_KEEP, room,
        )  # fmt: skip
        out = room[: _kernel.FIELDS * m].reshape(_kernel.FIELDS, m)
        b = room[_kernel.FIELDS * m :].reshape(m, n)
        self._gathered[p] = (g, cols, b)
        gone = out[_kernel.GONE] != 0
        ok = out[_kernel.OK] != 0
        price = out[_kernel.PRICE]
        rel = out[_kernel.REL]
        close = out[_kernel.CLOSE] != 0
        if _any(close):
            j = close.nonzero()[0]
            dist = np.abs(b[j] - price[j][:, None])
            eb = self.errs(cols[j], g)
            margin = eb + (price[j] * (2 * rel[j]))[:, None]
            ok[j] &= ~(dist <= margin).any(axis=1)
        self._spill[p] = (cols, out[_kernel.SPILL])
        self._checked[p] = (g, cols, price, None)
        return gone, ok, price / u, rel

    def _price(
        self,
        cols: npt.NDArray[np.int64],
        p: int,
        start: npt.NDArray[np.float64] | None = None,
    ) -> _Priced:
        """At each of the shares ``cols``: whether p's supporters surely cannot pay
        for it (``gone``), whether its price is decided in floats (``ok``: not
        gone, nor too close to call), and then its price per unit of satisfaction
        and its relative error bound.

        Each distinct ballot's money is within its own bound (:meth:`errs`, at
        most ``err``) of its exact value.  The supporters who pay all they have are
        found in floats (a fixed point, as in :meth:`_RunState.eval_float`, from
        ``start`` if given: a guess at the price, such as a bound found earlier in
        the run, that changes nothing but the number of steps), and
        the price is only returned when nobody's money is within its error plus
        the price's of the price: then those who pay all they have are the same
        at the exact price, the exact price is the same formula over the same
        voters, and the bound counts the budgets' errors and every rounding in
        that formula (any order of summation of n terms errs by less than
        ``n x eps`` of their sum).  A spent ballot (money 0, error 0) pays all
        it has: nothing.
        """
        e = self.e
        sup = self.live(p)
        if sup.pts_f is None:
            return self._price_uniform(cols, p, sup, start)
        g = sup.g
        sel = None if len(cols) == self.k else cols
        b = self._cols(g, sel)
        self._gathered[p] = (g, cols, b)
        c = e.cost_f[p]
        m = len(cols)
        gamma = (len(g) + 4) * _EPS
        err = self.err if sel is None else self.err[sel]  # (at most ``spread``)
        spread = self.spread if sel is None else self.spread[sel]
        w = sup.w_f
        pf: npt.NDArray[np.float64] | None = None
        if sup.pts_f is None:
            r = b  # compare budgets with the price per voter
            wu = w
            total = sup.w_sum  # a sum of integers: exact
            total_err = 0.0
            u = e.unit_f[p]
        else:
            if not (sup.wu_f is not None):
                raise RuntimeError("internal invariant violated")
            pf = sup.pts_f
            r = b / pf
            wu = sup.wu_f
            total = sup.wu_sum
            total_err = gamma * total
            u = 1.0
        if total <= 0:
            none = np.zeros(m, dtype=np.bool_)
            return ~none, none, np.zeros(m), np.zeros(m)
        avail = b @ w
        slack = np.minimum(sup.w_sum * err, spread) + gamma * (avail + c)
        gone = avail < c - slack
        ok: npt.NDArray[np.bool_] = ~gone & (avail > c + slack)
        if not _any(ok):
            return gone, ok, np.zeros(m), np.zeros(m)
        # The fixed point (Newton's method on the concave sum of what each pays,
        # from below): the poor pay all they have, the others the price.  Two sets
        # ``r < x`` of the same row are nested, so the same weighted count of
        # voters (integers: exact in floats) means the same set: the test that
        # the set no longer moves, without comparing the sets themselves.
        price = np.full(m, c / total)
        if start is not None:
            np.maximum(price, start * u, out=price)
        poor = r < price[:, None]
        n_poor = poor @ w  # weighted count of the poor
        paid = np.zeros(m)
        sat_left = np.full(m, total)
        moved = ok & (n_poor > 0)
        for _ in range(40):
            if not _any(moved):
                break
            paid = (b * poor) @ w
            sat_left = total - (n_poor if pf is None else poor @ wu)
            ok &= sat_left > 2 * total_err
            price = (c - paid) / sat_left
            poor = r < price[:, None]
            more = poor @ w
            moved = ok & (more != n_poor)
            n_poor = more
        else:
            ok &= ~moved
        ok &= sat_left > 2 * total_err
        # (spent ballots have no error)
        paid_err = np.minimum(err * n_poor, spread)
        num = c - paid
        rounding = _EPS * c + gamma * paid
        num_err = rounding + paid_err
        ok &= num > 2 * num_err
        rel = (num_err / (num - num_err) + 2 * total_err / sat_left + 4 * _EPS) * 1.001
        if pf is None:
            # Buying it moves the error of the money the poor pay (``paid_err``,
            # at most) onto those who pay the price: over all ballots, the sum
            # of weight x error grows by the roundings alone (sat_left: the
            # weight of those who pay the price in full, each rounding once)
            base = self.base if sel is None else self.base[sel]
            self._spill[p] = (
                cols,
                (rounding + 4 * _EPS * num) * 1.01 + sat_left * base,
            )
        ok &= rel < 0.25  # (so that :meth:`buy` drains every spent ballot)
        # nobody's money within its error plus the price's of the price: first
        # with the largest error bound, then with each ballot's own
        dist = np.abs(r - price[:, None])
        if pf is None:
            near = dist <= (err + price * (2 * rel))[:, None]
        else:
            near = dist <= (err[:, None] / pf + r * (2 * _EPS)) + (price * (2 * rel))[:, None]
        close = ok & near.any(axis=1)
        if _any(close):
            j = close.nonzero()[0]
            eb = self.errs(j if sel is None else sel[j], g)
            if pf is None:
                margin = eb + (price[j] * (2 * rel[j]))[:, None]
            else:
                margin = eb / pf + r[j] * (2 * _EPS) + (price[j] * (2 * rel[j]))[:, None]
            ok[j] &= ~(dist[j] <= margin).any(axis=1)
        return gone, ok, price / u, rel

    def errs(
        self, rows: npt.NDArray[np.int64], g: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        """Each of the ballots ``g``'s own bound on its money's error at the shares
        ``rows`` (``err`` bounds them all, and is all the common paths need).

        A ballot with money left has paid every purchase it supports in full, each
        adding its price's error and a subtraction's rounding (``coef`` x its
        satisfaction + ``base``, :meth:`buy`) to the share's own error (``base``);
        a spent ballot's money is 0 exactly.  Summed here in another order than
        they were bought, so rounded up by far more than that order can change."""
        e = self.e
        prof = e.election.profile
        offsets, lengths = _entries(prof, g)
        n = len(offsets)
        proj = prof.indices[offsets]
        owner = np.repeat(np.arange(len(g)), lengths)
        if e.uniform:
            sat = np.asarray(e.unit_f)[proj]
            counted = np.ones(n, dtype=np.bool_)
        else:
            if not (prof.points is not None):
                raise RuntimeError("internal invariant violated")
            sat = prof.points[offsets].astype(np.float64) / e.scale
            counted = prof.points[offsets] > 0  # (no points: not a supporter)
        out = np.empty((len(rows), len(g)))
        for x, s in enumerate(rows.tolist()):
            base = float(self.base[s])
            terms = np.where(counted & self.paid[s, proj], self.coef[s, proj] * sat + base, 0.0)
            out[x] = base + np.bincount(owner, weights=terms, minlength=len(g))
        out *= 1 + 1e-9
        np.minimum(out, self.err[rows][:, None], out=out)  # (both bound it)
        out[self._cols(g, rows) == 0] = 0.0  # spent
        return out

    def tie_winners(
        self,
        rows: npt.NDArray[np.int64],
        cand: npt.NDArray[np.bool_],
        rho: npt.NDArray[np.float64],
    ) -> npt.NDArray[np.int64]:
        """At each of the shares ``rows``, whose candidates (``cand``, one row per
        share) overlap: the winner when every candidate is paid in full by all its
        supporters with money left (:meth:`all_rich`, then compared exactly by
        :meth:`all_rich_price`, ties by id), else -1.  The same as those two methods
        share by share, each candidate's check made for all its shares at once."""
        e = self.e
        rich = np.ones(len(rows), dtype=np.bool_)
        # per candidate: the shares it is one at, and their weight of supporters with money
        found: dict[int, tuple[npt.NDArray[np.int64], list[int]]] = {}
        for p in np.flatnonzero(cand.any(axis=0)).tolist():
            at = cand[:, p].nonzero()[0]
            sup = self.live(p)  # (the dead have no money at any share still running)
            b = self._cols(sup.g, rows[at])
            units = e.unit_f[p] if sup.pts_f is None else sup.pts_f
            left = b != 0
            poor = (b < rho[at, p][:, None] * units) & left
            rich[at] &= ~poor.any(axis=1)
            if e.uniform:
                sat = (left @ sup.w_f).tolist()  # (sums of integers: exact)
            else:
                if not (sup.pts is not None):
                    raise RuntimeError("internal invariant violated")
                sat = (left @ (sup.w * sup.pts).astype(np.float64)).tolist()
            found[p] = (at, [int(x) for x in sat])
            rich[at[np.asarray(sat) <= 0]] = False  # (cannot be: its price was decided)
        prices: dict[tuple[int, int], Rational] = {}
        best: list[tuple[Rational, str, int] | None] = [None] * len(rows)
        for p, (at, sat) in found.items():
            for x, s in zip(at.tolist(), sat, strict=True):
                if not rich[x]:
                    continue
                price = prices.get((p, s))
                if price is None:
                    if e.uniform:
                        price = e.cost[p] / (e.unit[p] * s)
                    else:
                        price = e.cost[p] / q(s, e.scale)
                    prices[(p, s)] = price
                key = (price, e.ids[p], p)
                cur = best[x]
                if cur is None or key[:2] < cur[:2]:
                    best[x] = key
        return np.array(
            [-1 if not rich[x] or b_ is None else b_[2] for x, b_ in enumerate(best)],
            dtype=np.int64,
        )

    def all_rich(self, i: int, p: int, rho_f: float) -> bool:
        """Whether every supporter of p with money left at share i pays its float
        price ``rho_f`` in full (given by :meth:`price`, so nobody's money is
        within its error of that price: the exact run sees the same)."""
        e = self.e
        g = e.groups[p]
        b = self.budget[g, i]
        if e.uniform:
            poor = b < rho_f * e.unit_f[p]
        else:
            poor = b < rho_f * e.pts_f[p]
        return not _any(poor & (b != 0))

    def all_rich_price(self, i: int, p: int) -> Rational:
        """p's exact price at share i when every supporter with money left surely
        pays it in full (:meth:`all_rich`): its cost over their satisfaction."""
        e = self.e
        live = self.budget[e.groups[p], i] != 0
        w = e.sup.weights[p][live]
        if e.uniform:
            return e.cost[p] / (e.unit[p] * int(w.sum()))
        return e.cost[p] / q(int(np.dot(w, e.pts[p][live])), e.scale)

    def buy(
        self,
        cols: npt.NDArray[np.int64],
        p: int,
        rho: npt.NDArray[np.float64],
        rel: npt.NDArray[np.float64],
        *,
        checked: bool = False,
    ) -> npt.NDArray[np.bool_]:
        """Charge p's supporters at each of the shares ``cols`` at its float price
        there (with its relative error); False for a share where someone's money
        is too close to the price to tell whether they pay all of it (that share is
        then left as it was).  Those who keep money add the price's error (and
        the subtraction's rounding) to their budget's error bound (``coef``, see
        :meth:`errs`), and ``err`` the largest of those.  Who pays all they have is
        decided with ``err`` first, then, at the shares where that is not enough,
        with each ballot's own bound.

        ``checked``: p's price at these shares was given by :meth:`price` in this
        round, from the budgets its supporters still have (so ``rho`` and ``rel``
        are what it gave; :meth:`run`'s purchases).  With approval-like
        satisfaction, :meth:`_price_uniform` then checked that nobody's money is
        within its own error bound plus ``2 x rel`` times the price per voter
        (the float it divided by the satisfaction) of that price: more than the
        margin needed here (``rel2`` x price plus the same error bound; rel2 =
        1.001 rel + 4 eps < 2 rel, as rel >= 5 eps), so the check is not made again
        and that very price is charged (see :meth:`_buy_checked`)."""
        e = self.e
        sup = self.live(p)
        g = sup.g
        whole = len(cols) == self.k
        sel = self._every if whole else cols
        rel2 = rel * 1.001 + 4 * _EPS
        got = self._checked.pop(p, None) if checked else None
        if got is not None and got[0] is g:
            priced = got[1]  # (sorted, as ``sel``)
            at: npt.NDArray[np.int64] | None = None
            if len(priced) == len(sel):
                same = _all(priced == sel)
            else:
                at = np.searchsorted(priced, sel)
                same = _all(at < len(priced)) and _all(
                    priced[np.minimum(at, len(priced) - 1)] == sel
                )
            if same:
                self._buy_checked(p, g, sel, at, got[2], rel2, got[3] if whole else None)
                self.coef[sel, p] = rho * rel2
                self.paid[sel, p] = True
                return np.ones(len(sel), dtype=np.bool_)
        b = self._budgets(p, g, sel)
        if sup.pts_f is None:
            price_f = (rho * e.unit_f[p])[:, None]
        else:
            price_f = rho[:, None] * sup.pts_f
        # money left after paying in full (below 0: pays all it has); a spent
        # ballot (money 0) is drained again, as rel2 < 1 (see :meth:`price`)
        d = b - price_f
        dist = np.abs(d)
        tol = price_f * rel2[:, None]
        if sup.pts_f is None:  # (one tolerance per share: the row's least distance)
            near = (
                np.fmin.reduce(dist, axis=1, initial=math.inf)
                <= (tol + self.err[sel][:, None])[:, 0]
            )
        else:
            near = (dist <= tol + self.err[sel][:, None]).any(axis=1)
        if _any(near):
            j = near.nonzero()[0]
            near[j] = (dist[j] <= tol[j] + self.errs(sel[j], g)).any(axis=1)
        oks = ~near
        if _all(near):
            return oks
        if _any(near):
            j = (~near).nonzero()[0]
            sel, d, tol, rho, rel2 = sel[j], d[j], tol[j], rho[j], rel2[j]
            whole = False
        keeps = d > 0
        new_b = np.maximum(d, 0.0)
        top = tol[:, 0] if sup.pts_f is None else np.where(keeps, tol, 0.0).max(axis=1)
        if whole:
            self.budget[g] = new_b.T
        else:
            self.budget.reshape(-1)[g * self.k + sel[:, None]] = new_b  # (a view)
        # the sum of weight x error: raised by the roundings (:meth:`price`), else
        # by every bound added (those who pay all they have end with no error)
        add = None
        spill = self._spill.get(p)
        if spill is not None:
            at = np.minimum(np.searchsorted(spill[0], sel), len(spill[0]) - 1)
            if _all(spill[0][at] == sel):
                add = spill[1][at]
        if add is None:
            add = ((tol + self.base[sel][:, None]) * keeps) @ sup.w_f
        self.spread[sel] += add
        self.err[sel] = np.minimum(self.err[sel] + top + self.base[sel], self.spread[sel])
        self.coef[sel, p] = rho * rel2
        self.paid[sel, p] = True
        return oks

    def _buy_checked(
        self,
        p: int,
        g: npt.NDArray[np.int64],
        sel: npt.NDArray[np.int64],
        at: npt.NDArray[np.int64] | None,
        price_v: npt.NDArray[np.float64],
        rel2: npt.NDArray[np.float64],
        rows: npt.NDArray[np.float64] | None,
    ) -> None:
        """:meth:`buy` of a project whose supporters all have the same satisfaction,
        at the price per voter ``price_v`` :meth:`_price_uniform` checked at the
        shares it priced (``sel`` among them at ``at``; None: the same) in this
        round: each supporter's money less that price, or 0 (the price's error,
        ``rel2`` of it, added to the bounds as there).  With
        ``rows``, the supporters' rows of ``budget`` that :meth:`_price_uniform`
        took (a copy, still current: every share buys p in this round, so nothing
        else was bought), charged in place and written back row by row."""
        spill = self._spill[p][1]
        if at is not None:
            price_v, spill = price_v[at], spill[at]
        tol = price_v * rel2
        if self.kernel is not None:
            self.kernel.buy_uniform(self.budget, self.k, g, sel, price_v)
        elif rows is not None and at is None:
            np.subtract(rows, price_v, out=rows)
            np.maximum(rows, 0.0, out=rows)
            self._rows.put(g, rows.view(self._rows.dtype).reshape(-1))
        else:
            b = self._budgets(p, g, sel)
            new_b = b - price_v[:, None]
            np.maximum(new_b, 0.0, out=new_b)
            self.budget.reshape(-1)[g * self.k + sel[:, None]] = new_b  # (a view)
        # the sum of weight x error: raised by the roundings alone (see :meth:`buy`)
        self.spread[sel] += spill
        self.err[sel] = np.minimum(self.err[sel] + tol + self.base[sel], self.spread[sel])


# -- rules and completions ----------------------------------------------------


@dataclass(frozen=True)
class MesResult:
    run: MesRun
    add1_rounds: int  # MES runs made by the add-one completion (0 without it)
    selected: tuple[int, ...]  # after any greedy completion


def initial_share(election: Election) -> Rational:
    n = election.num_voters
    if n == 0:
        return q(0)
    return q(election.budget) / n


def mes(election: Election, sat: Sat, *, engine: MesEngine | None = None) -> MesRun:
    """Plain MES with each voter's share equal to budget / voters."""
    engine = engine or MesEngine(election, sat)
    return engine.run(initial_share(election))


def _cost(election: Election, selected: tuple[int, ...]) -> Fraction:
    return election.total_cost(selected)


def is_exhaustive(election: Election, selected: tuple[int, ...], among: frozenset[int]) -> bool:
    """True if no project of ``among`` outside ``selected`` fits in the money left."""
    scaled, den = election.scaled_costs
    left = int(election.budget * den) - sum(scaled[p] for p in selected)
    chosen = set(selected)
    return not any(scaled[p] <= left for p in among if p not in chosen)


def mes_add1(
    election: Election,
    sat: Sat,
    *,
    exhaustive_stop: bool = True,
    engine: MesEngine | None = None,
    start: Rational | None = None,
    step: Rational = 1,
    max_rounds: int | None = None,
    stats: dict[str, int] | None = None,
    stepwise: bool = False,
    record: bool = True,
    horizon: Callable[[int], int | None] | None = None,
) -> tuple[MesRun, int]:
    """MES with the "add one" completion.

    Starting from the equal share (or ``start``), the share of every voter is
    raised by one currency unit (``step``) at a time and MES is re-run, as long
    as the outcome stays within the real budget.  With ``exhaustive_stop``
    (pabutools' ``voter_budget_increment=1``) it stops at the first outcome
    that is exhaustive with respect to the projects MES can buy; without it,
    it keeps going until the next outcome would overspend (the variant that
    reproduces Wieliczka 2023); it also stops once everything MES can buy is
    bought, and after ``max_rounds`` steps.  Returns the last run within budget
    (recorded, for explanations) and the number of steps (MES runs the
    stepwise version makes).

    ``stepwise=True`` (or :func:`mes_add1_stepwise`) runs MES at every step:
    the reference.  By default steps are skipped, with the same result.  Between two shares ``s <= s'``, if MES at ``s'`` with the purchases
    of the run at ``s`` still picks the same project in every round when each
    is compared with its price at ``s`` (see :meth:`MesEngine._forced_round`),
    then every share in between gives the same outcome: with the same
    purchases, each voter's money grows with the share, so the winner's price
    can only fall and every other price can only rise as the share goes from
    ``s'`` down to ``s``.  The stopping rules only look at the outcome, so
    none of the skipped steps could have stopped.  The distance tried doubles
    after each success and halves after a failure; a failed try at the next
    step is exactly the stepwise run there.  Tries are made on the grid of steps
    (``grid``), so a rival that fails both checks over a whole interval is checked
    over pieces of it (:meth:`MesEngine._split_check`); a failed try that found
    where the outcome changes (``MesRun.change_at``) aims the next try at the step
    before, and so does, after a certified try, the first meeting of a rival's
    price with a winner's extrapolated from the last two runs (:func:`_predict`:
    along a parabola with the gap's slope at the later run);
    the first try from an exact run no earlier run shares its purchases with aims
    along the tangents of its prices, and both aims look at where a project short
    of money becomes affordable (:func:`_predict_tangent`).
    ``stats`` (optional) receives the number of MES runs made (``runs``), whether a
    stopping rule ended the search (``stopped``: 0 if ``max_rounds`` did) and whether
    the first step already overspent (``overspent``).
    ``record=False``: the last run within budget is returned as it was made (its
    outcome and share, but no purchases or prices if it was decided in floats),
    without the recorded rerun at its share that explanations read: for callers
    that only need the outcome (the command line without ``--explain``).
    ``horizon`` (optional): asked between steps with the steps searched so far; it
    answers None, or a new ``max_rounds``, which only ever lowers it: the search then
    ends as if that had been ``max_rounds`` from the start (``stopped`` 0), or at
    once if it has searched as many steps already (a larger try made before the
    answer may have searched more: the steps returned say how many), for a caller
    that searches the steps after it elsewhere (:mod:`voting.tally.parallel`).
    """
    engine = engine or MesEngine(election, sat)
    base_share = q(start) if start is not None else initial_share(election)
    step = q(step)
    if stepwise:
        return _add1_stepwise(
            election, engine, base_share, step, exhaustive_stop, max_rounds, record
        )
    evaluations = 0

    exact = 0  # exact runs made

    def at(k: int, follow: MesRun | None, trusted: int = 0, aims: bool = True) -> MesRun:
        nonlocal evaluations, exact
        evaluations += 1
        exact += 1
        if follow is not None and follow.floated:
            raise RuntimeError("internal invariant violated")
        return engine.run(
            base_share + k * step,
            record=False,
            follow=follow,
            trusted=trusted,
            grid=step,
            aims=aims and _TANGENT,
        )

    # plain runs in floats are made for several steps at once (``run_float_batch``):
    # the next ``batch`` steps, kept in ``ahead`` until used or until a try skips them
    ahead: dict[int, tuple[int, ...] | None] = {}
    batch = _BATCH_MIN
    settle = 1  # (see below)
    batch_max = _BATCH_MIN
    while batch_max < _BATCH_MAX and 2 * batch_max * engine.n_groups <= _BATCH_CELLS:
        batch_max *= 2

    def plain_at(k: int) -> MesRun:
        # a plain run decided in floats when they are clear enough, else exactly
        nonlocal evaluations, batch
        share = base_share + k * step
        if k not in ahead:
            ahead.clear()
            n = batch if max_rounds is None else max(1, min(batch, max_rounds - k))
            runs = engine.run_float_batch([share + i * step for i in range(n)])
            ahead.update(zip(range(k, k + n), runs, strict=True))
            evaluations += n
            # more at once only while several plain runs in a row are expected
            batch = min(batch_max, 2 * batch) if settle > 1 else 1
        selected = ahead.pop(k)
        if selected is None:
            return at(k, None, aims=False)  # (plain runs are not aimed from)
        return MesRun(share, selected, (), frozenset(engine.eligible), floated=True)

    def changes_ahead(k: int, selected: tuple[int, ...]) -> bool:
        # whether the plain runs already made for the steps after k (``ahead``)
        # show the outcome changing: then plain runs go on (they cost nothing
        # more), where an exact run and a try from it would only find that change
        for j in range(k + 1, k + 1 + len(ahead)):
            got = ahead.get(j)
            if got is None:
                return False  # (not made, or not decided in floats)
            if got != selected:
                return True
        return False

    def finish(run: MesRun | None, steps: int, stopped: bool = True) -> tuple[MesRun, int]:
        if stats is not None:
            stats["runs"] = evaluations + (1 if record else 0)
            # whether a stopping rule ended the search (not ``max_rounds``), and
            # whether even the first step overspent (no run within budget)
            stats["stopped"], stats["overspent"] = int(stopped), int(run is None)
        if run is None:
            return MesRun(base_share, tuple(engine.free), (), frozenset(engine.eligible)), steps
        if not record:
            return run, steps
        return engine.run(run.budget_per_voter, record=True), steps

    if election.num_voters == 0:
        return finish(at(0, None), 1)

    def stops(run: MesRun) -> bool:
        return (exhaustive_stop and is_exhaustive(election, run.selected, run.eligible)) or (
            run.eligible <= set(run.selected)
        )

    k = 0
    batch = min(batch_max, _FIRST_BATCH)
    current = plain_at(0)
    if _cost(election, current.selected) > election.budget:
        return finish(None, 1)
    if stops(current):
        return finish(current, 1)
    jump = 1
    # After a failed try at k + ``limit``: its first ``trusted`` rounds keep
    # current's winners at every share up to there (and so at any share below).
    trusted = limit = 0
    streak = 0  # certified tries in a row: the jump doubles from the second one
    # Right after the outcome changed, MES is run plainly (no check to make, so
    # cheaper; in floats, several steps at once) at each step until ``settle``
    # steps in a row give the same outcome (see _SETTLE_MAX); while tries pay
    # (``settle`` 1), tries go on right from the exact run that saw the change.
    plain = False
    settled = 0  # plain runs in a row with the same outcome
    # settle: plain runs in a row with the same outcome needed before tries start
    # again (see _SETTLE_MAX; defined with ``batch``)
    was_plain = False
    if changes_ahead(0, current.selected):
        # the outcome already changes within the first plain runs: more plain runs
        # (no exact run and try to find that change again), as after tries that
        # did not pay
        plain = was_plain = True
        settle = _SETTLE_FIRST
    batch = min(batch_max, max(_BATCH_MIN, settle))
    tried_from = tried_exact = 0  # where the current tries started, exact runs by then
    known: dict[int, MesRun] = {}  # exact runs at later steps, from failed tries
    failed: dict[int, MesRun] = {}  # the last failed try more than a step ahead
    aim = -1  # a step where a failed try saw the outcome change
    resume = 1  # the first distance tried once the outcome settles after a change
    fresh = False  # current is an exact run no try has followed yet
    while True:
        if horizon is not None:
            cap = horizon(k + 1)
            if cap is not None and (max_rounds is None or cap < max_rounds):
                max_rounds = cap
        if max_rounds is not None:
            jump = min(jump, max_rounds - 1 - k)
            if jump <= 0:
                return finish(current, k + 1, stopped=False)
        if plain != was_plain:
            was_plain = plain
            if plain:  # tries found the outcome changing: did they pay?
                advanced, tries = k - tried_from, exact - tried_exact
                if advanced < _PAYS * tries:
                    settle = min(_SETTLE_MAX, 2 * settle)
                elif advanced >= 4 * _PAYS * tries:
                    settle = max(1, settle // 2)
                batch = min(batch_max, max(_BATCH_MIN, settle))  # plain runs to come
            else:
                tried_from, tried_exact = k, exact
        if plain:
            # exactly the stepwise run at step k + 1 (a failed try there was one)
            trial = known.pop(k + 1, None) or plain_at(k + 1)
            k += 1
            if _cost(election, trial.selected) > election.budget:
                return finish(current, k + 1)
            settled = settled + 1 if trial.selected == current.selected else 0
            plain = settled < settle or changes_ahead(k, trial.selected)
            current = trial
            if stops(current):
                return finish(current, k + 1)
            # once the outcome settles, tries start from a fraction of the distance
            # at which the last change was found (then double as usual)
            jump = 1
            if not plain:
                jump, resume = resume, 1
                fresh = True
            continue
        if current.floated:
            # a try follows an exact run: the next step is run exactly (plainly)
            trial = known.pop(k + 1) if k + 1 in known else at(k + 1, None)
            k += 1
            if _cost(election, trial.selected) > election.budget:
                return finish(current, k + 1)
            if trial.selected != current.selected:
                plain, jump, settled = True, 1, 0
            current = trial
            fresh = True
            if stops(current):
                return finish(current, k + 1)
            continue
        if fresh and _TANGENT:
            # the first try from a run that no earlier run shares its purchases
            # with: aim along the tangents of its prices
            fresh = False
            pred = _predict_tangent(current, step)
            if pred is not None and jump <= limit:
                pass  # (a failed try's rounds are trusted up to ``limit``: keep it)
            elif pred is not None:
                jump = max(1, int(pred * _AIM_SHORT))
                if k + 1 < aim:
                    jump = min(jump, aim - 1 - k)
                if max_rounds is not None:
                    jump = min(jump, max_rounds - 1 - k)  # (at least 1: see above)
        spare = failed.pop(k + 1, None) if jump == 1 else None
        if spare is not None and spare.selected != current.selected:
            # a failed try made there already: the exact run at k + 1, and a try
            # following current there would fail (its outcome differs)
            trial = spare
        else:
            trial = at(k + jump, current, trusted if jump <= limit else 0)
        if trial.certified:
            # every step up to k + jump gives current's outcome: none of them stops
            k += jump
            pred = _predict(current, trial, step)
            if _TANGENT:
                # (only a project affordable sooner than ``pred`` matters: looked for
                # below it alone)
                tangent = _predict_tangent(trial, step, gaps=False, within=pred)
                if tangent is not None:
                    pred = tangent if pred is None else min(pred, tangent)
            current = trial
            trusted = limit = 0
            streak += 1
            grow = jump
            if streak >= _STREAK:
                jump *= 2
            if pred is not None:
                # aim at the step before the change extrapolated from the last two runs
                jump = max(1, min(int(pred * _AIM_SHORT), _AIM_GROW * grow))
            if k + 1 < aim:
                jump = min(jump, aim - 1 - k)  # a failed try saw the outcome change there
            if k + 1 == aim:
                jump, streak = 1, 0  # the step where the outcome was seen to change
            continue
        streak = 0
        trusted, limit = trial.failed_round - 1, jump
        if jump > 1:
            failed = {k + jump: trial}
            if trial.change_at is not None:
                # the outcome differs at step ``aim``: certify up to the step before it
                aim = int((trial.change_at - base_share) / step)
                resume = jump // _RESUME if jump >= _RESUME_FROM else 1
                jump = max(1, min(jump - 1, aim - 1 - k))
            else:
                jump = max(1, jump // _SHRINK)
            if jump == 1:
                # the outcome changes within a few steps: run them plainly
                known = {k + limit: trial}
                trusted = limit = 0
                plain, settled = True, 0
            continue
        trusted = limit = 0
        k += 1  # trial is exactly the stepwise run at step k
        if _cost(election, trial.selected) > election.budget:
            return finish(current, k + 1)
        changed = trial.selected != current.selected
        settled = 0
        current = trial
        if stops(current):
            return finish(current, k + 1)
        if changed and settle <= 1 and not current.floated:
            # tries pay: go on trying from this exact run (no plain runs first)
            advanced, tries = k - tried_from, exact - tried_exact
            if advanced < _PAYS * tries:
                settle = 2
            tried_from, tried_exact = k, exact
            jump, resume = resume, 1
            fresh = True
        else:
            plain = changed


def _first_root(g: float, d: float, k: float) -> float:
    """The smallest t > 0 where ``g + d t + k t^2 / 2`` reaches 0 (0 if ``g`` is not
    positive, infinity if it never does)."""
    if g <= 0:
        return 0.0
    if k == 0:
        return g / -d if d < 0 else math.inf
    disc = d * d - 2 * k * g
    if disc < 0:
        return math.inf  # (k > 0: the parabola turns back up before reaching 0)
    if k > 0 and d >= 0:
        return math.inf  # (both roots negative)
    # (k < 0: the one positive root; k > 0, d < 0: the smaller of two; written
    # 2g / (sqrt(disc) - d) to avoid cancellation)
    return 2 * g / (math.sqrt(disc) - d)


def _predict(a: MesRun, b: MesRun, step: Rational) -> int | None:
    """Steps from ``b``'s share to the last one before a rival's price meets the
    winner's in some round, both extrapolated from ``a``'s and ``b``'s shares (same
    purchases); None if no gap is closing.  A gap whose slope at ``b`` is known
    (:attr:`MesRun.slopes`) is extrapolated along the parabola with that slope
    through its values at both shares (prices are convex in the share, so the line
    through the two values alone sees the gap close too early); any other along
    that line.  Only a guide for where the add-one completion tries next."""
    step_f = float(step)
    span = float(b.budget_per_voter - a.budget_per_voter) / step_f
    if span <= 0:
        return None
    best = math.inf
    for r, (sa, sb) in enumerate(zip(a.seen, b.seen, strict=False)):
        w = b.bought[r]
        wa, wb = sa.get(w), sb.get(w)
        if wa is None or wb is None:
            continue
        tangents = b.slopes[r] if r < len(b.slopes) else {}
        w_slope = tangents.get(w)
        for p, pb in sb.items():
            pa = sa.get(p)
            if p == w or pa is None:
                continue
            ga, gb = pa - wa, pb - wb
            at = tangents.get(p)
            if at is not None and w_slope is not None:
                d = (at[1] - w_slope[1]) * step_f  # the gap's slope at b, per step
                k = 2 * (ga - gb + d * span) / (span * span)
                best = min(best, _first_root(gb, d, k))
            elif ga > gb:
                best = min(best, max(0.0, gb) * span / (ga - gb))
    if best == math.inf:
        return None
    return int(min(best, 1e9))


def _predict_tangent(
    b: MesRun, step: Rational, *, gaps: bool = True, within: int | None = None
) -> int | None:
    """Steps from ``b``'s share to the last one before a rival's price meets the
    winner's in some round, extrapolated along the tangents of both prices
    (:attr:`MesRun.slopes`); None if no gap is closing.  Only a guide, like
    :func:`_predict`, for when no earlier run with the same purchases is at hand.
    ``within``: only a guess below that many steps is looked for (None if none)."""
    best = math.inf if within is None else float(within)
    step_f = float(step)
    for r, slopes in enumerate(b.slopes if gaps else ()):
        w = b.bought[r]
        wp, ws = slopes[w]
        for p, (pp, sp) in slopes.items():
            closing = ws - sp
            if p != w and closing > 0:
                best = min(best, max(0.0, pp - wp) / closing / step_f)
    if b.short_aim is not None:
        best = b.short_aim(best * step_f) / step_f
    if best == math.inf or (within is not None and best >= within):
        return None
    return int(min(best, 1e9))


def _add1_stepwise(
    election: Election,
    engine: MesEngine,
    share: Rational,
    step: Rational,
    exhaustive_stop: bool,
    max_rounds: int | None,
    record: bool = True,
) -> tuple[MesRun, int]:
    """The add-one completion one step at a time: the reference for :func:`mes_add1`
    (``record`` as there)."""
    previous: MesRun | None = None
    runs = 0
    if election.num_voters == 0:
        return engine.run(share, record=record), 1
    while True:
        run = engine.run(share, record=False)
        runs += 1
        if _cost(election, run.selected) > election.budget:
            break
        previous = run
        if exhaustive_stop and is_exhaustive(election, run.selected, run.eligible):
            break
        if run.eligible <= set(run.selected):
            break  # everything MES can buy is bought: more money changes nothing
        if max_rounds is not None and runs >= max_rounds:
            break
        share += step
    if previous is None:
        # even the first run overspends: cannot happen with the equal share
        return MesRun(share, tuple(engine.free), (), frozenset(engine.eligible)), runs
    if not record:
        return previous, runs
    return engine.run(previous.budget_per_voter, record=True), runs


mes_add1_stepwise = partial(mes_add1, stepwise=True)
mes_add1_stepwise.__doc__ = "The add-one completion one step at a time (the reference)."
