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
Budgets are tracked exactly too, through "budget classes": a voter's remaining
money is ``max(0, b - sum of prices paid)``, which is the same for all voters
with the same purchase history, so exact arithmetic runs over classes, not
voters.  The float budgets are always roundings of the exact ones, so errors do
not accumulate.  A float therefore never decides who gets funded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from .model import Election
from .numeric import Rational, q
from .satisfaction import Sat, Supporters, supporters

# Relative error floor and safety factor for float prices.
_REL_FLOOR = 1e-10
_REL_FACTOR = 1e-11
_NEAR = 1e-9


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
            assert self.sup.points is not None
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

    # -- one run ---------------------------------------------------------------

    def run(self, budget_per_voter: Rational, *, record: bool = True) -> MesRun:
        state = _RunState(self, q(budget_per_voter))
        purchases: list[Purchase] = []
        selected = list(self.free)
        active = set(self.eligible)
        lower: dict[int, float] = {}
        for p in self.eligible:
            lower[p] = float(self.cost[p] / self.total_sat[p]) * (1 - _REL_FLOOR)
        rnd = 0
        while active:
            rnd += 1
            best_hi = math.inf
            evaluated: dict[int, tuple[float, float, Rational | None]] = {}
            for p in sorted(active, key=lambda x: (lower[x], self.ids[x])):
                if lower[p] > best_hi:
                    break
                res = state.eval_float(p)
                exact: Rational | None = None
                if res is None:
                    active.discard(p)
                    continue
                if res[1] < 0:  # too close to call in floats
                    exact_res = state.eval_exact(p, None)
                    if exact_res is None:
                        active.discard(p)
                        continue
                    exact = exact_res
                    lo = hi = float(exact)
                else:
                    rho_f, rel = res
                    lo, hi = rho_f * (1 - rel), rho_f * (1 + rel)
                lower[p] = lo
                evaluated[p] = (lo, hi, exact)
                best_hi = min(best_hi, hi)
            if not evaluated:
                break
            candidates = [p for p, (lo, _, _) in evaluated.items() if lo <= best_hi]
            best: tuple[Rational, str, int] | None = None
            for p in candidates:
                lo, hi, exact = evaluated[p]
                if exact is None:
                    exact = state.eval_exact(p, hi)
                if exact is None:  # unaffordable after all (float was within rounding)
                    active.discard(p)
                    continue
                key = (exact, self.ids[p], p)
                if best is None or key[:2] < best[:2]:
                    best = key
            if best is None:
                continue
            rho, _, winner = best
            payments = state.buy(winner, rho, record=record)
            active.discard(winner)
            selected.append(winner)
            if record:
                purchases.append(
                    Purchase(rnd, winner, rho, payments, self.sup.voters[winner])
                )
        return MesRun(q(budget_per_voter), tuple(selected), tuple(purchases),
                      frozenset(self.eligible))


