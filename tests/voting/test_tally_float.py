"""MES runs decided in floats (``MesEngine.run_float``, used by the add-one
completion for its plain runs): whenever they give an outcome, it is the exact
run's, projects and order."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tally_support import require_shared
from test_tally_add1 import changing_election, cumulative_elections, elections, has_points

from voting.tally import Election, Profile, Project, read_pabulib
from voting.tally.mes import MesEngine, initial_share, mes_add1


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


def test_a_batch_decides_most_shares_of_elections_whose_outcome_keeps_changing() -> None:
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
