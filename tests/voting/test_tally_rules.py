"""Greedy, MES and completions: hand-made cases, recorded and live pabutools outcomes."""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any

import pytest
from tally_support import RULE_NAMES, SAT_NAMES, pb_files, reference, require_shared

from voting.tally import Election, Profile, Project, read_pabulib, tally
from voting.tally.mes import MesEngine, mes_add1

pytestmark = pytest.mark.own_db  # (the engine alone: no database)

# add-one runs that take more than a few seconds in this engine (pabutools: minutes);
# they run when TALLY_FULL=1 (the benchmark covers the largest ones).
HEAVY_ADD1_SECONDS = 12.0
FULL = os.environ.get("TALLY_FULL") == "1"


def election(costs: dict[str, int], ballots: list[list[str]], budget: int) -> Election:
    ids = list(costs)
    projects = tuple(Project(pid, Fraction(c)) for pid, c in costs.items())
    profile = Profile.from_ballots(
        "approval", len(ids), [[ids.index(x) for x in b] for b in ballots]
    )
    return Election(projects, Fraction(budget), profile)


# -- hand-made cases -------------------------------------------------------------


def test_greedy_skips_what_no_longer_fits_and_explains_it() -> None:
    e = election(
        {"a": 8, "b": 5, "c": 2},
        [["a", "b"], ["a", "b"], ["a", "c"], ["b"]],
        10,
    )
    out = tally(e, "greedy", "cost")
    assert out.selected_ids == ["a", "c"]
    skipped = [s for s in out.greedy_steps if not s.selected]
    assert [e.projects[s.project].id for s in skipped] == ["b"]
    assert skipped[0].remaining_before == 2


def test_greedy_ties_go_to_the_smaller_id_as_a_string() -> None:
    e = election({"9": 5, "10": 5}, [["9"], ["10"]], 5)
    assert tally(e, "greedy", "cost").selected_ids == ["10"]  # "10" < "9"
    e = election({"9": 5, "10": 5}, [["9"], ["9"], ["10"], ["10"]], 10)
    assert tally(e, "mes", "cost").selection_order == ["10", "9"]


def test_greedy_cardinality_uses_votes_per_unit_of_cost() -> None:
    e = election({"big": 10, "small": 2}, [["big"], ["big"], ["big"], ["small"]], 10)
    assert tally(e, "greedy", "cost").selected_ids == ["big"]
    assert tally(e, "greedy", "cardinality").selected_ids == ["small"]


def test_mes_equal_shares_worked_example() -> None:
    # 4 voters, budget 40: each has 10.  "a" (cost 20) is backed by voters 1-3,
    # "b" (cost 20) by voter 4 only, "c" (cost 12) by voters 3-4.
    e = election(
        {"a": 20, "b": 20, "c": 12},
        [["a"], ["a"], ["a", "c"], ["b", "c"]],
        40,
    )
    out = tally(e, "mes", "cost")
    run = out.mes_run
    assert run is not None
    # a: 3 supporters pay 20/3 each; then c: voter 3 has 10/3 left, voter 4 pays the rest
    assert out.selection_order == ["a", "c"]
    first, second = run.purchases
    assert [(p.amount, p.voters) for p in first.payments] == [(Fraction(20, 3), 3)]
    assert sorted((Fraction(p.amount), p.voters) for p in second.payments) == [
        (Fraction(10, 3), 1),
        (Fraction(26, 3), 1),
    ]
    assert out.total_cost == 32


def test_mes_cumulative_points() -> None:
    projects = (Project("x", Fraction(6)), Project("y", Fraction(6)))
    profile = Profile.from_ballots("cumulative", 2, [{0: 3, 1: 1}, {0: 1, 1: 1}, {1: 2}, {0: 2}])
    e = Election(projects, Fraction(16), profile)
    out = tally(e, "mes", "points")
    # x: 1 per point (3 + 1 + 2 points); y: the first voter has 1 left and pays it,
    # the others pay 5/3 per point
    assert out.selection_order == ["x", "y"]
    assert out.mes_run is not None
    x, y = out.mes_run.purchases
    assert x.rho == 1 and y.rho == Fraction(5, 3)
    assert sorted(Fraction(p.amount) for p in y.payments) == [1, Fraction(5, 3), Fraction(10, 3)]


def test_free_projects_with_support_are_selected_first_by_mes_cardinality() -> None:
    e = election({"free": 0, "a": 10}, [["free", "a"], ["a"]], 10)
    assert tally(e, "mes", "cardinality").selection_order == ["free", "a"]
    # with cost satisfaction a free project gives no satisfaction, as in pabutools
    assert tally(e, "mes", "cost").selection_order == ["a"]


def test_add1_raises_shares_until_the_budget_is_used() -> None:
    # a alone cannot be bought at the equal share (2 of 3 voters x 10 = 20 < 24)
    e = election({"a": 24, "b": 6}, [["a"], ["a"], ["b"]], 30)
    assert tally(e, "mes", "cost").selected_ids == ["b"]
    out = tally(e, "mes", "cost", "add1")
    assert out.selected_ids == ["a", "b"]
    assert out.budget_per_voter == 12  # 10 + 2: first share at which a is affordable
    assert out.total_cost <= e.budget


