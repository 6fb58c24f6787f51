"""The add-one completion searched by several processes (``--jobs``): the same
outcome, share and number of steps as the search in one process, and so as the
stepwise reference (:mod:`voting.tally.parallel`)."""

from __future__ import annotations

import json
import os
import time as real_time
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tally_support import require_shared
from test_tally_add1 import changing_election, elections

import voting.tally.parallel as parallel
from voting.tally import Election, read_pabulib
from voting.tally.cli import main
from voting.tally.mes import MesEngine, initial_share, mes_add1, mes_add1_stepwise

pytestmark = pytest.mark.own_db  # (the engine alone: no database)

FULL = os.environ.get("TALLY_FULL") == "1"


def same_result(e: Election, jobs: int, *, record: bool = False, **kwargs: Any) -> dict[str, int]:
    """Check the search by ``jobs`` processes against the one in this process (and
    the stepwise reference); the stats of the former."""
    engine = MesEngine(e, "cost")
    stats: dict[str, int] = {}
    got, got_steps = parallel.mes_add1_jobs(
        e, "cost", jobs=jobs, engine=engine, stats=stats, record=record, **kwargs
    )
    one, one_steps = mes_add1(e, "cost", engine=engine, record=record, **kwargs)
    slow, slow_steps = mes_add1_stepwise(e, "cost", engine=engine, record=record, **kwargs)
    assert (got.selected, got.budget_per_voter, got_steps) == (
        one.selected,
        one.budget_per_voter,
        one_steps,
    )
    assert (one.selected, one.budget_per_voter, one_steps) == (
        slow.selected,
        slow.budget_per_voter,
        slow_steps,
    )
    if record:
        assert got.purchases == one.purchases == slow.purchases
    no_process_left()
    return stats


_STARTED: list[int] = []  # (the processes forked during the test running now)


@pytest.fixture(autouse=True)
def _record_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Note each process the search forks, so that :func:`no_process_left` looks at
    those alone (the test run may have other children of its own)."""
    fork = os.fork

    def recording_fork() -> int:
        pid = fork()
        if pid:
            _STARTED.append(pid)
        return pid

    _STARTED.clear()
    monkeypatch.setattr(os, "fork", recording_fork)


def no_process_left() -> None:
    """Every process the search started has ended and been reaped."""
    for pid in _STARTED:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


class Ticks:
    """A clock that advances by one at each look: the search alone ends after as many
    looks (between its steps) as ``ALONE_SECONDS`` says, whatever the machine."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 1
        return self.now


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of a few steps, so that small elections are cut into several, after
    the first step searched alone (the search waits there for the probe's answer)."""
    monkeypatch.setattr(parallel, "MIN_STEPS", 2)
    monkeypatch.setattr(parallel, "SPLIT_FROM", 2)
    monkeypatch.setattr(parallel, "PROBE_FROM", 1)
    monkeypatch.setattr(parallel, "ALONE_SECONDS", 0)
    monkeypatch.setattr(parallel, "PROBE_WAIT", 60)
    monkeypatch.setattr(parallel, "time", Ticks())


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    elections(),
    st.sampled_from([Fraction(1), Fraction(1, 7)]),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 40)),
    st.booleans(),
    st.integers(0, 8),
)
def test_pieces_give_the_outcome_of_one_search(
    small_pieces: None,
    e: Election,
    step: Fraction,
    exhaustive_stop: bool,
    max_rounds: int | None,
    record: bool,
    alone: int,
) -> None:
    # (``alone``: the looks between steps before the search alone gives way to pieces)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(parallel, "ALONE_SECONDS", alone)
        same_result(
            e, 2, record=record, step=step, exhaustive_stop=exhaustive_stop, max_rounds=max_rounds
        )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("exhaustive_stop", [True, False])
def test_pieces_where_the_outcome_changes_many_times(
    small_pieces: None, seed: int, exhaustive_stop: bool
) -> None:
    stats = same_result(changing_election(seed), 3, exhaustive_stop=exhaustive_stop)
    assert stats["jobs"] == 3  # (it was cut: pieces were searched by three processes)


def overspending_election() -> tuple[Election, int]:
    """An election whose add-one search (without the exhaustive stop) ends by
    overspending, and the step at which it does."""
    for seed in range(40):
        e = changing_election(seed)
        engine = MesEngine(e, "cost")
        run, steps = mes_add1(e, "cost", engine=engine, exhaustive_stop=False)
        last = engine.run(initial_share(e) + steps - 1, record=False)
        if steps >= 4 and sum(e.projects[p].cost for p in last.selected) > e.budget:
            return e, steps - 1
    raise AssertionError("no such election among the seeds tried")


