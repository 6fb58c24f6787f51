"""Benchmark of the tally engine against pabutools on the shared Pabulib files.

Run from the repository root: ``python bench/tally.py`` (a few minutes: pabutools
is slow).  Writes the "Tally engine" section of BENCHMARKS.md, between the
``<!-- tally:start -->`` and ``<!-- tally:end -->`` markers, and leaves the rest
of the file alone.  ``--no-pabutools`` measures this engine only;
``--synthetic`` runs only the 1,000,000-ballot case and prints JSON (used in a
subprocess so that its peak memory is measured alone).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from voting.tally import Profile, Project, read_pabulib, tally  # noqa: E402
from voting.tally.mes import MesEngine  # noqa: E402
from voting.tally.model import Election  # noqa: E402

SHARED = REPO / ".." / "shared" / "pabulib"
FILES = [
    "Poland_Lodz_2022.pb",
    "Poland_Warszawa_2026.pb",
    "Poland_Wroclaw_2017.pb",
    "Hungary_Budapest_2024.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Swiecie_2023.pb",
]
ADD1_FILES = [
    "Poland_Warszawa_2026.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Swiecie_2023.pb",
]
START, END = "<!-- tally:start -->", "<!-- tally:end -->"


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def peak_rss_mb() -> float:
    """Peak resident memory of this process image (VmHWM; reset by exec, unlike ru_maxrss,
    which a child started by fork + exec inherits from its parent)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(n_voters: int = 1_000_000, n_projects: int = 100) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(2026)
    t0 = time.perf_counter()
    popularity = rng.dirichlet(np.full(n_projects, 0.5))
    lengths = rng.integers(1, 11, size=n_voters)
    matrix = np.zeros((n_voters, n_projects), dtype=np.bool_)
    for k in range(1, 11):
        rows = np.nonzero(lengths == k)[0]
        for _ in range(k):
            matrix[rows, rng.choice(n_projects, size=len(rows), p=popularity)] = True
    profile = Profile.from_approval_matrix(matrix)
    del matrix
    costs = rng.integers(10, 500, size=n_projects) * 1000
    projects = tuple(Project(str(i + 1), costs[i].item()) for i in range(n_projects))
    from fractions import Fraction

    projects = tuple(Project(p.id, Fraction(p.cost)) for p in projects)
    election = Election(projects, Fraction(int(costs.sum()) // 4), profile)
    build = time.perf_counter() - t0
    t_greedy, _ = timed(lambda: tally(election, "greedy", "cost"))
    t_mes, out = timed(lambda: tally(election, "mes", "cost"))
    peak_mb = peak_rss_mb()
    return {
        "voters": n_voters,
        "projects": n_projects,
        "distinct": profile.num_distinct,
        "build_s": build,
        "greedy_s": t_greedy,
        "mes_s": t_mes,
        "selected": len(out.selected),
        "peak_rss_mb": peak_mb,
    }


def pabutools_times(path: Path) -> dict[str, float]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    t_parse, (instance, profile) = timed(lambda: parse_pabulib(str(path)))
    t_greedy, g = timed(lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat))
    t_mes, m = timed(lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
    return {
        "parse": t_parse,
        "greedy": t_greedy,
        "mes": t_mes,
        "greedy_ids": sorted(p.name for p in g),  # type: ignore[dict-item]
        "mes_ids": sorted(p.name for p in m),  # type: ignore[dict-item]
    }


def fmt(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:,.0f}×"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-pabutools", action="store_true")
    parser.add_argument("--synthetic", action="store_true")
    args = parser.parse_args()
    if args.synthetic:
        print(json.dumps(synthetic()))
        return 0
    if not SHARED.is_dir():
        print(f"shared Pabulib folder not found at {SHARED}", file=sys.stderr)
        return 1
    reference = json.loads((SHARED / "reference_outcomes.json").read_text())["instances"]
    rows = []
    for name in FILES:
        print(f"{name} ...", file=sys.stderr, flush=True)
        path = SHARED / name
        t_parse, election = timed(lambda path=path: read_pabulib(path), repeat=3)
        t_greedy, greedy_out = timed(lambda e=election: tally(e, "greedy", "cost"), repeat=3)
        t_mes, mes_out = timed(
            lambda e=election: tally(e, "mes", "cost", engine=MesEngine(e, "cost")), repeat=3
        )
        row: dict[str, Any] = {
            "name": name,
            "voters": election.num_voters,
            "projects": len(election.projects),
            "distinct": election.profile.num_distinct,
            "parse": t_parse,
            "greedy": t_greedy,
            "mes": t_mes,
        }
        if not args.no_pabutools:
            pb = pabutools_times(path)
            row["pb"] = pb
            row["same"] = (
                pb["greedy_ids"] == greedy_out.selected_ids
                and pb["mes_ids"] == mes_out.selected_ids
            )
        rows.append(row)
    add1_rows = []
    for name in ADD1_FILES:
        print(f"{name} add1 ...", file=sys.stderr, flush=True)
        election = read_pabulib(SHARED / name)
        t_add1, out = timed(lambda e=election: tally(e, "mes", "cost", "add1"))
        recorded = [
            r
            for r in reference[name]["runs"]
            if r["sat_class"] == "Cost_Sat"
            and r["rule"] in ("mes_add1", "mes_add1_extended_cap")
            and r["status"] == "ok"
        ]
        rec = recorded[-1] if recorded else None
        add1_rows.append(
            {
                "name": name,
                "seconds": t_add1,
                "runs": out.add1_runs,
                "same": rec is not None and rec["selected"] == out.selected_ids,
                "pb_seconds": rec["seconds"] if rec else None,
                "pb_rule": rec["rule"] if rec else None,
            }
        )
    print("synthetic 1,000,000 ballots ...", file=sys.stderr, flush=True)
    synth = json.loads(
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, "--synthetic"],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        ).stdout
    )
    write_section(rows, add1_rows, synth, pabutools=not args.no_pabutools)
    return 0


