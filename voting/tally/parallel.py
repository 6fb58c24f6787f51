"""The add-one completion over several processes (``--jobs``).

The add-one completion looks for the first step ``k`` at which MES, with each
voter's share raised by ``k`` currency units, overspends or stops (see
:func:`voting.tally.mes.mes_add1`).  MES at a share depends on that share alone, so
the steps can be searched in pieces, each from its own first step, by
:func:`~voting.tally.mes.mes_add1` itself (``start`` and ``max_rounds``): the answer
is that of the first piece in which the search stops.  No decision changes: every
piece is searched exactly as the whole would be, and the first stop found in order
is the first stop.

The search first runs in this process alone for :data:`ALONE_SECONDS`: most end
within it, and then no process is started.  Otherwise it goes on from the next step:

Where to cut: a few plain MES runs (:func:`_probe`) find a step ``hi`` at which the
completion would stop (overspend or meet its stopping rule), doubling from step
:data:`PROBE_FROM` and then halving the gap to a step below at which it would not.  The first stop is
at ``hi`` or before it (it may be well before: outcomes need not grow with the
share), so the pieces cover the steps up to ``hi``, in equal parts, searched in
order by a pool of forked processes; once a piece stops, the later ones are
abandoned.  The search time is about even along the steps on the large files
tried (Budapest 2024: its 22,002 steps in slices of 2,000 took 0.44-0.73 s each),
so equal pieces keep the processes about equally busy.

Only where ``fork`` exists (Linux and the BSDs): processes then start with the
election and its :class:`~voting.tally.mes.MesEngine` already in memory, shared
until written.  Elsewhere, or for a search too short to be worth a process
(:data:`MIN_STEPS`), the completion runs in this process alone.  The number of MES
runs made therefore depends on how fast this machine is; the outcome never does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import NamedTuple

from .mes import MesEngine, MesRun, _cost, initial_share, is_exhaustive, mes_add1
from .model import Election
from .numeric import Rational, q
from .satisfaction import Sat

# Searches whose first stop is probed at fewer steps than this run in one process
# (a piece must take long enough to be worth starting a process for: where the
# outcome changes often, the search makes an MES run at about every step)
MIN_STEPS = 64
PROBE_FROM = 16  # the first step the probe tries
# the search first runs here alone for this long (seconds): most end within it,
# without the probe's runs and the processes' start
ALONE_SECONDS = 0.25
PIECES_PER_JOB = 1  # pieces per process (more: better balance, more start-up runs)

# the search one forked process works on: set before the pool forks, read by _piece
_JOB: tuple[Election, Sat, MesEngine, bool, Rational, Rational] | None = None


# at most this many processes by default: each holds its own working arrays (tens of
# MB on the largest shared files), and pieces of fewer steps each make relatively
# more start-up runs
MAX_DEFAULT_JOBS = 8


def default_jobs() -> int:
    """The processors this process may run on (at least 1, at most
    :data:`MAX_DEFAULT_JOBS`)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # (no affinity on this platform)
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_DEFAULT_JOBS))


def _stops(election: Election, run: MesRun, exhaustive_stop: bool) -> bool:
    """Whether the add-one completion stops at ``run``: it overspends, or meets the
    stopping rule of :func:`~voting.tally.mes.mes_add1`."""
    return (
        _cost(election, run.selected) > election.budget
        or (exhaustive_stop and is_exhaustive(election, run.selected, run.eligible))
        or run.eligible <= set(run.selected)
    )