def test_a_piece_that_overspends_at_once_answers_with_the_piece_before(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second piece starts at the very step that overspends: the answer is the
    last step of the first piece.  (The search alone takes step 0 and goes on with
    the first piece: steps [0, over) here and [over, ...) elsewhere.)"""
    e, over = overspending_election()
    monkeypatch.setattr(parallel, "_probe", lambda *args: (2 * over, 0))
    monkeypatch.setattr(parallel, "_cut", lambda first, end, jobs: [(1, over), (over, end)])
    for record in (False, True):
        stats = same_result(e, 2, record=record, exhaustive_stop=False)
        assert stats["jobs"] == 2


def test_a_piece_here_is_abandoned_once_an_earlier_one_stops(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process searches a later piece while another searches the one where
    the search stops: once that answer comes, the piece here is abandoned between
    two steps.  (Pieces: [0, 2) here, the search alone going on with the first one,
    [2, steps + 5) elsewhere, with the stop, then [steps + 5, steps + 40) here, which
    waits until the stop is known.)"""
    e = next(
        e
        for e in (changing_election(seed) for seed in range(10))
        if mes_add1(e, "cost", record=False)[1] >= 4
    )
    steps = mes_add1(e, "cost", record=False)[1]
    monkeypatch.setattr(parallel, "_probe", lambda *args: (steps + 39, 0))
    monkeypatch.setattr(
        parallel,
        "_cut",
        lambda first, end, jobs: [(1, 2), (2, steps + 5), (steps + 5, end)],
    )
    search, here = parallel._search, os.getpid()
    abandoned = []

    def later_here(job: Any, a: int, b: int | None, horizon: Any = None) -> Any:
        if os.getpid() == here and a == steps + 5:
            while horizon(0) != 0:  # (no step to make: the answer is known)
                real_time.sleep(0.001)
            abandoned.append(a)
        return search(job, a, b, horizon)

    monkeypatch.setattr(parallel, "_search", later_here)
    same_result(e, 2)
    assert abandoned == [steps + 5]


@pytest.mark.parametrize("exhaustive_stop", [True, False])
def test_a_search_here_hands_its_last_steps_to_a_free_process(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch, exhaustive_stop: bool
) -> None:
    """One piece for two processes: the search here hands the second half of its
    steps to the other one as soon as it starts, and so on while steps are left."""
    monkeypatch.setattr(parallel, "_cut", lambda first, end, jobs: [(first, end)])
    for seed in range(3):
        stats = same_result(changing_election(seed), 2, exhaustive_stop=exhaustive_stop)
        assert stats["jobs"] == 2 and stats["splits"] >= 1


def test_a_process_with_no_piece_left_takes_half_of_another_ones(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process ends its piece at once, while the other one, slow to start, has
    all the later steps: it takes their second half, and the other one ends where
    that half starts (it sees its new end between two steps)."""
    e = next(
        e
        for e in (changing_election(seed) for seed in range(10))
        if mes_add1(e, "cost", record=False)[1] >= 8
    )
    monkeypatch.setattr(parallel, "_cut", lambda first, end, jobs: [(1, 2), (2, end)])
    search, here = parallel._search, os.getpid()
    pieces: list[tuple[int, int | None]] = []

    def slow_elsewhere(job: Any, a: int, b: int | None, horizon: Any = None) -> Any:
        if os.getpid() != here:
            real_time.sleep(0.5)  # (this process takes half of these steps meanwhile)
        else:
            pieces.append((a, b))
        return search(job, a, b, horizon)

    monkeypatch.setattr(parallel, "_search", slow_elsewhere)
    stats = same_result(e, 2)
    assert stats["splits"] >= 1
    # here: the search alone, which goes on with the first piece (so it ends at step
    # 2), then the second half of the other one's
    assert pieces[0] == (0, None) and pieces[1][0] > 2


def test_the_search_alone_goes_on_with_the_first_piece(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the probe has answered, the search alone is not ended and started again
    from where it stands (which would make its first runs again): it goes on with the
    first piece, and the other process takes the second."""
    search, here = parallel._search, os.getpid()
    searched_here: list[tuple[int, int | None]] = []

    def recording(job: Any, a: int, b: int | None, horizon: Any = None) -> Any:
        if os.getpid() == here:
            searched_here.append((a, b))
        return search(job, a, b, horizon)

    monkeypatch.setattr(parallel, "_search", recording)
    monkeypatch.setattr(parallel, "SPLIT_FROM", 10**9)  # (no splits: the pieces as cut)
    for seed in range(3):
        searched_here.clear()
        stats = same_result(changing_election(seed), 2)
        assert stats["jobs"] == 2 and stats["splits"] == 0
        assert searched_here == [(0, None)]


def test_a_first_step_that_overspends(small_pieces: None) -> None:
    """From a share at which MES already overspends, no run is within budget: the
    same answer as one search gives (the first share, nothing bought)."""
    e, over = overspending_election()
    for record in (False, True):
        stats = same_result(
            e, 2, record=record, exhaustive_stop=False, start=initial_share(e) + over
        )
        assert stats["jobs"] == 1  # (found by the search alone, at its first step)


def test_a_search_alone_that_ends_in_time_cuts_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_pieces(*args: Any) -> Any:
        raise AssertionError("no pieces: the search alone ended")

    monkeypatch.setattr(parallel, "_Pieces", no_pieces)
    monkeypatch.setattr(parallel, "ALONE_SECONDS", 60)
    stats = same_result(changing_election(2), 2)
    assert stats["jobs"] == 1


def test_no_process_to_be_had_searches_here(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise OSError("no processes here")

    monkeypatch.setattr(parallel.os, "fork", no_fork)
    stats = same_result(changing_election(3), 2, exhaustive_stop=False)
    assert stats["jobs"] == 1


def test_pieces_searched_here_when_processes_run_out(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe's process starts, and then no other: every piece is searched here,
    in order."""
    fork = os.fork
    forks = []

    def fork_once() -> int:
        if forks:
            raise OSError("no more processes here")
        forks.append(1)
        return fork()

    monkeypatch.setattr(parallel.os, "fork", fork_once)
    for seed in range(3):
        forks.clear()
        stats = same_result(changing_election(seed), 3)
        assert stats["jobs"] == 1


def test_a_failure_in_another_process_is_raised_here(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise ValueError("the probe broke")

    monkeypatch.setattr(parallel, "_probe", broken)
    e = changing_election(0)
    with pytest.raises(RuntimeError, match="a search process failed: ValueError: the probe broke"):
        parallel.mes_add1_jobs(e, "cost", jobs=2)
    no_process_left()


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 10**6), st.integers(2, 16))
def test_cut_covers_the_steps_in_order(first: int, length: int, jobs: int) -> None:
    end = first + length
    pieces = parallel._cut(first, end, jobs)
    assert [a for a, _ in pieces] == [first] + [b for _, b in pieces[:-1]]
    assert pieces[-1][1] == end and all(a < b for a, b in pieces)
    assert len(pieces) == min(jobs, length)  # (one per process, as equal as can be)
    assert max(b - a for a, b in pieces) - min(b - a for a, b in pieces) <= 1


def test_one_job_searches_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_probe(*args: Any) -> Any:
        raise AssertionError("no process is started for one job")

    monkeypatch.setattr(parallel, "_Child", no_probe)
    stats = same_result(changing_election(0), 1)
    assert stats["jobs"] == 1


def test_a_short_search_runs_here() -> None:
    # (a few steps: not worth a process, whatever the processors)
    stats = same_result(changing_election(1), 4, max_rounds=parallel.MIN_STEPS - 1)
    assert stats["jobs"] == 1


@pytest.mark.parametrize(("processors", "jobs"), [(1, 1), (2, 2), (64, 8)])
def test_default_jobs(monkeypatch: pytest.MonkeyPatch, processors: int, jobs: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(processors)), raising=False)
    assert parallel.default_jobs() == jobs


@pytest.mark.parametrize(
    "name",
    ["Poland_Warszawa_2023_Mokotow.pb", "Hungary_Budapest_2025_XI_Ujbuda.pb"]
    + (
        ["Hungary_Budapest_2024.pb", "Poland_Warszawa_2026.pb", "France_Toulouse_2022.pb"]
        if FULL
        else []
    ),
)
def test_pieces_on_shared_files(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # (pieces once the probe has answered, after the first step)
    monkeypatch.setattr(parallel, "ALONE_SECONDS", 0)
    monkeypatch.setattr(parallel, "PROBE_WAIT", 60)
    e = read_pabulib(require_shared() / name)
    engine = MesEngine(e, "cost")
    for exhaustive_stop in (True, False):
        stats: dict[str, int] = {}
        got, got_steps = parallel.mes_add1_jobs(
            e, "cost", jobs=2, engine=engine, stats=stats, exhaustive_stop=exhaustive_stop
        )
        one, one_steps = mes_add1(e, "cost", engine=engine, exhaustive_stop=exhaustive_stop)
        assert stats["jobs"] == 2
        assert (got.selected, got.budget_per_voter, got_steps) == (
            one.selected,
            one.budget_per_voter,
            one_steps,
        )
        assert got.purchases == one.purchases
        no_process_left()


def test_cli_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(require_shared() / "Poland_Warszawa_2023_Mokotow.pb")
    outs = []
    for jobs in ("1", "2"):
        assert main([path, "--completion", "add1", "--json", "--jobs", jobs]) == 0
        data = json.loads(capsys.readouterr().out)
        data.pop("add1_mes_runs")  # (the probe's and the pieces' runs: more with two)
        outs.append(data)
    assert outs[0] == outs[1]
    # the rule a file's META names, with the add-one completion (here without the stop)
    wieliczka = str(require_shared() / "Poland_Wieliczka_2023_Green_Budget.pb")
    metas = []
    for jobs in ("1", "2"):
        assert main([wieliczka, "--rule", "meta", "--json", "--jobs", jobs]) == 0
        data = json.loads(capsys.readouterr().out)
        data.pop("add1_mes_runs")
        metas.append(data)
    assert metas[0] == metas[1]
    with pytest.raises(SystemExit):
        main([path, "--jobs", "-1"])
    assert "expected 0 (one per processor) or more" in capsys.readouterr().err
