"""Plain-language explanations of an outcome, for residents, in English or Romanian.

* MES: in which round each project was bought, what each supporter paid and
  why the remaining projects were not bought;
* greedy: the order of the projects and, for each project not funded, why: it
  no longer fitted in the money left (in particular when a less popular project
  was funded instead), it had fewer votes than the threshold, counting stopped
  at the first project that did not fit (no-skip), or its category had reached
  its cap.

``explain(outcome, lang="ro")`` gives the Romanian text (the platform's
results page shows it); ``lang="en"`` (the default) the English one.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from .numeric import format_number, to_fraction
from .rules import Outcome

Lang = Literal["en", "ro"]
LANGS: tuple[Lang, ...] = ("en", "ro")

_TEXT: dict[str, dict[Lang, str]] = {
    "header": {
        "en": "Budget: {budget}; voters: {voters}; projects: {projects}.",
        "ro": "Buget: {budget}; votanți: {voters}; proiecte: {projects}.",
    },
    "rule": {
        "en": "Rule: {rule} with {sat} satisfaction{completion}.",
        "ro": "Regula: {rule}; satisfacția se măsoară prin {sat}{completion}.",
    },
    "completion": {"en": ", completion: {name}", "ro": "; completarea: {name}"},
    "meta_rule": {
        "en": "The counting rule the file names: {rule}.",
        "ro": "Regula de numărare indicată de fișier: {rule}.",
    },
    "greedy_variant": {
        "en": "Projects are taken in order of {measure}, the most first.",
        "ro": "Proiectele sunt luate în ordinea descrescătoare a {measure}.",
    },
    "threshold": {
        "en": "A project needs at least {minimum} {unit} to be funded.",
        "ro": "Un proiect are nevoie de cel puțin {minimum} {unit} pentru a fi finanțat.",
    },
    "no_skip": {
        "en": "Counting stops at the first project that does not fit in the money left "
        "(no project further down is funded).",
        "ro": "Numărarea se oprește la primul proiect care nu mai încape în suma rămasă "
        "(niciun proiect de mai jos nu mai este finanțat).",
    },
    "caps": {
        "en": "At most {amount} for the category “{category}”.",
        "ro": "Cel mult {amount} pentru categoria „{category}”.",
    },
    "mes_start": {
        "en": "Method of Equal Shares: each voter starts with {share}.",
        "ro": "Metoda părților egale: fiecare votant pornește cu {share}.",
    },
    "add1": {
        "en": "The 'add one' completion raised each voter's share from {base} to {share} "
        "({steps} steps of one unit): the last share at which the outcome still fits in "
        "the real budget.",
        "ro": "Completarea „plus unu” a mărit partea fiecărui votant de la {base} la {share} "
        "({steps} pași de câte o unitate): ultima valoare la care rezultatul încape încă "
        "în bugetul real.",
    },
    "free": {
        "en": "Project {id} costs nothing and has supporters: selected first.",
        "ro": "Proiectul {id} nu costă nimic și are susținători: este selectat primul.",
    },
    "per_point": {"en": "{price} per point given", "ro": "{price} pentru fiecare punct acordat"},
    "per_supporter": {"en": "{price} per supporter", "ro": "{price} de susținător"},
    "paid_all": {
        "en": "{n} paid all they had left ({amount})",
        "ro": "{n} au plătit tot ce le mai rămăsese ({amount})",
    },
    "paid": {"en": "{n} paid {amount}", "ro": "{n} au plătit {amount}"},
    "broke": {"en": "{n} had no money left", "ro": "{n} nu mai aveau bani"},
    "round": {
        "en": "Round {round}: bought {id} ({name}), cost {cost}, at {price} (the lowest price "
        "for the satisfaction it gives among the projects left); {supporters} supporters: "
        "{parts}.",
        "ro": "Runda {round}: s-a cumpărat {id} ({name}), cost {cost}, la {price} (cel mai mic "
        "preț pentru satisfacția oferită dintre proiectele rămase); {supporters} "
        "susținători: {parts}.",
    },
    "no_name": {"en": "no name", "ro": "fără nume"},
    "not_bought": {
        "en": "Not bought by equal shares (its supporters had too little money left): {ids}.",
        "ro": "Necumpărate prin părți egale (susținătorii lor mai aveau prea puțini bani): {ids}.",
    },
    "then_greedy": {
        "en": "Money left was then spent greedily:",
        "ro": "Suma rămasă a fost apoi cheltuită în ordinea voturilor:",
    },
    "comparison": {
        "en": "Comparison with greedy: {mes} voters have more of their projects funded by "
        "equal shares, {greedy} by greedy; the {kept} outcome is kept.",
        "ro": "Comparația cu regula voturilor: {mes} votanți au mai multe proiecte finanțate "
        "prin părți egale, {greedy} prin regula voturilor; se păstrează rezultatul {kept}.",
    },
    "kept_mes": {"en": "equal shares", "ro": "prin părți egale"},
    "kept_greedy": {"en": "greedy", "ro": "după voturi"},
    "tie": {
        "en": "({id} ties with {other}; ties are broken by project id in alphabetical order.)",
        "ro": "({id} este la egalitate cu {other}; egalitățile se departajează după "
        "identificatorul proiectului, în ordine alfabetică.)",
    },
    "funded": {
        "en": "{id}: {score} {measure}, cost {cost}, money left {left}: funded.",
        "ro": "{id}: {score} {measure}, cost {cost}, suma rămasă {left}: finanțat.",
    },
    "no_longer_fits": {
        "en": "{id}: {score} {measure}, cost {cost}, money left {left}: skipped, it no longer "
        "fits.",
        "ro": "{id}: {score} {measure}, cost {cost}, suma rămasă {left}: sărit, nu mai încape.",
    },
    "no_longer_fits_stop": {
        "en": "{id}: {score} {measure}, cost {cost}, money left {left}: it does not fit; "
        "counting stops here.",
        "ro": "{id}: {score} {measure}, cost {cost}, suma rămasă {left}: nu încape; numărarea "
        "se oprește aici.",
    },
    "below_threshold": {
        "en": "{id}: {score} {measure}: not funded, below the threshold of {minimum}.",
        "ro": "{id}: {score} {measure}: nefinanțat, sub pragul de {minimum}.",
    },
    "stopped": {
        "en": "{id}: {score} {measure}, cost {cost}: not funded, counting had stopped.",
        "ro": "{id}: {score} {measure}, cost {cost}: nefinanțat, numărarea se oprise.",
    },
    "category_cap": {
        "en": "{id}: {score} {measure}, cost {cost}: not funded, the category “{category}” "
        "would exceed its cap.",
        "ro": "{id}: {score} {measure}, cost {cost}: nefinanțat, categoria „{category}” și-ar "
        "depăși plafonul.",
    },
    "skipped_above": {
        "en": "{id} was skipped although it ranked above {ids}: when its turn came the money "
        "left was less than its cost, and cheaper projects further down still fitted.",
        "ro": "{id} a fost sărit deși se afla înaintea proiectelor {ids}: când i-a venit "
        "rândul, suma rămasă era mai mică decât costul său, iar proiecte mai ieftine de mai "
        "jos încă încăpeau.",
    },
    "free_score": {"en": "free", "ro": "gratuit"},
    "summary": {
        "en": "Selected {n} projects costing {cost} of {budget}.",
        "ro": "Au fost selectate {n} proiecte, în valoare de {cost} din {budget}.",
    },
}

_MEASURES: dict[str, dict[Lang, str]] = {
    "cost": {"en": "votes", "ro": "voturi"},
    "cardinality": {"en": "votes per unit of cost", "ro": "voturi pe unitatea de cost"},
    "points": {"en": "points per unit of cost", "ro": "puncte pe unitatea de cost"},
    "score-approval": {"en": "votes", "ro": "voturi"},
    "score-cumulative": {"en": "points", "ro": "puncte"},
    "score-ordinal": {"en": "rank points", "ro": "puncte după loc"},
}
_ORDER_OF: dict[str, dict[Lang, str]] = {
    "score-approval": {"en": "votes", "ro": "numărului de voturi"},
    "score-cumulative": {"en": "points", "ro": "numărului de puncte"},
    "score-ordinal": {"en": "rank points", "ro": "punctelor după loc"},
}


# What the "rule" line calls the rule, satisfaction and completion: the engine's
# own names in English (they are the CLI's options), plain words in Romanian.
_NAMES: dict[str, dict[str, str]] = {
    "mes": {"ro": "Metoda părților egale"},
    "greedy": {"ro": "cele mai multe voturi întâi"},
    "sat:cost": {"ro": "costul proiectelor susținute"},
    "sat:cardinality": {"ro": "numărul de proiecte susținute"},
    "sat:points": {"ro": "punctele acordate"},
    "completion:greedy": {"ro": "suma rămasă se cheltuie după numărul de voturi"},
    "completion:add1": {"ro": "plus unu (partea fiecărui votant crește pas cu pas)"},
    "completion:add1-greedy": {
        "ro": "plus unu, apoi suma rămasă se cheltuie după numărul de voturi"
    },
}


def _name(key: str, lang: Lang, default: str) -> str:
    return _NAMES.get(key, {}).get(lang, default)


def _money(value: Any) -> str:
    return format_number(value)


def explain(outcome: Outcome, lang: Lang = "en") -> list[str]:
    """Lines of text explaining ``outcome``, in English (``en``) or Romanian (``ro``)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")

    def t(key: str, **values: Any) -> str:
        return _TEXT[key][lang].format(**values)

    e = outcome.election
    completion = (
        t("completion", name=_name(f"completion:{outcome.completion}", lang, outcome.completion))
        if outcome.completion != "none"
        else ""
    )
    lines = [
        t("header", budget=_money(e.budget), voters=e.num_voters, projects=len(e.projects)),
        t(
            "rule",
            rule=_name(outcome.rule, lang, outcome.rule),
            sat=_name(f"sat:{outcome.sat}", lang, outcome.sat),
            completion=completion,
        ),
    ]
    if outcome.meta_rule:
        lines.append(t("meta_rule", rule=outcome.meta_rule))
    if outcome.mes_run is not None:
        lines.extend(_explain_mes(outcome, t))
    if outcome.comparison is not None:
        mes_votes, greedy_votes = outcome.comparison
        kept = t("kept_mes") if outcome.rule == "mes" else t("kept_greedy")
        lines.append(t("comparison", mes=mes_votes, greedy=greedy_votes, kept=kept))
    if outcome.greedy_steps:
        lines.extend(_explain_greedy(outcome, t, lang))
    lines.append(
        t(
            "summary",
            n=len(outcome.selected),
            cost=_money(outcome.total_cost),
            budget=_money(e.budget),
        )
    )
    return lines


