"""The add-one completion over several processes (``--jobs``).

The add-one completion looks for the first step ``k`` at which MES, with each
voter's share raised by ``k`` currency units, overspends or stops (see
:func:`voting.tally.mes.mes_add1`).  MES at a share depends on that share alone, so
the steps can be searched in pieces, each from its own first step, by
:func:`~voting.tally.mes.mes_add1` itself (``start`` and ``max_rounds``): the answer
is that of the first piece in which the search stops.  No decision changes: every
piece is searched exactly as the whole would be, and the first stop found in order
is the first stop.

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
(:data:`MIN_STEPS`), the completion runs in this process alone.
"""

from __future__ import annotations

import os

from .mes import MesEngine, MesRun, _cost, initial_share, is_exhaustive, mes_add1
from .model import Election
from .numeric import Rational, q
from .satisfaction import Sat

# Searches whose first stop is probed at fewer steps than this run in one process
# (a piece must take long enough to be worth starting a process for: where the
# outcome changes often, the search makes an MES run at about every step)
MIN_STEPS = 64
PROBE_FROM = 16  # the first step the probe tries
PIECES_PER_JOB = 1  # pieces per process (more: better balance, more start-up runs)

# the search one forked process works on: set before the pool forks, read by _piece
_JOB: tuple[Election, Sat, MesEngine, bool, Rational, Rational] | None = None


def default_jobs() -> int:
    """The processors this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # (no affinity on this platform)
        return max(1, os.cpu_count() or 1)


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


def _piece(bounds: tuple[int, int]) -> tuple[int, Rational, tuple[int, ...], int, int, int, int]:
    """Search steps ``[a, b)`` (in a forked process): (a, the share and outcome found,
    the steps searched, the MES runs made, whether it stopped, whether its first
    step overspent)."""
    if _JOB is None:
        raise RuntimeError("internal invariant violated")
    election, sat, engine, exhaustive_stop, base, step = _JOB
    a, b = bounds
    stats: dict[str, int] = {}
    run, steps = mes_add1(
        election,
        sat,
        exhaustive_stop=exhaustive_stop,
        engine=engine,
        start=base + a * step,
        step=step,
        max_rounds=b - a,
        stats=stats,
        record=False,
    )
    return (
        a,
        run.budget_per_voter,
        run.selected,
        steps,
        stats["runs"],
        stats["stopped"],
        stats["overspent"],
    )


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

    def alone() -> tuple[MesRun, int]:
        got = mes_add1(
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
            stats["runs"] += probed
            stats["jobs"] = 1
        return got

    probed = 0
    if jobs <= 1 or election.num_voters == 0:
        return alone()
    import multiprocessing  # (here: most commands never need it, and it takes a while)

    if "fork" not in multiprocessing.get_all_start_methods():
        return alone()
    high, probed = _probe(election, engine, base, step, exhaustive_stop, max_rounds)
    if high < MIN_STEPS:
        return alone()
    # steps [0, high] (the completion stops at ``high`` or before), or [0, max_rounds)
    end = high + 1 if max_rounds is None or high < max_rounds else max_rounds
    count = min(jobs * PIECES_PER_JOB, max(1, end // (MIN_STEPS // 2)))
    edges = [end * i // count for i in range(count + 1)]
    global _JOB
    _JOB = (election, sat, engine, exhaustive_stop, base, step)
    runs = probed
    previous: tuple[Rational, tuple[int, ...]] | None = None  # the last piece's last run
    found: tuple[Rational, tuple[int, ...], int] | None = None
    none_within = False  # even the first step overspends (no run within budget)
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(min(jobs, count)) as pool:
            for a, share, selected, steps, made, stopped, overspent in pool.imap(
                _piece, list(zip(edges, edges[1:], strict=False))
            ):
                runs += made
                if overspent:
                    # even this piece's first step overspends: the answer is the step
                    # before it, the last of the piece before (the first piece's:
                    # no run within budget, as the search in one process says)
                    none_within = previous is None
                    found = (share, selected, a + 1) if previous is None else (*previous, a + 1)
                    break
                found = (share, selected, a + steps)
                if stopped:
                    break
                previous = (share, selected)  # (max_rounds, no stop: the last piece's)
            pool.terminate()  # (the pieces after a stop: abandoned)
    finally:
        _JOB = None
    if found is None:
        raise RuntimeError("internal invariant violated")
    share, selected, total = found
    if stats is not None:
        stats["runs"] = runs + (1 if record and not none_within else 0)
        stats["jobs"] = min(jobs, count)
    eligible = frozenset(engine.eligible)
    if none_within:
        return MesRun(share, selected, (), eligible), total
    if not record:
        return MesRun(share, selected, (), eligible, floated=True), total
    return engine.run(share, record=True), total