class _RunState:
    """Budgets during one MES run: exact per class, float per distinct ballot."""

    def __init__(self, engine: MesEngine, b0: Rational) -> None:
        self.e = engine
        # class 0 is "no money left"; class 1 is the initial share
        self.class_budget: list[Rational] = [q(0), b0]
        self.class_f = np.zeros(64, dtype=np.float64)
        self.class_f[1] = float(b0)
        self.n_classes = 2
        self.cls = np.ones(engine.n_groups, dtype=np.int64)
        self.budget = np.full(engine.n_groups, float(b0), dtype=np.float64)

    # float price with a relative error bound; None if clearly unaffordable;
    # (nan, -1) if it must be decided exactly
    def eval_float(self, p: int) -> tuple[float, float] | None:
        e = self.e
        g = e.groups[p]
        b = self.budget[g]
        w = e.w_f[p]
        c = e.cost_f[p]
        avail = float(np.dot(w, b))
        if avail < c * (1 - _NEAR):
            return None
        if avail <= c * (1 + _NEAR):
            return (math.nan, -1.0)
        if e.uniform:
            u = e.unit_f[p]
            r = b  # compare budgets with the per-voter price
            wu = w
            total = e.w_sum[p]
        else:
            u = 1.0
            r = b / e.pts_f[p]
            wu = e.wu_f[p]
            total = e.wu_sum[p]
        price = c / total
        poor = r < price
        n_poor = int(np.count_nonzero(poor))
        paid = 0.0
        iterations = 0
        while n_poor:
            paid = float(np.dot(w[poor], b[poor]))
            rest = total - float(wu[poor].sum())
            if rest <= 0:
                return (math.nan, -1.0)
            price = (c - paid) / rest
            new_poor = r < price
            n_new = int(np.count_nonzero(new_poor))
            if n_new == n_poor:
                break
            poor, n_poor = new_poor, n_new
            iterations += 1
            if iterations > 50:
                return (math.nan, -1.0)
        num = c - paid
        if num <= 0:
            return (math.nan, -1.0)
        rel = _REL_FLOOR + _REL_FACTOR * (c + paid) / num
        return (price / u, rel)

    def _classes_of(
        self, p: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], list[int]]:
        """Classes among p's supporters: (class ids, units or points, weights, inverse)."""
        e = self.e
        g = e.groups[p]
        cls = self.cls[g]
        if e.uniform:
            counts = np.bincount(cls, weights=e.w_f[p], minlength=self.n_classes)
            ids = np.nonzero(counts)[0]
            return ids, np.zeros(len(ids), dtype=np.int64), counts[ids].astype(np.int64), []
        key = cls * e.pmul + e.pts[p]
        uniq, inv = np.unique(key, return_inverse=True)
        weights = np.bincount(inv.ravel(), weights=e.w_f[p]).astype(np.int64)
        return uniq // e.pmul, uniq % e.pmul, weights, inv.ravel().tolist()

    def _unit(self, p: int, pts: int) -> Rational:
        e = self.e
        if e.uniform:
            return e.unit[p]
        return q(pts, e.scale)

    def eval_exact(self, p: int, hint: float | None) -> Rational | None:
        """Exact price per unit of satisfaction, or None if unaffordable.

        ``hint`` is an upper bound on the price known from floats: classes whose
        budget/satisfaction ratio is clearly above it are certainly paying the
        full price and are summed without sorting.
        """
        e = self.e
        cost = e.cost[p]
        ids, pts, weights, _ = self._classes_of(p)
        cb = self.class_budget
        unit_f = e.unit_f[p] if e.uniform else 0.0
        cand: list[tuple[Rational, Rational, Rational, int]] = []  # ratio, budget, unit, weight
        rich_sat: Rational = q(0)
        rich_min_ratio: Rational | None = None
        limit = None if hint is None else hint * (1 + 1e-7)
        for cid, pt, wt in zip(ids.tolist(), pts.tolist(), weights.tolist(), strict=True):
            if cid == 0:
                continue  # no money left: pays nothing
            u = self._unit(p, pt)
            if limit is not None:
                ratio_f = self.class_f[cid] / (unit_f if e.uniform else pt / e.scale)
                if ratio_f > limit:
                    rich_sat += u * wt
                    r = cb[cid] / u
                    if rich_min_ratio is None or r < rich_min_ratio:
                        rich_min_ratio = r
                    continue
            cand.append((cb[cid] / u, cb[cid], u, wt))
        cand.sort(key=lambda t: t[0])
        paid: Rational = q(0)
        rem: Rational = rich_sat + sum((u * wt for _, _, u, wt in cand), q(0))
        for ratio, budget, u, wt in cand:
            if rem <= 0:
                return None
            rho = (cost - paid) / rem
            if rho <= ratio:
                return rho
            paid += budget * wt
            rem -= u * wt
        if rem <= 0:
            return None
        rho = (cost - paid) / rem
        if rich_min_ratio is not None and rho > rich_min_ratio:
            return self.eval_exact(p, None)  # the hint was wrong: redo without it
        return rho

    def buy(self, p: int, rho: Rational, *, record: bool) -> tuple[Payment, ...]:
        """Charge p's supporters at price rho; update exact and float budgets."""
        e = self.e
        g = e.groups[p]
        ids, pts, weights, inv = self._classes_of(p)
        cb = self.class_budget
        new_ids: list[int] = []
        paid_by: dict[Rational, int] = {}
        for cid, pt, wt in zip(ids.tolist(), pts.tolist(), weights.tolist(), strict=True):
            if cid == 0:
                new_ids.append(0)
                continue
            price = rho * self._unit(p, pt)
            old = cb[cid]
            if price >= old:
                new_ids.append(0)
                pay = old
            else:
                new_ids.append(self._new_class(old - price))
                pay = price
            if record:
                paid_by[pay] = paid_by.get(pay, 0) + wt
        if e.uniform:
            remap = np.zeros(self.n_classes, dtype=np.int64)
            remap[ids] = new_ids
            new_cls = remap[self.cls[g]]
        else:
            new_cls = np.asarray(new_ids, dtype=np.int64)[np.asarray(inv, dtype=np.int64)]
        self.cls[g] = new_cls
        self.budget[g] = self.class_f[new_cls]
        payments = sorted((Payment(a, n) for a, n in paid_by.items()), key=lambda x: -x.amount)
        return tuple(payments)

    def _new_class(self, budget: Rational) -> int:
        cid = self.n_classes
        self.n_classes += 1
        self.class_budget.append(budget)
        if cid >= len(self.class_f):
            grown = np.zeros(2 * len(self.class_f), dtype=np.float64)
            grown[: len(self.class_f)] = self.class_f
            self.class_f = grown
        self.class_f[cid] = float(budget)
        return cid


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
    left = election.budget - _cost(election, selected)
    chosen = set(selected)
    return not any(
        p not in chosen and election.projects[p].cost <= left for p in among
    )


def mes_add1(
    election: Election,
    sat: Sat,
    *,
    exhaustive_stop: bool = True,
    engine: MesEngine | None = None,
    start: Rational | None = None,
    step: Rational = 1,
    max_rounds: int | None = None,
) -> tuple[MesRun, int]:
    """MES with the "add one" completion.

    Starting from the equal share, the share of every voter is raised by one
    currency unit at a time and MES is re-run, as long as the outcome stays
    within the real budget.  With ``exhaustive_stop`` (pabutools'
    ``voter_budget_increment=1``) it stops at the first outcome that is
    exhaustive with respect to the projects MES can buy; without it, it keeps
    going until the next outcome would overspend (the variant that reproduces
    Wieliczka 2023).  Returns the last run within budget and the number of MES
    runs made.
    """
    engine = engine or MesEngine(election, sat)
    share = q(start) if start is not None else initial_share(election)
    previous: MesRun | None = None
    runs = 0
    if election.num_voters == 0:
        return engine.run(share), 1
    while True:
        run = engine.run(share, record=False)
        runs += 1
        if _cost(election, run.selected) > election.budget:
            break
        previous = run
        if exhaustive_stop and is_exhaustive(election, run.selected, run.eligible):
            break
        if max_rounds is not None and runs >= max_rounds:
            break
        share += step
    if previous is None:
        # even the first run overspends: cannot happen with the equal share
        return MesRun(share, tuple(engine.free), (), frozenset(engine.eligible)), runs
    return engine.run(previous.budget_per_voter, record=True), runs