def _explain_mes(outcome: Outcome, t: Any) -> list[str]:
    e = outcome.election
    run = outcome.mes_run
    if not (run is not None):
        raise RuntimeError("internal invariant violated")
    share = to_fraction(run.budget_per_voter)
    lines = [t("mes_start", share=_money(share))]
    if outcome.add1_runs:
        base = e.budget / e.num_voters if e.num_voters else Fraction(0)
        lines.append(t("add1", base=_money(base), share=_money(share), steps=outcome.add1_runs))
    bought = {p.project for p in run.purchases}
    for p in run.selected:
        if p not in bought:
            lines.append(t("free", id=e.projects[p].id))
    for purchase in run.purchases:
        proj = e.projects[purchase.project]
        if outcome.sat == "points":
            price = t("per_point", price=_money(purchase.rho))
            full = None
        else:
            full = purchase.rho * (proj.cost if outcome.sat == "cost" else 1)
            price = t("per_supporter", price=_money(full))
        parts = []
        for pay in purchase.payments:
            if full is not None and pay.amount < full:
                parts.append(t("paid_all", n=pay.voters, amount=_money(pay.amount)))
            else:
                parts.append(t("paid", n=pay.voters, amount=_money(pay.amount)))
        broke = purchase.supporters - sum(pay.voters for pay in purchase.payments)
        if broke:
            parts.append(t("broke", n=broke))
        lines.append(
            t(
                "round",
                round=purchase.round,
                id=proj.id,
                name=proj.name or t("no_name"),
                cost=_money(proj.cost),
                price=price,
                supporters=purchase.supporters,
                parts="; ".join(parts),
            )
        )
    left = [
        p for p in sorted(run.eligible, key=lambda x: e.projects[x].id) if p not in run.selected
    ]
    if left:
        lines.append(t("not_bought", ids=", ".join(e.projects[p].id for p in left)))
    if outcome.greedy_steps:
        lines.append(t("then_greedy"))
    return lines