def write_section(
    rows: list[dict[str, Any]],
    add1_rows: list[dict[str, Any]],
    synth: dict[str, Any],
    *,
    pabutools: bool,
) -> None:
    import numpy as np

    try:
        import pabutools as pb_mod

        pb_version = getattr(pb_mod, "__version__", "1.2.3")
    except ImportError:
        pb_version = "not installed"
    lines = [
        START,
        "## Tally engine",
        "",
        f"Generated by `python bench/tally.py` on {time.strftime('%Y-%m-%d %H:%M')} "
        f"({platform.python_implementation()} {platform.python_version()}, NumPy {np.__version__}, "
        f"pabutools {pb_version}, {os.cpu_count()} CPUs, single-threaded; other jobs may have "
        "shared the machine). Seconds of wall time; this engine: best of 3; pabutools: one run, "
        "measured live in the same process. Rules with cost satisfaction, no completion.",
        "",
        "| file | voters | projects | distinct ballots | parse | parse pabutools | greedy | "
        "greedy pabutools | MES | MES pabutools | MES speed-up | same outcomes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        pb = r.get("pb", {})
        lines.append(
            f"| {r['name'][:-3]} | {r['voters']:,} | {r['projects']} | {r['distinct']:,} | "
            f"{fmt(r['parse'])} | {fmt(pb.get('parse'))} | {fmt(r['greedy'])} | "
            f"{fmt(pb.get('greedy'))} | {fmt(r['mes'])} | {fmt(pb.get('mes'))} | "
            f"{ratio(pb.get('mes'), r['mes'])} | {'yes' if r.get('same') else '–'} |"
        )
    lines += [
        "",
        "MES (cost satisfaction) with the add-one completion (pabutools' "
        "`voter_budget_increment=1`). The pabutools column is **not measured in this run**: it "
        "is the time recorded in `../shared/pabulib/reference_outcomes.json` (for Warszawa 2026 "
        "the `mes_add1_extended_cap` run, multiprofile with pabutools' cache disabled; stock "
        "pabutools did not finish within 300 s).",
        "",
        "| file | MES runs | seconds | pabutools (recorded) | same outcome as recorded |",
        "|---|---:|---:|---:|---|",
    ]
    for r in add1_rows:
        lines.append(
            f"| {r['name'][:-3]} | {r['runs']} | {fmt(r['seconds'])} | "
            f"{fmt(r['pb_seconds'])} ({r['pb_rule']}) | {'yes' if r['same'] else 'NO'} |"
        )
    lines += [
        "",
        f"Synthetic approval profile: {synth['voters']:,} ballots over {synth['projects']} "
        f"projects ({synth['distinct']:,} distinct), 1–10 approvals each: building the profile "
        f"{fmt(synth['build_s'])} s, greedy {fmt(synth['greedy_s'])} s, MES "
        f"{fmt(synth['mes_s'])} s ({synth['selected']} projects), peak resident memory of the "
        f"whole process (its own, VmHWM) {synth['peak_rss_mb']:,.0f} MB.",
        END,
    ]
    if not pabutools:
        lines.insert(4, "pabutools was not run (`--no-pabutools`).")
    path = REPO / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = "\n".join(lines)
    if START in text and END in text:
        before = text[: text.index(START)]
        after = text[text.index(END) + len(END) :]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    raise SystemExit(main())
