"""Command line: ``python -m voting.tally FILE.pb --rule mes --sat cost --completion add1``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .explain import explain
from .pabulib import PabulibError, read_pabulib
from .rules import COMPLETIONS, RULES, tally
from .satisfaction import SATS


def _number(value: object) -> int | float:
    from fractions import Fraction

    frac = value if isinstance(value, Fraction) else Fraction(str(value))
    return frac.numerator if frac.denominator == 1 else float(frac)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m voting.tally",
        description="Compute the outcome of a participatory budgeting election (.pb file).",
    )
    parser.add_argument("file", help="Pabulib .pb file")
    parser.add_argument("--rule", choices=RULES, default="mes")
    parser.add_argument("--sat", choices=SATS, default="cost", help="satisfaction measure")
    parser.add_argument("--completion", choices=COMPLETIONS, default="none")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--explain", action="store_true", help="print an explanation")
    parser.add_argument(
        "--sum-duplicate-points",
        action="store_true",
        help="add up the points of a project listed twice on a cumulative ballot "
        "(default: the last one counts, as in pabutools)",
    )
    args = parser.parse_args(argv)
    try:
        election = read_pabulib(
            args.file, cumulative_duplicates="sum" if args.sum_duplicate_points else "last"
        )
    except (OSError, PabulibError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        outcome = tally(election, args.rule, args.sat, args.completion)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        votes = election.profile.approval_counts()
        points = election.profile.point_totals() if election.profile.kind == "cumulative" else None
        data: dict[str, object] = {
            "rule": args.rule,
            "sat": args.sat,
            "completion": args.completion,
            "selected": outcome.selection_order,
            "total_cost": _number(outcome.total_cost),
            "budget": _number(election.budget),
            "votes": {election.projects[p].id: int(votes[p]) for p in outcome.selected},
        }
        if points is not None:
            data["points"] = {election.projects[p].id: _number(points[p]) for p in outcome.selected}
        if outcome.budget_per_voter is not None:
            data["budget_per_voter"] = _number(outcome.budget_per_voter)
        if args.explain:
            data["explanation"] = explain(outcome)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for pid in outcome.selection_order:
        print(pid)
    if args.explain:
        print()
        for line in explain(outcome):
            print(line)
    return 0