def _explain_greedy(outcome: Outcome, t: Any, lang: Lang) -> list[str]:
    e = outcome.election
    opts = outcome.greedy_options
    by_score = opts is not None and opts.order == "score"
    measure_key = f"score-{e.profile.kind}" if by_score else outcome.sat
    measure = _MEASURES[measure_key][lang]
    lines: list[str] = []
    if by_score:
        lines.append(t("greedy_variant", measure=_ORDER_OF[measure_key][lang]))
    minimum: Fraction | None = None
    if opts is not None and (opts.threshold is not None or opts.min_share is not None):
        minimum = max(opts.threshold or Fraction(0), (opts.min_share or Fraction(0)) * e.num_voters)
        unit = _MEASURES[f"score-{e.profile.kind}"][lang]
        lines.append(t("threshold", minimum=_money(minimum), unit=unit))
    if opts is not None and opts.no_skip:
        lines.append(t("no_skip"))
    if opts is not None and opts.category_caps:
        for category, amount in sorted(opts.category_caps.items()):
            lines.append(t("caps", amount=_money(amount), category=category))
    funded_after: dict[int, list[int]] = {}
    skipped: list[int] = []
    previous = None
    for step in outcome.greedy_steps:
        proj = e.projects[step.project]
        score = t("free_score") if step.score is None else _money(step.score)
        if previous is not None and previous.score == step.score and step.score is not None:
            lines.append(t("tie", id=proj.id, other=e.projects[previous.project].id))
        previous = step
        values = {
            "id": proj.id,
            "score": score,
            "measure": measure,
            "cost": _money(proj.cost),
            "left": _money(step.remaining_before),
            "minimum": _money(minimum) if minimum is not None else "",
            "category": step.category,
        }
        reason: str = step.reason
        if reason == "no_longer_fits" and opts is not None and opts.no_skip:
            reason = "no_longer_fits_stop"
        lines.append(t(reason, **values))
        if step.selected:
            for s in skipped:
                funded_after.setdefault(s, []).append(step.project)
        elif step.reason == "no_longer_fits":
            skipped.append(step.project)
    for s, later in funded_after.items():
        ids = ", ".join(e.projects[p].id for p in later)
        lines.append(t("skipped_above", id=e.projects[s].id, ids=ids))
    return lines
