"""Command line: ``python -m voting.tally FILE.pb --rule mes --sat cost --completion add1``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from .cache import read_pabulib_cached
from .explain import LANGS, explain
from .greedy import GreedyOptions
from .pabulib import PabulibError, read_pabulib
from .parallel import default_jobs
from .rules import COMPLETIONS, RULES, Outcome, tally, tally_meta
from .satisfaction import SATS


def _category_cap(text: str) -> tuple[str, Fraction]:
    category, sep, amount = text.rpartition("=")
    if not sep or not category.strip():
        raise argparse.ArgumentTypeError("expected CATEGORY=AMOUNT")
    try:
        return category.strip(), Fraction(amount.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid amount {amount!r}") from None


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, the terminal's width found as ``shutil.get_terminal_size``
    finds it (COLUMNS, else the terminal, else 80) without importing shutil: argparse
    makes a formatter for each argument added, and shutil's import (with its
    compression modules) cost every command 5 ms."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # (no stdout: None, as in shutil)
            columns = 0
    return columns or 80


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("expected 0 (one per processor) or more")
    return value


def _number(value: object) -> int | float:
    frac = value if isinstance(value, Fraction) else Fraction(str(value))
    return frac.numerator if frac.denominator == 1 else float(frac)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m voting.tally",
        description="Compute the outcome of a participatory budgeting election (.pb file).",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("file", help="Pabulib .pb file")
    parser.add_argument(
        "--rule",
        choices=(*RULES, "meta"),
        default="mes",
        help="meta: the rule the file's META names (greedy, greedy-threshold, greedy-no-skip, "
        "equalshares/add1, equalshares/add1-comparison)",
    )
    parser.add_argument("--sat", choices=SATS, default="cost", help="satisfaction measure")
    parser.add_argument("--completion", choices=COMPLETIONS, default="none")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--explain", action="store_true", help="print an explanation")
    parser.add_argument("--lang", choices=LANGS, default="en", help="language of --explain")
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=0,
        metavar="N",
        help="processes the add-one completion may search with (same outcome; default 0: "
        "one per processor this command may use, at most 8)",
    )
    greedy_group = parser.add_argument_group("greedy variants (--rule greedy)")
    greedy_group.add_argument(
        "--order",
        choices=("satisfaction", "score"),
        default="satisfaction",
        help="score: by votes (points, rank points) alone, not per unit of cost",
    )
    greedy_group.add_argument(
        "--threshold", type=Fraction, help="minimum votes (points) for a project to be funded"
    )
    greedy_group.add_argument(
        "--min-share", type=Fraction, help="minimum share of the voters, e.g. 0.05"
    )
    greedy_group.add_argument(
        "--no-skip", action="store_true", help="stop at the first project that does not fit"
    )
    greedy_group.add_argument(
        "--category-cap",
        type=_category_cap,
        action="append",
        default=[],
        metavar="CATEGORY=AMOUNT",
        help="at most AMOUNT for the projects of CATEGORY (repeatable)",
    )
    parser.add_argument(
        "--sum-duplicate-points",
        action="store_true",
        help="add up the points of a project listed twice on a cumulative ballot "
        "(default: the last one counts, as in pabutools)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read the file without the cache of parsed files (also TALLY_NO_CACHE=1; "
        "the cache is kept in $TALLY_CACHE_DIR, default $XDG_CACHE_HOME/ciic-tally)",
    )
    args = parser.parse_args(argv)
    duplicates: Literal["last", "sum"] = "sum" if args.sum_duplicate_points else "last"
    try:
        if args.no_cache or os.environ.get("TALLY_NO_CACHE") == "1":
            election = read_pabulib(args.file, cumulative_duplicates=duplicates)
        else:
            election = read_pabulib_cached(args.file, cumulative_duplicates=duplicates)
    except (OSError, PabulibError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    variant = (
        args.order != "satisfaction"
        or args.threshold is not None
        or args.min_share is not None
        or args.no_skip
        or args.category_cap
    )
    jobs = args.jobs or default_jobs()
    try:
        outcome: Outcome
        if args.rule == "meta":
            outcome = tally_meta(election, record=args.explain, jobs=jobs)
        else:
            options = None
            if variant:
                options = GreedyOptions(
                    order=args.order,
                    threshold=args.threshold,
                    min_share=args.min_share,
                    no_skip=args.no_skip,
                    category_caps=dict(args.category_cap) or None,
                )
            # (only an explanation reads the purchases of the MES run: otherwise no
            # recorded run is made)
            outcome = tally(
                election,
                args.rule,
                args.sat,
                args.completion,
                greedy_options=options,
                record=args.explain,
                jobs=jobs,
            )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        import json

        votes = election.profile.approval_counts()
        points = election.profile.point_totals() if election.profile.kind == "cumulative" else None
        data: dict[str, object] = {
            "rule": outcome.meta_rule or outcome.rule,
            "sat": outcome.sat,
            "completion": outcome.completion,
            "selected": outcome.selection_order,
            "total_cost": _number(outcome.total_cost),
            "budget": _number(election.budget),
            "votes": {election.projects[p].id: int(votes[p]) for p in outcome.selected},
        }
        if points is not None:
            data["points"] = {election.projects[p].id: _number(points[p]) for p in outcome.selected}
        if outcome.budget_per_voter is not None:
            data["budget_per_voter"] = _number(outcome.budget_per_voter)
        if outcome.add1_runs:
            data["add1_steps"] = outcome.add1_runs
            data["add1_mes_runs"] = outcome.add1_evaluations
        if args.explain:
            data["explanation"] = explain(outcome, args.lang)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for pid in outcome.selection_order:
        print(pid)
    if args.explain:
        print()
        for line in explain(outcome, args.lang):
            print(line)
    return 0
