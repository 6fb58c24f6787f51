"""Plain-language explanations of an outcome, for residents.

* MES: in which round each project was bought, what each supporter paid and
  why the remaining projects were not bought;
* greedy: the order of the projects and, for each skipped project, why (it no
  longer fitted in the money left), in particular when a less popular project
  was funded instead.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .numeric import format_number, to_fraction
from .rules import Outcome


def _money(value: Any) -> str:
    return format_number(value)


def explain(outcome: Outcome) -> list[str]:
    """Lines of text explaining ``outcome``."""
    e = outcome.election
    lines = [
        f"Budget: {_money(e.budget)}; voters: {e.num_voters}; projects: {len(e.projects)}.",
        f"Rule: {outcome.rule} with {outcome.sat} satisfaction"
        + (f", completion: {outcome.completion}" if outcome.completion != "none" else "")
        + ".",
    ]
    if outcome.mes_run is not None:
        lines.extend(_explain_mes(outcome))
    if outcome.greedy_steps:
        lines.extend(_explain_greedy(outcome))
    lines.append(
        f"Selected {len(outcome.selected)} projects costing {_money(outcome.total_cost)} "
        f"of {_money(e.budget)}."
    )
    return lines


def _explain_mes(outcome: Outcome) -> list[str]:
    e = outcome.election
    run = outcome.mes_run
    if not (run is not None):
        raise RuntimeError("internal invariant violated")
    share = to_fraction(run.budget_per_voter)
    lines = [f"Method of Equal Shares: each voter starts with {_money(share)}."]
    if outcome.add1_runs:
        base = e.budget / e.num_voters if e.num_voters else Fraction(0)
        lines.append(
            f"The 'add one' completion raised each voter's share from {_money(base)} to "
            f"{_money(share)} ({outcome.add1_runs} steps of one unit): the last share at which the "
            "outcome still fits in the real budget."
        )
    bought = {p.project for p in run.purchases}
    for p in run.selected:
        if p not in bought:
            lines.append(
                f"Project {e.projects[p].id} costs nothing and has supporters: selected first."
            )
    for purchase in run.purchases:
        proj = e.projects[purchase.project]
        if outcome.sat == "points":
            price = f"{_money(purchase.rho)} per point given"
            full = None
        else:
            full = purchase.rho * (proj.cost if outcome.sat == "cost" else 1)
            price = f"{_money(full)} per supporter"
        parts = []
        for pay in purchase.payments:
            if full is not None and pay.amount < full:
                parts.append(f"{pay.voters} paid all they had left ({_money(pay.amount)})")
            else:
                parts.append(f"{pay.voters} paid {_money(pay.amount)}")
        broke = purchase.supporters - sum(pay.voters for pay in purchase.payments)
        if broke:
            parts.append(f"{broke} had no money left")
        lines.append(
            f"Round {purchase.round}: bought {proj.id} ({proj.name or 'no name'}), cost "
            f"{_money(proj.cost)}, at {price} (the lowest price for the satisfaction it "
            f"gives among the projects left); {purchase.supporters} supporters: "
            f"{'; '.join(parts)}."
        )
    left = [
        p for p in sorted(run.eligible, key=lambda x: e.projects[x].id) if p not in run.selected
    ]
    if left:
        ids = ", ".join(e.projects[p].id for p in left)
        lines.append(
            f"Not bought by equal shares (its supporters had too little money left): {ids}."
        )
    if outcome.greedy_steps:
        lines.append("Money left was then spent greedily:")
    return lines


def _explain_greedy(outcome: Outcome) -> list[str]:
    e = outcome.election
    lines: list[str] = []
    measure = {
        "cost": "votes",
        "cardinality": "votes per unit of cost",
        "points": "points per unit of cost",
    }[outcome.sat]
    funded_after: dict[int, list[int]] = {}
    skipped: list[int] = []
    previous = None
    for step in outcome.greedy_steps:
        proj = e.projects[step.project]
        score = "free" if step.score is None else _money(step.score)
        if previous is not None and previous.score == step.score and step.score is not None:
            lines.append(
                f"({proj.id} ties with {e.projects[previous.project].id}; ties are broken by "
                "project id in alphabetical order.)"
            )
        previous = step
        if step.selected:
            lines.append(
                f"{proj.id}: {score} {measure}, cost {_money(proj.cost)}, money left "
                f"{_money(step.remaining_before)}: funded."
            )
            for s in skipped:
                funded_after.setdefault(s, []).append(step.project)
        else:
            lines.append(
                f"{proj.id}: {score} {measure}, cost {_money(proj.cost)}, money left "
                f"{_money(step.remaining_before)}: skipped, it no longer fits."
            )
            skipped.append(step.project)
    for s, later in funded_after.items():
        ids = ", ".join(e.projects[p].id for p in later)
        lines.append(
            f"{e.projects[s].id} was skipped although it ranked above {ids}: when its turn "
            "came the money left was less than its cost, and cheaper projects further down "
            "still fitted."
        )
    return lines
