"""One entry point for every rule and completion: :func:`tally`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal, get_args

from .greedy import GreedyOptions, GreedyStep, greedy
from .mes import MesEngine, MesRun, initial_share, is_exhaustive, mes_add1_stepwise
from .model import Election
from .numeric import Rational
from .parallel import mes_add1_jobs
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
    greedy_options: GreedyOptions | None = None
    meta_rule: str = ""  # the Pabulib META rule applied (``tally_meta``)
    comparison: tuple[int, int] | None = None  # voters preferring (MES, greedy)

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
    greedy_options: GreedyOptions | None = None,
    record: bool = True,
    jobs: int = 1,
) -> Outcome:
    """Compute the outcome of ``rule`` with satisfaction ``sat`` and ``completion``.

    Completions apply to MES: ``greedy`` (greedy with the same satisfaction on
    the money left), ``add1`` (raise each voter's share by one currency unit at a
    time, pabutools' ``voter_budget_increment=1``), ``add1-greedy`` (both),
    ``add1-nostop`` (add one without stopping at the first exhaustive outcome).
    The ``-stepwise`` variants compute the same outcomes by running MES at
    every step (the reference the fast add-one completion is tested against).
    ``greedy_options`` (greedy only): order by score, threshold, no-skip,
    category caps (see :mod:`voting.tally.greedy`).  ``record=False``: the
    outcome's MES run need not be recorded (its purchases and prices, which only
    :func:`voting.tally.explain.explain` reads): the add-one completion then makes
    no recorded rerun of its last run (see :func:`voting.tally.mes.mes_add1`).
    ``jobs``: processes the add-one completion may search with (the same outcome,
    see :mod:`voting.tally.parallel`).
    """
    sat = check_sat(election, sat)
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    if completion not in COMPLETIONS:
        raise ValueError(f"unknown completion {completion!r}")
    if rule == "greedy":
        if completion != "none":
            raise ValueError("completions apply to MES only")
        chosen, greedy_steps = greedy(election, sat, options=greedy_options)
        return Outcome(
            election,
            rule,
            sat,
            completion,
            tuple(chosen),
            greedy_steps=tuple(greedy_steps),
            greedy_options=greedy_options,
        )
    if greedy_options is not None:
        raise ValueError("greedy options apply to the greedy rule only")
    engine = engine or MesEngine(election, sat)
    runs = evaluations = 0
    if completion.startswith("add1"):
        exhaustive_stop = not completion.startswith("add1-nostop")
        if completion.endswith("-stepwise"):
            run, runs = mes_add1_stepwise(
                election, sat, exhaustive_stop=exhaustive_stop, engine=engine, record=record
            )
            evaluations = runs + (1 if record else 0)
        else:
            stats: dict[str, int] = {}
            run, runs = mes_add1_jobs(
                election,
                sat,
                jobs=jobs,
                exhaustive_stop=exhaustive_stop,
                engine=engine,
                stats=stats,
                record=record,
            )
            evaluations = stats["runs"]
    else:
        run = engine.run(initial_share(election), record=record)
    selected = run.selected
    steps: tuple[GreedyStep, ...] = ()
    if completion in ("greedy", "add1-greedy", "add1-greedy-stepwise") and not is_exhaustive(
        election, selected, frozenset(range(len(election.projects)))
    ):
        chosen, completion_steps = greedy(election, sat, initial=selected)
        selected, steps = tuple(chosen), tuple(completion_steps)
    return Outcome(election, rule, sat, completion, selected, run, runs, evaluations, steps)


# -- the rule a Pabulib file's META names ----------------------------------------

META_RULES = (
    "greedy",
    "greedy-threshold",
    "greedy-no-skip",
    "equalshares/add1",
    "equalshares/add1-comparison",
)


def meta_threshold(election: Election) -> Fraction | None:
    text = election.meta.get("min_project_score_threshold", "").strip()
    return Fraction(text.replace(",", ".")) if text else None


def tally_meta(election: Election, *, record: bool = True, jobs: int = 1) -> Outcome:
    """Apply the counting rule the election's Pabulib META names (``rule``).

    * ``greedy``: projects by score (votes, points, or rank points for ordinal
      ballots), each funded if it still fits;
    * ``greedy-threshold``: the same, without the projects whose score is below
      ``min_project_score_threshold``;
    * ``greedy-no-skip``: stop at the first project that does not fit (after the
      threshold, if META gives one);
    * ``equalshares/add1``: MES (cost satisfaction) with the add-one completion;
    * ``equalshares/add1-comparison``: MES with add-one raised while the outcome
      stays within budget (``add1-nostop``, which reproduces Wieliczka 2023),
      then compared with greedy: greedy's outcome is kept only if more voters
      prefer it (more of their approved projects funded).

    Raises ``ValueError`` for any other rule (``unknown`` included).  ``record``
    and ``jobs``: as for :func:`tally`.
    """
    rule = election.meta.get("rule", "").strip()
    if rule not in META_RULES:
        raise ValueError(f"META rule {rule or '(none)'!r} is not one this engine applies")
    if rule.startswith("greedy"):
        options = GreedyOptions(
            order="score", threshold=meta_threshold(election), no_skip=rule == "greedy-no-skip"
        )
        out = tally(election, "greedy", "cost", greedy_options=options)
        return replace(out, meta_rule=rule)
    if rule == "equalshares/add1":
        return replace(
            tally(election, "mes", "cost", "add1", record=record, jobs=jobs), meta_rule=rule
        )
    mes_out = tally(election, "mes", "cost", "add1-nostop", record=record, jobs=jobs)
    greedy_out = tally(election, "greedy", "cost", greedy_options=GreedyOptions(order="score"))
    prefer_mes, prefer_greedy = _preferences(election, mes_out.selected, greedy_out.selected)
    chosen = greedy_out if prefer_greedy > prefer_mes else mes_out
    return replace(chosen, meta_rule=rule, comparison=(prefer_mes, prefer_greedy))


def _preferences(election: Election, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int]:
    """Voters who have more of their projects funded in ``a``, and in ``b``."""
    import numpy as np

    profile = election.profile
    rows = profile.entry_rows()
    in_a = np.isin(profile.indices, np.array(a, dtype=np.int64))
    in_b = np.isin(profile.indices, np.array(b, dtype=np.int64))
    n = profile.num_distinct
    count_a = np.bincount(rows, weights=in_a, minlength=n)
    count_b = np.bincount(rows, weights=in_b, minlength=n)
    w = profile.counts
    return int(w[count_a > count_b].sum()), int(w[count_b > count_a].sum())


def official_selection(election: Election) -> list[str] | None:
    """The winners the file records (PROJECTS ``selected`` column), sorted, if any."""
    column = election.project_extra.get("selected")
    if column is None:
        return None
    return sorted(
        p.id for p, flag in zip(election.projects, column, strict=True) if flag.strip() == "1"
    )
