"""One entry point for every rule and completion: :func:`tally`."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, get_args

from .greedy import GreedyStep, greedy
from .mes import MesEngine, MesRun, initial_share, is_exhaustive, mes_add1, mes_add1_stepwise
from .model import Election
from .numeric import Rational
from .satisfaction import Sat, check_sat

Rule = Literal["greedy", "mes"]
Completion = Literal[
    "none",
    "greedy",
    "add1",
    "add1-greedy",
    "add1-nostop",
    "add1-stepwise",
    "add1-greedy-stepwise",
    "add1-nostop-stepwise",
]
RULES: tuple[Rule, ...] = ("greedy", "mes")
COMPLETIONS: tuple[Completion, ...] = get_args(Completion)


@dataclass(frozen=True, eq=False)
class Outcome:
    """The projects a rule selects, with what is needed to explain the result."""

    election: Election
    rule: Rule
    sat: Sat
    completion: Completion
    selected: tuple[int, ...]  # project indices in the order they were selected
    mes_run: MesRun | None = None
    add1_runs: int = 0  # add-one steps (the MES runs the stepwise completion makes)
    add1_evaluations: int = 0  # MES runs actually made by the add-one completion
    greedy_steps: tuple[GreedyStep, ...] = ()

    @property
    def selected_ids(self) -> list[str]:
        """Selected project ids, sorted as strings (as pabutools reports them)."""
        return sorted(self.election.projects[p].id for p in self.selected)

    @property
    def selection_order(self) -> list[str]:
        return [self.election.projects[p].id for p in self.selected]

    @property
    def total_cost(self) -> Fraction:
        return self.election.total_cost(self.selected)

    @property
    def budget_per_voter(self) -> Rational | None:
        return self.mes_run.budget_per_voter if self.mes_run else None


def tally(
    election: Election,
    rule: Rule = "mes",
    sat: Sat = "cost",
    completion: Completion = "none",
    *,
    engine: MesEngine | None = None,
) -> Outcome:
    """Compute the outcome of ``rule`` with satisfaction ``sat`` and ``completion``.

    Completions apply to MES: ``greedy`` (greedy with the same satisfaction on
    the money left), ``add1`` (raise each voter's share by one currency unit at a
    time, pabutools' ``voter_budget_increment=1``), ``add1-greedy`` (both),
    ``add1-nostop`` (add one without stopping at the first exhaustive outcome).
    The ``-stepwise`` variants compute the same outcomes by running MES at
    every step (the reference the fast add-one completion is tested against).
    """
    sat = check_sat(election, sat)
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    if completion not in COMPLETIONS:
        raise ValueError(f"unknown completion {completion!r}")
    if rule == "greedy":
        if completion != "none":
            raise ValueError("completions apply to MES only")
        chosen, greedy_steps = greedy(election, sat)
        return Outcome(
            election, rule, sat, completion, tuple(chosen), greedy_steps=tuple(greedy_steps)
        )
    engine = engine or MesEngine(election, sat)
    runs = evaluations = 0
    if completion.startswith("add1"):
        exhaustive_stop = not completion.startswith("add1-nostop")
        if completion.endswith("-stepwise"):
            run, runs = mes_add1_stepwise(
                election, sat, exhaustive_stop=exhaustive_stop, engine=engine
            )
            evaluations = runs + 1
        else:
            stats: dict[str, int] = {}
            run, runs = mes_add1(
                election, sat, exhaustive_stop=exhaustive_stop, engine=engine, stats=stats
            )
            evaluations = stats["runs"]
    else:
        run = engine.run(initial_share(election))
    selected = run.selected
    steps: tuple[GreedyStep, ...] = ()
    if completion in ("greedy", "add1-greedy", "add1-greedy-stepwise") and not is_exhaustive(
        election, selected, frozenset(range(len(election.projects)))
    ):
        chosen, completion_steps = greedy(election, sat, initial=selected)
        selected, steps = tuple(chosen), tuple(completion_steps)
    return Outcome(election, rule, sat, completion, selected, run, runs, evaluations, steps)
