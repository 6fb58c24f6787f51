"""The add-one completion over several processes (``--jobs``).

The add-one completion looks for the first step ``k`` at which MES, with each
voter's share raised by ``k`` currency units, overspends or stops (see
:func:`voting.tally.mes.mes_add1`).  MES at a share depends on that share alone, so
the steps can be searched in pieces, each from its own first step, by
:func:`~voting.tally.mes.mes_add1` itself (``start`` and ``max_rounds``): the answer
is that of the first piece in which the search stops.  No decision changes: every
piece is searched exactly as the whole would be, and the first stop found in order
is the first stop.

The search starts in this process at once.  Beside it, a forked process looks for
where to cut (:func:`_probe`): a few plain MES runs find a step ``hi`` at which the
completion would stop (overspend or meet its stopping rule), doubling from step
:data:`PROBE_FROM` and then halving the gap to a step below at which it would not.
The first stop is at ``hi`` or before it (it may be well before: outcomes need not
grow with the share).  Most searches end before the probe has answered, or within
:data:`ALONE_SECONDS`, and then the probe is stopped and nothing else is started.
Otherwise, once both have passed, the steps from where the search here has come up
to ``hi`` are cut into equal pieces, one per process (:func:`_cut`): the search here
goes on with the first (it only learns where it now ends, and keeps what it knows:
no run is made again), forked processes take the others (:class:`_Pieces`), and
the answers are taken in order of the steps; once a piece stops, the later ones are
abandoned.  The search time is uneven along the steps (on Budapest 2024 the first
half of its 22,002 steps takes 20-30 % longer than the second), so a process that
finds no piece left takes the second half of the steps left to the search under
way with the most of them: each search notes how far it has come, and reads where
it ends, between its steps, in memory shared by the processes
(:class:`_Board`), so the other one ends where that half starts.

Only where ``fork`` exists (Linux, the BSDs, macOS): processes then start with the
election and its :class:`~voting.tally.mes.MesEngine` already in memory, shared
until written, and each answer comes back pickled through a pipe.  Elsewhere, where
no process can be started, or for a search too short to be worth one
(:data:`MIN_STEPS`), the completion runs in this process alone.  The number of MES
runs made therefore depends on how fast this machine is; the outcome never does.
"""

from __future__ import annotations

import bisect
import mmap
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from .mes import MesEngine, MesRun, _cost, initial_share, is_exhaustive, mes_add1
from .model import Election
from .numeric import Rational, q
from .satisfaction import Sat

# Searches whose first stop is probed fewer steps ahead than this run in one process
# (a piece must take long enough to be worth starting a process for: where the
# outcome changes often, the search makes an MES run at about every step)
MIN_STEPS = 64
PROBE_FROM = 16  # the first step the probe tries
# the search runs here alone for at least this long (seconds), and until the probe
# has answered: most end within it, with nothing more started than the probe
ALONE_SECONDS = 0.1
# once that time has passed, how long each look between steps waits for the probe's
# answer (0: it only looks; the search goes on meanwhile)
PROBE_WAIT = 0.0

# a search under way hands the second half of the steps it has left to a process
# that has no piece left to search when it has at least this many left
SPLIT_FROM = MIN_STEPS

# at most this many processes by default: each holds its own working arrays (tens of
# MB on the largest shared files), and pieces of fewer steps each make relatively
# more start-up runs
MAX_DEFAULT_JOBS = 8

# what every process searches from: the election, its satisfaction, its engine, the
# exhaustive stop, the first share and the step
_Job = tuple[Election, Sat, MesEngine, bool, Rational, Rational]


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
    """What the search from step ``a`` found."""

    a: int
    share: Rational  # the last step's share within budget (see ``overspent``)
    selected: tuple[int, ...]  # its outcome
    steps: int  # steps searched (as :func:`~voting.tally.mes.mes_add1` counts them)
    runs: int  # MES runs made
    stopped: int  # a stopping rule ended the search (else its end did)
    overspent: int  # even step ``a`` overspends (``share`` and ``selected``: a's, nothing bought)


