"""Greedy utilitarian welfare: fund the best projects per unit of cost while money lasts.

Projects are ordered by total satisfaction per unit of cost, best first:

* ``cost`` satisfaction: total satisfaction is supporters x cost, so the order
  is simply the number of supporters (the traditional "most votes first" rule);
* ``cardinality``: supporters per unit of cost;
* ``points``: total points per unit of cost.

Each project in that order is funded if it still fits in the remaining budget,
and skipped otherwise (later, cheaper projects may still be funded).  Equal
scores are ordered by project id (Python string order), as pabutools'
default ``lexico_tie_breaking``.  A project nobody supports has score 0 but is
still funded if money is left, as in pabutools; a free project somebody
supports comes first (score infinite).  Scores are compared exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from .model import Election
from .satisfaction import Sat, supporters


@dataclass(frozen=True)
class GreedyStep:
    """One project considered by greedy, in order."""

    project: int
    score: Fraction | None  # None means infinite (free project with support)
    supporters: int
    remaining_before: Fraction
    selected: bool


def greedy_scores(election: Election, sat: Sat) -> list[Fraction | None]:
    sup = supporters(election, sat)
    scores: list[Fraction | None] = []
    for p, project in enumerate(election.projects):
        total = sup.total_sat[p]
        if total > 0:
            scores.append(total / project.cost if project.cost > 0 else None)
        else:
            scores.append(Fraction(0))
    return scores


def greedy_order(election: Election, sat: Sat, exclude: Iterable[int] = ()) -> list[int]:
    """Project indices in the order greedy considers them."""
    scores = greedy_scores(election, sat)
    skip = set(exclude)

    def key(p: int) -> tuple[int, Fraction, str]:
        s = scores[p]
        if s is None:
            return (0, Fraction(0), election.projects[p].id)
        return (1, -s, election.projects[p].id)

    return sorted((p for p in range(len(election.projects)) if p not in skip), key=key)


def greedy(
    election: Election, sat: Sat, initial: Iterable[int] = ()
) -> tuple[list[int], list[GreedyStep]]:
    """Run greedy, optionally completing an initial selection.

    Returns the selected project indices (initial ones first, then in greedy
    order) and the steps taken, for explanations.
    """
    chosen = list(dict.fromkeys(initial))
    remaining = election.budget - election.total_cost(chosen)
    scores = greedy_scores(election, sat)
    voters = supporters(election, sat).voters
    steps: list[GreedyStep] = []
    for p in greedy_order(election, sat, exclude=chosen):
        cost = election.projects[p].cost
        fits = cost <= remaining
        steps.append(GreedyStep(p, scores[p], voters[p], remaining, fits))
        if fits:
            chosen.append(p)
            remaining -= cost
    return chosen, steps