def test_rules_refuse_invalid_combinations() -> None:
    e = election({"a": 1}, [["a"]], 1)
    with pytest.raises(ValueError, match="cumulative"):
        tally(e, "mes", "points")
    with pytest.raises(ValueError):
        tally(e, "greedy", "cost", "add1")
    with pytest.raises(ValueError):
        tally(e, "mes", "votes")  # type: ignore[arg-type]


# -- recorded pabutools outcomes on every shared file ------------------------------


def _reference_cases() -> list[Any]:
    cases = []
    for name in pb_files():
        for run in reference()[name]["runs"]:
            if run["rule"] not in RULE_NAMES or run["status"] != "ok":
                continue
            rule, completion = RULE_NAMES[run["rule"]]
            sat = SAT_NAMES[run["sat_class"]]
            heavy = completion != "none" and run["seconds"] > HEAVY_ADD1_SECONDS
            marks = [pytest.mark.slow] if heavy else []
            cases.append(
                pytest.param(
                    name,
                    rule,
                    sat,
                    completion,
                    run["selected"],
                    heavy,
                    id=f"{name[:-3]}-{run['rule']}-{sat}",
                    marks=marks,
                )
            )
    return cases


_ELECTIONS: dict[str, Election] = {}
_ENGINES: dict[tuple[str, str], MesEngine] = {}


def _load(name: str) -> Election:
    if name not in _ELECTIONS:
        _ELECTIONS.clear()  # keep one file in memory at a time
        _ENGINES.clear()
        _ELECTIONS[name] = read_pabulib(require_shared() / name)
    return _ELECTIONS[name]


@pytest.mark.parametrize(
    ("name", "rule", "sat", "completion", "expected", "heavy"), _reference_cases()
)
def test_matches_recorded_pabutools_outcome(
    name: str, rule: str, sat: str, completion: str, expected: list[str], heavy: bool
) -> None:
    if heavy and not FULL:
        pytest.skip("long add-one run (pabutools took minutes); set TALLY_FULL=1 to run")
    e = _load(name)
    engine = None
    if rule == "mes":
        engine = _ENGINES.setdefault((name, sat), MesEngine(e, sat))  # type: ignore[arg-type]
    out = tally(e, rule, sat, completion, engine=engine)  # type: ignore[arg-type]
    assert out.selected_ids == expected
    assert out.total_cost <= e.budget


# -- real equal-shares elections ---------------------------------------------------------


def _real(name: str) -> tuple[Election, list[str]]:
    ref = reference()[name]
    return _load(name), sorted(ref["real_selected"])


def test_swiecie_2023_official_outcome() -> None:
    require_shared()
    e, official = _real("Poland_Swiecie_2023.pb")
    assert tally(e, "mes", "cost", "add1").selected_ids == official
    assert tally(e, "mes", "cost", "add1-greedy").selected_ids == official


def test_assen_2024_official_outcome_without_greedy_step() -> None:
    require_shared()
    e, official = _real("Netherlands_Assen_2024.pb")
    assert tally(e, "mes", "cost", "add1").selected_ids == official
    with_greedy = tally(e, "mes", "cost", "add1-greedy").selected_ids
    assert sorted(set(with_greedy) - set(official)) == ["7"]


def test_wieliczka_2023_official_outcome_needs_add1_without_exhaustive_stop() -> None:
    require_shared()
    e, official = _real("Poland_Wieliczka_2023_Green_Budget.pb")
    pabutools_like = tally(e, "mes", "cost", "add1")
    assert set(pabutools_like.selected_ids) ^ set(official) == {"46", "66", "67"}
    assert "46" in official and "66" in pabutools_like.selected_ids
    nostop = tally(e, "mes", "cost", "add1-nostop")
    assert nostop.selected_ids == official
    # the stop at the first exhaustive outcome happens at share B/n + 150
    assert pabutools_like.budget_per_voter - e.budget / e.num_voters == 150


def test_add1_max_rounds_cap_returns_a_feasible_outcome() -> None:
    require_shared()
    e = _load("Poland_Wieliczka_2023_Green_Budget.pb")
    run, runs = mes_add1(e, "cost", max_rounds=5)
    assert runs == 5
    assert e.total_cost(run.selected) <= e.budget


# -- live comparison with pabutools on small files ----------------------------------


def _small_files() -> list[str]:
    return [n for n in pb_files() if reference()[n]["num_voters"] < 3000]


@pytest.mark.parametrize("name", _small_files())
def test_live_against_pabutools(name: str) -> None:
    pabutools = pytest.importorskip("pabutools")
    from pabutools.election import (
        Additive_Cardinal_Sat,
        Cardinality_Sat,
        Cost_Sat,
        parse_pabulib,
    )
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    del pabutools
    shared = require_shared()
    instance, profile = parse_pabulib(str(shared / name))
    e = _load(name)
    sats: dict[str, Any] = {"cost": Cost_Sat, "cardinality": Cardinality_Sat}
    if e.profile.kind == "cumulative":
        sats["points"] = Additive_Cardinal_Sat
    for sat, sat_class in sats.items():
        expected = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class)
        assert tally(e, "greedy", sat).selection_order == [p.name for p in expected]  # type: ignore[arg-type]
        expected = method_of_equal_shares(instance, profile, sat_class=sat_class)
        got = tally(e, "mes", sat)  # type: ignore[arg-type]
        assert got.selection_order == [p.name for p in expected]
    if e.num_voters < 400:
        expected = method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
        )
        assert tally(e, "mes", "cost", "add1").selected_ids == sorted(p.name for p in expected)