def _search(
    job: _Job,
    a: int,
    b: int | None,
    horizon: Callable[[int], int | None] | None = None,
) -> _Found:
    """The add-one search over steps ``[a, b)`` (b None: no end; ``horizon``: see
    :func:`~voting.tally.mes.mes_add1`, which may end it sooner)."""
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
        horizon=horizon,
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


class _Board:
    """Where each search under way stands, in memory shared with the processes
    forked after it was made: per slot (0: this process; 1 and up: the forked
    ones), the step it has reached (``at``, written by its search between steps) and
    the step it ends before (``end``, written here alone: lowered to hand the steps
    after it to another process, :meth:`_Pieces._split`).  Steps are counted from the
    completion's first one."""

    def __init__(self, slots: int) -> None:
        self._memory = mmap.mmap(-1, 16 * slots)  # (anonymous: shared with forks)
        self.at = np.frombuffer(self._memory, dtype=np.int64, count=slots)
        self.end = np.frombuffer(self._memory, dtype=np.int64, count=slots, offset=8 * slots)

    def set(self, slot: int, a: int, b: int) -> None:
        self.at[slot], self.end[slot] = a, b

    def follow(self, slot: int, a: int) -> Callable[[int], int]:
        """The ``horizon`` of the search from step ``a`` in ``slot``, in the process
        that runs it: it notes how far the search has come and answers its end."""

        def horizon(steps: int) -> int:
            self.at[slot] = a + steps
            return int(self.end[slot]) - a

        return horizon


