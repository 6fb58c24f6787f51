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

Variants real cities use (Pabulib META ``rule``):

* ``order="score"``: by the project's score alone, not per unit of cost: its
  votes (approval), its points (cumulative), or for ordinal ballots
  ``max_length - rank`` points per ballot (3, 2, 1 in Kraków);
* ``threshold`` (``greedy-threshold``, META ``min_project_score_threshold``):
  a project with fewer votes (points) than the threshold is not funded;
  ``min_share``: the same as a share of the voters;
* ``no_skip`` (``greedy-no-skip``): stop at the first project that does not
  fit instead of skipping it;
* ``category_caps``: at most so much money per category (the project's
  ``category`` column, comma-separated; a project counts in each of its
  categories).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from .model import Election
from .satisfaction import Sat, supporters

Reason = Literal["funded", "no_longer_fits", "below_threshold", "category_cap", "stopped"]


@dataclass(frozen=True)
class GreedyStep:
    """One project considered by greedy, in order."""

    project: int
    score: Fraction | None  # None means infinite (free project with support)
    supporters: int
    remaining_before: Fraction
    selected: bool
    reason: Reason = "funded"  # why it was (not) funded
    category: str = ""  # the category whose cap it would exceed


@dataclass(frozen=True)
class GreedyOptions:
    """The greedy variant: order, threshold, no-skip, category caps (see the module)."""

    order: Literal["satisfaction", "score"] = "satisfaction"
    threshold: Fraction | None = None
    min_share: Fraction | None = None
    no_skip: bool = False
    category_caps: Mapping[str, Fraction] | None = None


def project_scores(election: Election) -> list[Fraction]:
    """Votes (approval), points (cumulative) or rank points (ordinal) of each project."""
    profile = election.profile
    if profile.kind == "cumulative":
        return profile.point_totals()
    if profile.kind == "approval":
        return [Fraction(int(v)) for v in profile.approval_counts()]
    lengths = np.diff(profile.indptr)
    top = int(election.meta.get("max_length") or (lengths.max() if len(lengths) else 0))
    rank = np.arange(len(profile.indices)) - np.repeat(profile.indptr[:-1], lengths)
    weights = (top - rank) * profile.counts[profile.entry_rows()]
    totals = np.bincount(profile.indices, weights=weights, minlength=profile.num_projects)
    return [Fraction(int(t)) for t in totals]


def categories(election: Election) -> list[list[str]]:
    column = election.project_extra.get("category") or [""] * len(election.projects)
    return [[c.strip() for c in text.split(",") if c.strip()] for text in column]


def greedy_scores(
    election: Election, sat: Sat, order: Literal["satisfaction", "score"] = "satisfaction"
) -> list[Fraction | None]:
    if order == "score":
        return list(project_scores(election))
    sup = supporters(election, sat)
    scores: list[Fraction | None] = []
    for p, project in enumerate(election.projects):
        total = sup.total_sat[p]
        if total > 0:
            scores.append(total / project.cost if project.cost > 0 else None)
        else:
            scores.append(Fraction(0))
    return scores


def greedy_order(
    election: Election,
    sat: Sat,
    exclude: Iterable[int] = (),
    order: Literal["satisfaction", "score"] = "satisfaction",
) -> list[int]:
    """Project indices in the order greedy considers them."""
    scores = greedy_scores(election, sat, order)
    skip = set(exclude)

    def key(p: int) -> tuple[int, Fraction, str]:
        s = scores[p]
        if s is None:
            return (0, Fraction(0), election.projects[p].id)
        return (1, -s, election.projects[p].id)

    return sorted((p for p in range(len(election.projects)) if p not in skip), key=key)


def greedy(
    election: Election,
    sat: Sat,
    initial: Iterable[int] = (),
    options: GreedyOptions | None = None,
) -> tuple[list[int], list[GreedyStep]]:
    """Run greedy, optionally completing an initial selection.

    Returns the selected project indices (initial ones first, then in greedy
    order) and the steps taken, for explanations.
    """
    opts = options or GreedyOptions()
    chosen = list(dict.fromkeys(initial))
    remaining = election.budget - election.total_cost(chosen)
    scores = greedy_scores(election, sat, opts.order)
    voters = supporters(election, sat).voters
    minimum: Fraction | None = None
    if opts.threshold is not None or opts.min_share is not None:
        minimum = max(
            opts.threshold or Fraction(0), (opts.min_share or Fraction(0)) * election.num_voters
        )
        score_of = project_scores(election)
    cats = categories(election) if opts.category_caps else []
    spent: dict[str, Fraction] = {}
    for p in chosen:
        for c in cats[p] if cats else ():
            spent[c] = spent.get(c, Fraction(0)) + election.projects[p].cost
    steps: list[GreedyStep] = []
    stopped = False
    for p in greedy_order(election, sat, exclude=chosen, order=opts.order):
        cost = election.projects[p].cost
        reason: Reason = "funded"
        over = ""
        if minimum is not None and score_of[p] < minimum:
            reason = "below_threshold"
        elif stopped:
            reason = "stopped"
        elif cost > remaining:
            reason = "no_longer_fits"
            stopped = opts.no_skip
        elif opts.category_caps:
            for c in cats[p]:
                cap = opts.category_caps.get(c)
                if cap is not None and spent.get(c, Fraction(0)) + cost > cap:
                    reason, over = "category_cap", c
                    break
        steps.append(
            GreedyStep(p, scores[p], voters[p], remaining, reason == "funded", reason, over)
        )
        if reason == "funded":
            chosen.append(p)
            remaining -= cost
            for c in cats[p] if cats else ():
                spent[c] = spent.get(c, Fraction(0)) + cost
    return chosen, steps