def _probe(
    election: Election,
    engine: MesEngine,
    base: Rational,
    step: Rational,
    exhaustive_stop: bool,
    limit: int | None,
) -> tuple[int, int]:
    """(a step at which the completion stops, or ``limit`` if none before it; the
    MES runs made): doubling from step :data:`PROBE_FROM`, then halving the gap from the last step
    seen not to stop until it is within a sixteenth of the step found."""
    runs = 0

    def stops(k: int) -> bool:
        nonlocal runs
        runs += 1
        return _stops(election, engine.run(base + k * step, record=False), exhaustive_stop)

    low, k = 0, PROBE_FROM
    while limit is None or k < limit:
        if stops(k):
            break
        low, k = k, 2 * k
    else:
        return limit, runs
    high = k
    while high - low > max(1, high // 16):
        mid = (low + high) // 2
        if stops(mid):
            high = mid
        else:
            low = mid
    return high, runs


class _Found(NamedTuple):
    """What the search over steps ``[a, b)`` found."""

    a: int
    share: Rational  # the last step's share within budget (see ``overspent``)
    selected: tuple[int, ...]  # its outcome
    steps: int  # steps searched (as :func:`~voting.tally.mes.mes_add1` counts them)
    runs: int  # MES runs made
    stopped: int  # a stopping rule ended the search (else ``b`` or ``until`` did)
    overspent: int  # even step ``a`` overspends (``share`` and ``selected``: a's, nothing bought)


def _search(
    job: tuple[Election, Sat, MesEngine, bool, Rational, Rational],
    a: int,
    b: int | None,
    until: Callable[[], bool] | None = None,
) -> _Found:
    """The add-one search over steps ``[a, b)`` (b None: no limit)."""
    election, sat, engine, exhaustive_stop, base, step = job
    stats: dict[str, int] = {}
    run, steps = mes_add1(
        election,
        sat,
        exhaustive_stop=exhaustive_stop,
        engine=engine,
        start=base + a * step,
        step=step,
        max_rounds=None if b is None else b - a,
        stats=stats,
        record=False,
        until=until,
    )
    return _Found(
        a,
        run.budget_per_voter,
        run.selected,
        steps,
        stats["runs"],
        stats["stopped"],
        stats["overspent"],
    )


def _piece(bounds: tuple[int, int]) -> _Found:
    """:func:`_search` in a forked process (the search: :data:`_JOB`)."""
    if _JOB is None:
        raise RuntimeError("internal invariant violated")
    return _search(_JOB, *bounds)


class _Answer:
    """The answer from the pieces' results, taken in order of their steps."""

    def __init__(self) -> None:
        self.runs = 0
        self.last: _Found | None = None  # the last piece taken, if none stopped yet
        self.found: tuple[Rational, tuple[int, ...], int] | None = None
        self.none_within = False  # even the first step overspends (no run within budget)
        self.done = False

    def take(self, got: _Found) -> bool:
        """Take the next piece's result: whether the answer is now known."""
        self.runs += got.runs
        if got.overspent:
            # even this piece's first step overspends: the answer is the step before
            # it, the last of the piece before (the first piece's: no run within
            # budget, as the search in one process says)
            last = self.last
            self.none_within = last is None
            self.found = (
                (got.share, got.selected, got.a + 1)
                if last is None
                else (last.share, last.selected, got.a + 1)
            )
            self.done = True
        else:
            self.found = (got.share, got.selected, got.a + got.steps)
            self.done = bool(got.stopped)
            self.last = got
        return self.done


def mes_add1_jobs(
    election: Election,
    sat: Sat,
    *,
    jobs: int,
    exhaustive_stop: bool = True,
    engine: MesEngine | None = None,
    start: Rational | None = None,
    step: Rational = 1,
    max_rounds: int | None = None,
    stats: dict[str, int] | None = None,
    record: bool = True,
) -> tuple[MesRun, int]:
    """:func:`~voting.tally.mes.mes_add1` searched by up to ``jobs`` processes (see
    the module's description), with the same result: the same outcome, share and
    number of steps (``stats``: ``runs``, the MES runs made by all the processes and
    the probe, and ``jobs``, the processes used: 1 when the search ran here alone)."""
    engine = engine or MesEngine(election, sat)
    base = q(start) if start is not None else initial_share(election)
    step = q(step)
    if jobs > 1 and election.num_voters:
        import multiprocessing  # (here: most commands never need it)

        if "fork" not in multiprocessing.get_all_start_methods():
            jobs = 1
    if jobs <= 1 or election.num_voters == 0:
        alone = mes_add1(
            election,
            sat,
            exhaustive_stop=exhaustive_stop,
            engine=engine,
            start=base,
            step=step,
            max_rounds=max_rounds,
            stats=stats,
            record=record,
        )
        if stats is not None:
            stats["jobs"] = 1
        return alone
    job = (election, sat, engine, exhaustive_stop, base, step)
    answer = _Answer()
    used = 1
    # first, here alone for a while: most searches end within it
    deadline = time.perf_counter() + ALONE_SECONDS
    got = _search(job, 0, max_rounds, lambda: time.perf_counter() > deadline)
    first = got.steps  # (the next step)
    if not answer.take(got) and (max_rounds is None or first < max_rounds):
        # then from the next step: the pieces up to a step where it stops
        limit = None if max_rounds is None else max_rounds - first
        high, probed = _probe(election, engine, base + first * step, step, exhaustive_stop, limit)
        answer.runs += probed
        # steps [first, first + end): the completion stops at ``first + high`` or before
        # (or, with no stop found, ``max_rounds`` ends it)
        end = high + 1 if limit is None or high < limit else limit
        count = min(jobs * PIECES_PER_JOB, end // (MIN_STEPS // 2))
        if high < MIN_STEPS or count < 2:
            answer.take(_search(job, first, max_rounds))
        else:
            edges = [first + end * i // count for i in range(count + 1)]
            global _JOB
            _JOB = job
            try:
                try:
                    pool = multiprocessing.get_context("fork").Pool(min(jobs, count))
                except (OSError, ImportError):  # (no process or semaphore to be had here)
                    answer.take(_search(job, first, max_rounds))
                else:
                    used = min(jobs, count)
                    with pool:
                        for piece in pool.imap(_piece, list(zip(edges, edges[1:], strict=False))):
                            if answer.take(piece):
                                break
                        pool.terminate()  # (the pieces after a stop: abandoned)
            finally:
                _JOB = None
    if answer.found is None:
        raise RuntimeError("internal invariant violated")
    share, selected, total = answer.found
    if stats is not None:
        stats["runs"] = answer.runs + (1 if record and not answer.none_within else 0)
        stats["jobs"] = used
    eligible = frozenset(engine.eligible)
    if answer.none_within:
        return MesRun(share, selected, (), eligible), total
    if not record:
        return MesRun(share, selected, (), eligible, floated=True), total
    return engine.run(share, record=True), total