class _Child:
    """A forked process computing ``fn(*args)``; its answer (or the error it met)
    comes back pickled through a pipe.  Start with :meth:`start`."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    @classmethod
    def start(cls, fn: Callable[..., Any], *args: Any) -> _Child | None:
        """The process started, or None where none can be (no ``fork``, or the
        system refuses one)."""
        if not hasattr(os, "fork"):
            return None
        try:
            r, w = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(r)
            os.close(w)
            return None
        if pid == 0:  # (the child: never returns)
            code = 1
            try:
                os.close(r)
                try:
                    answer: tuple[bool, Any] = (True, fn(*args))
                except BaseException as exc:  # (reported to the parent, which raises)
                    answer = (False, f"{type(exc).__name__}: {exc}")
                with os.fdopen(w, "wb") as out:
                    out.write(pickle.dumps(answer))
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        return cls(pid, r)

    def ready(self, wait: float = 0.0) -> bool:
        """Whether the answer has come (waiting up to ``wait`` seconds)."""
        return bool(select.select([self.fd], [], [], wait)[0])

    def get(self) -> Any:
        """The answer (waiting for it); the process has then ended."""
        chunks = []
        while chunk := os.read(self.fd, 1 << 16):
            chunks.append(chunk)
        self.close(kill=False)
        if not chunks:
            raise RuntimeError("a search process ended without an answer")
        # (from our own fork, through our own pipe)
        ok, answer = pickle.loads(b"".join(chunks))  # noqa: S301
        if not ok:
            raise RuntimeError(f"a search process failed: {answer}")
        return answer

    def close(self, kill: bool = True) -> None:
        """End the process (if ``kill``: at once, abandoning its work) and reap it."""
        if self.pid:
            if kill:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            os.waitpid(self.pid, 0)
            self.pid = 0
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


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


def _cut(first: int, end: int, jobs: int) -> list[tuple[int, int]]:
    """Steps ``[first, end)`` in ``jobs`` pieces as equal as can be (fewer when there
    are fewer steps), in order.  (Pieces are not made smaller towards the end to let
    the processes end together: a process left without a piece splits another's,
    :meth:`_Pieces._split`, which needs no run made again at the start of a piece,
    where every smaller piece would: on Budapest 2024, two pieces and splits made 13 %
    fewer MES runs than five pieces shrinking towards the end.)"""
    n = max(1, min(jobs, end - first))
    return [
        (first + (end - first) * i // n, first + (end - first) * (i + 1) // n) for i in range(n)
    ]


class _Pieces:
    """The pieces of the search (:func:`_cut`) shared among this process and up to
    ``jobs - 1`` forked ones: each process takes the next piece nobody searches
    yet as it becomes free, and once none is left, the second half of the steps
    left to the search under way with the most of them (:meth:`_split`), and the
    answers are taken in order of the pieces' first steps (:class:`_Answer`); once
    one stops, the later pieces are abandoned."""

    def __init__(
        self,
        job: _Job,
        pieces: list[tuple[int, int]],
        jobs: int,
        answer: _Answer,
        here: tuple[int, int, int] | None = None,
    ):
        """``here``: a search under way here (its first step, the step it has come to
        and the one it now ends before), the first piece; then call :meth:`poll`
        between its steps, and :meth:`ended` with what it found."""
        self.job, self.answer = job, answer
        self.queue = list(reversed(pieces))  # pieces nobody searches yet (next last)
        self.starts = [a for a, _ in pieces]  # every piece's first step, in order
        self.taken = 0  # the pieces taken by the answer (the first ones of ``starts``)
        self.found: dict[int, _Found] = {}  # pieces searched, not taken yet, by first step
        self.running: dict[int, tuple[_Child, int]] = {}  # forked searches: process, slot
        self.board = _Board(jobs)
        self.slots = list(range(jobs - 1, 0, -1))  # the forked processes' free slots
        self.here: int | None = None  # the first step of the piece searched here
        if here is not None:
            a, at, b = here
            self.starts.insert(0, a)
            self.board.set(0, a, b)
            self.board.at[0] = at
            self.here = a
        self.used = 1  # processes that searched at the same time, at most
        self.splits = 0  # pieces handed over from a search under way

    def _take(self) -> bool:
        """Take the pieces searched next in order: whether the answer is known."""
        while not self.answer.done and self.taken < len(self.starts):
            got = self.found.pop(self.starts[self.taken], None)
            if got is None:
                break
            self.answer.take(got)
            self.taken += 1
        return self.answer.done

    def _split(self) -> tuple[int, int] | None:
        """The second half of the steps left to the search under way with the most of
        them, at least :data:`SPLIT_FROM`, that search ending before it (it sees its
        new end between two steps: the steps it searches past it meanwhile are
        searched twice, with the same outcome); None if none has that many, or if
        the answer is known (the searches that have ended are collected first)."""
        self._collect()
        if self._take():
            return None
        under_way = [(slot, a) for a, (_, slot) in self.running.items()]
        if self.here is not None:
            under_way.append((0, self.here))
        best: tuple[int, int, int] | None = None  # steps left, slot, first step
        for slot, a in under_way:
            left = int(self.board.end[slot]) - int(self.board.at[slot])
            if left >= SPLIT_FROM and (best is None or left > best[0]):
                best = (left, slot, a)
        if best is None:
            return None
        left, slot, _ = best
        end = int(self.board.end[slot])
        mid = end - left // 2
        self.board.end[slot] = mid
        bisect.insort(self.starts, mid)
        self.splits += 1
        return mid, end

    def _next(self) -> tuple[int, int] | None:
        """The next piece to search: the next of the pieces cut, or one split off."""
        return self.queue.pop() if self.queue else self._split()

    def _fill(self) -> None:
        """Give the next pieces to new processes while there is room."""
        while self.slots:
            piece = self._next()
            if piece is None:
                return
            slot = self.slots.pop()
            self.board.set(slot, *piece)
            child = _Child.start(_search, self.job, *piece, self.board.follow(slot, piece[0]))
            if child is None:  # (no more processes to be had: the rest are searched here)
                self.slots = []
                self.queue.append(piece)  # (not started: next here, or split again)
                return
            self.running[piece[0]] = (child, slot)
            self.used = max(self.used, 1 + len(self.running))

    def _collect(self, wait: float | None = 0.0) -> None:
        """The answers of the forked searches that have ended (waiting up to ``wait``
        seconds, None: until one has)."""
        fds = {child.fd: a for a, (child, _) in self.running.items()}
        if not fds:
            return
        ready, _, _ = select.select(list(fds), [], [], wait)
        for fd in ready:
            a = fds[fd]
            child, slot = self.running.pop(a)
            self.found[a] = child.get()
            self.slots.append(slot)

    def ended(self, got: _Found) -> None:
        """What the search here (:meth:`poll`'s) found, once it has ended."""
        self.here = None
        if not self.answer.done:  # (else cut short, and not needed)
            self.found[got.a] = got

    def poll(self, a: int, steps: int) -> int:
        """(The ``horizon`` of the search here from step ``a``, asked between its
        steps.)  Collect the pieces the other processes have searched and give them
        the next ones; the steps the search here is to make: as many as it has made
        once the answer is known (so it ends at once), else up to its end."""
        self.board.at[0] = a + steps
        self._collect()
        if not self._take():
            self._fill()
        return steps if self.answer.done else int(self.board.end[0]) - a

    def search(self) -> None:
        """Search the pieces until the answer is known or no piece is left."""
        while not self._take():
            piece = self._next()
            if self.answer.done:
                return  # (known from the searches collected while looking for a piece)
            if piece is not None:
                a, b = piece
                self.board.set(0, a, b)
                self.here = a
                self._fill()
                self.ended(_search(self.job, a, b, partial(self.poll, a)))
            elif self.running:
                self._collect(None)
                self._fill()
            else:
                return  # (every piece taken, none stopped: ``max_rounds`` ended the search)

    def close(self) -> None:
        """Abandon the pieces still searched elsewhere."""
        for child, _ in self.running.values():
            child.close()
        self.running.clear()


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
    number of steps (``stats``: ``runs``, the MES runs made by all the processes,
    the probe's included if it answered in time, and ``jobs``, the processes that
    searched: 1 when the search ran here alone)."""
    engine = engine or MesEngine(election, sat)
    base = q(start) if start is not None else initial_share(election)
    step = q(step)
    probe = None
    if jobs > 1 and election.num_voters:
        # where to cut, found beside the search (started first: it needs the time)
        probe = _Child.start(_probe, election, engine, base, step, exhaustive_stop, max_rounds)
    if probe is None:  # (one job, or no process to be had)
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
    deadline = time.perf_counter() + ALONE_SECONDS
    pieces: _Pieces | None = None
    cut = False  # (decided: pieces made, or the search goes on here alone)
    try:

        def horizon(steps: int) -> int | None:
            # the search alone, until it and the probe have both had their time; then
            # the first piece of the steps from where it has come (see ``_Pieces``)
            nonlocal pieces, cut
            if pieces is not None:
                return pieces.poll(0, steps)
            if cut or time.perf_counter() <= deadline or not probe.ready(PROBE_WAIT):
                return None
            cut = True
            high, probed = probe.get()
            answer.runs += probed
            # steps [steps, end): the completion stops at ``high`` or before (or, with
            # no stop found, ``max_rounds`` ends it)
            end = high + 1 if max_rounds is None or high < max_rounds else max_rounds
            if end - steps < MIN_STEPS:
                return None  # (too few to be worth a process: searched here)
            first, *others = _cut(steps, end, jobs)
            pieces = _Pieces(job, others, jobs, answer, here=(0, steps, first[1]))
            return pieces.poll(0, steps)

        got = _search(job, 0, max_rounds, horizon)
        if pieces is None:
            answer.take(got)
        else:
            pieces.ended(got)
            pieces.search()
            used = pieces.used
            if stats is not None:
                stats["splits"] = pieces.splits
    finally:
        if pieces is not None:
            pieces.close()
        probe.close()  # (closed already if its answer was taken)
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
