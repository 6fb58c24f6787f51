"""Benchmark of the tally engine against pabutools on the shared Pabulib files.

Run from the repository root: ``python bench/tally.py`` (several minutes: pabutools
and the stepwise add-one reference are slow).  Writes the "Tally engine" section
of BENCHMARKS.md, between the ``<!-- tally:start -->`` and ``<!-- tally:end -->``
markers, and leaves the rest of the file alone.  ``--no-pabutools`` measures this
engine only; ``--synthetic`` runs only the 1,000,000-ballot case and prints JSON
(used in a subprocess so that its peak memory is measured alone).

Whole commands (``python -m voting.tally ...``) are measured as child processes:
wall time, and peak resident memory from the child's own ``VmHWM`` read as it exits
(``ru_maxrss`` would not do: a child started by fork + exec inherits its parent's).
The add-one table runs MES + add1 as a whole command on every shared file, and
the stepwise reference (``--completion add1-stepwise``) in the same run, with a
time limit per file (``--stepwise-limit``, 60 s by default): where the stepwise
run does not finish in time, the table says so.
"""

from __future__ import annotations

import argparse
import compileall
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
from voting.tally.parallel import default_jobs  # noqa: E402

SHARED = REPO / ".." / "shared" / "pabulib"
FILES = [
    "Poland_Lodz_2022.pb",
    "Poland_Warszawa_2026.pb",
    "Poland_Wroclaw_2017.pb",
    "Hungary_Budapest_2024.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Swiecie_2023.pb",
]
START, END = "<!-- tally:start -->", "<!-- tally:end -->"


def command(
    args: list[str], timeout: float | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, str, float] | None:
    """Run ``python -m voting.tally ARGS``: (seconds, peak MB, stdout, CPU seconds), None on
    timeout.  CPU seconds (the child's user + system time) vary less than wall time when
    other jobs share the machine."""
    import tempfile

    out_file = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    peak_file = tempfile.NamedTemporaryFile(mode="r", encoding="ascii", suffix=".peak")
    t = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-c", _RUNNER, peak_file.name, *args],
        cwd=REPO,
        stdout=out_file,
        stderr=subprocess.DEVNULL,
        env=None if env is None else {**os.environ, **env},
    )
    deadline = None if timeout is None else t + timeout
    chunks: list[str] = []
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            return None
        time.sleep(0.005)
    seconds = time.perf_counter() - t
    out_file.seek(0)
    chunks.append(out_file.read())
    out_file.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"python -m voting.tally {' '.join(args)} failed")
    peak = float(peak_file.read() or "nan") / 1024
    peak_file.close()
    return seconds, peak, "".join(chunks), usage.ru_utime + usage.ru_stime


# ``python -m voting.tally ARGS`` that writes its own peak memory (VmHWM, kB) at exit.
_RUNNER = (
    "import atexit, runpy, sys\n"
    "path = sys.argv.pop(1)\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            open(path, 'w').write(line.split()[1])\n"
    "atexit.register(peak)\n"
    # as ``python -m`` while it locates the module (voting/tally/__init__.py reads it)
    "sys.argv[0] = '-m'\n"
    "runpy.run_module('voting.tally', run_name='__main__', alter_sys=True)\n"
)


def whole_commands(
    limit: float, budget: float | None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    import tempfile

    from voting.tally.cache import read_pabulib_cached

    # the commands' cache of parsed files: a fresh one, so that the first run is a miss
    cache = tempfile.TemporaryDirectory(prefix="tally-bench-cache-")
    os.environ["TALLY_CACHE_DIR"] = cache.name
    lodz = str(SHARED / "Poland_Lodz_2022.pb")
    args = [lodz, "--rule", "mes", "--sat", "cost"]
    cold = [r for r in (command([*args, "--no-cache"]) for _ in range(3)) if r is not None]
    first = command(args)  # a cache miss: parses and stores the election
    warm = [r for r in (command(args) for _ in range(3)) if r is not None]
    if first is None:
        raise RuntimeError("no timeout set")
    lodz_row = {
        "seconds": min(r[0] for r in warm),
        "cpu": min(r[3] for r in warm),
        "peak_mb": max(r[1] for r in [*warm, *cold, first]),
        "cold_seconds": min(r[0] for r in cold),
        "cold_cpu": min(r[3] for r in cold),
        "miss_seconds": first[0],
        "load": os.getloadavg()[0],
    }
    rows = []
    skipped: list[str] = []
    start = time.perf_counter()
    for path in sorted(SHARED.glob("*.pb"), key=lambda p: p.stat().st_size):
        if budget is not None and time.perf_counter() - start > budget:
            skipped.append(path.name)
            continue
        print(f"{path.name} add1 ...", file=sys.stderr, flush=True)
        read_pabulib_cached(path)  # both commands below find the parsed file in the cache
        load = os.getloadavg()[0]
        fast = command(
            [str(path), "--rule", "mes", "--sat", "cost", "--completion", "add1", "--json"]
        )
        if fast is None:
            raise RuntimeError("no timeout set")
        data = json.loads(fast[2])
        # the same command searching in one process (``--jobs 1``)
        one = command(
            [str(path), "--rule", "mes", "--sat", "cost", "--completion", "add1", "--json"]
            + ["--jobs", "1"]
        )
        if one is None:
            raise RuntimeError("no timeout set")
        # the same command with NumPy alone (the compiled kernel switched off)
        plain = command(
            [str(path), "--rule", "mes", "--sat", "cost", "--completion", "add1", "--json"],
            env={"TALLY_KERNEL": "0"},
        )
        if plain is None:
            raise RuntimeError("no timeout set")
        slow = command(
            [
                str(path),
                "--rule",
                "mes",
                "--sat",
                "cost",
                "--completion",
                "add1-stepwise",
                "--json",
            ],
            timeout=limit,
        )
        row: dict[str, Any] = {
            "name": path.name,
            "seconds": fast[0],
            "cpu": fast[3],
            "load": load,
            "peak_mb": fast[1],
            "steps": data.get("add1_steps", 0),
            "mes_runs": data.get("add1_mes_runs", 0),
            "one": one[0],
            "one_cpu": one[3],
            "one_same": json.loads(one[2])["selected"] == data["selected"],
            "numpy": plain[0],
            "numpy_cpu": plain[3],
            "numpy_same": json.loads(plain[2])["selected"] == data["selected"],
            "stepwise": slow[0] if slow else None,
            "stepwise_cpu": slow[3] if slow else None,
            "same": (json.loads(slow[2])["selected"] == data["selected"]) if slow else None,
        }
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    rows.sort(key=lambda r: r["name"])
    return lodz_row, rows, skipped


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
    return f"{a / b:,.1f}×" if a / b < 10 else f"{a / b:,.0f}×"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-pabutools", action="store_true")
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument(
        "--stepwise-limit",
        type=float,
        default=60.0,
        help="seconds allowed to each stepwise add-one command (default 60)",
    )
    parser.add_argument(
        "--add1-budget",
        type=float,
        help="stop starting add-one files (smallest first) after this many seconds",
    )
    args = parser.parse_args()
    if args.synthetic:
        print(json.dumps(synthetic()))
        return 0
    if not SHARED.is_dir():
        print(f"shared Pabulib folder not found at {SHARED}", file=sys.stderr)
        return 1
    # The engine's bytecode, as an installed package has it (pip compiles on
    # install): with PYTHONDONTWRITEBYTECODE set (CI, this sandbox) every child
    # command would otherwise compile voting/tally again, about 40 ms of CPU.
    compileall.compile_dir(REPO / "voting" / "tally", quiet=1)
    rows = []
    load_start = os.getloadavg()
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
    print("whole commands ...", file=sys.stderr, flush=True)
    lodz_row, add1_rows, not_run = whole_commands(args.stepwise_limit, args.add1_budget)
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
    write_section(
        rows,
        lodz_row,
        add1_rows,
        synth,
        pabutools=not args.no_pabutools,
        limit=args.stepwise_limit,
        not_run=not_run,
        loads=(load_start, os.getloadavg()),
    )
    return 0


def write_section(
    rows: list[dict[str, Any]],
    lodz: dict[str, Any],
    add1_rows: list[dict[str, Any]],
    synth: dict[str, Any],
    *,
    pabutools: bool,
    limit: float,
    not_run: list[str],
    loads: tuple[tuple[float, float, float], tuple[float, float, float]],
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
        f"pabutools {pb_version}, {os.cpu_count()} CPUs, single-threaded but for the add-one "
        "commands below; other jobs may have "
        "shared the machine). Seconds of wall time; this engine: best of 3; pabutools: one run, "
        "measured live in the same process. Rules with cost satisfaction, no completion. "
        "Load average (1, 5, 15 min, as `uptime` gives it) at the start of the run: "
        f"{', '.join(f'{x:.2f}' for x in loads[0])}; at the end: "
        f"{', '.join(f'{x:.2f}' for x in loads[1])} (2 CPUs: a load above 2 means the "
        "figures are stretched by other jobs).",
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
    slow = [r for r in add1_rows if r["stepwise"] is not None]
    from voting.tally import _kernel

    kernel_note = (
        "The compiled kernel (`voting/tally/_kernel.c`, built by `make install`) was used."
        if _kernel.kernel() is not None
        else "**The compiled kernel was not built here**: every figure is NumPy alone."
    )
    lines += [
        "",
        "### Whole commands",
        "",
        "Each figure is one `python -m voting.tally ...` child process from start to exit "
        "(interpreter start-up, imports, reading the file, counting, printing), with the "
        "engine's modules compiled to bytecode beforehand as an installed package has them; "
        "peak memory is "
        "the child's own maximum resident set (VmHWM, read as it exits). The commands keep "
        "parsed files in a cache keyed by the file's SHA-256 (`voting/tally/cache.py`); the "
        "benchmark starts from an empty one, and the add-one table below is measured with the "
        "file already in it (for the fast and the stepwise command alike).",
        "",
        f"`python -m voting.tally Poland_Lodz_2022.pb --rule mes --sat cost`: "
        f"**{fmt(lodz['seconds'])} s** with the parsed file in the command's cache (best of 3; "
        f"CPU time {fmt(lodz['cpu'])} s); **{fmt(lodz['cold_seconds'])} s** reading the file "
        f"(`--no-cache`, best of 3; CPU time {fmt(lodz['cold_cpu'])} s); the first run with an "
        f"empty cache (reading and storing) {fmt(lodz['miss_seconds'])} s; peak "
        f"**{lodz['peak_mb']:,.0f} MB** (the largest of those runs), load average "
        f"{lodz['load']:.2f}.",
        "",
        "MES (cost satisfaction) + `add1` on every shared file, whole command "
        "(`--completion add1 --json`, searching with one process per CPU this machine gives, "
        f"{default_jobs()} here, the default: `voting/tally/parallel.py`), the same searching "
        "in one process (*one process*: `--jobs 1`; the same outcome on every file: "
        f"{'yes' if all(r['one_same'] for r in add1_rows) else 'NO'}), and in the same run the stepwise reference "
        f"(`--completion add1-stepwise`, one MES run per step) with a limit of {limit:.0f} s per "
        "file: where it did not finish, the cell says so. *Steps*: the add-one steps "
        "(the MES runs the stepwise version makes); *MES runs*: the runs the fast version "
        "actually made. *Same*: the stepwise command printed the same projects in the same "
        "order (the full comparison, shares and step counts included, is "
        "`TALLY_FULL=1 pytest tests/voting/test_tally_add1.py`). *CPU*: the command's own "
        "user + system time (less affected by other jobs than wall time); *load*: the 1-minute "
        "load average when the fast command started; *ratio*: stepwise CPU time / add1 CPU time. "
        "*NumPy alone*: the same add1 command with the compiled kernel switched off "
        "(`TALLY_KERNEL=0`; the same outcome on every file: "
        f"{'yes' if all(r['numpy_same'] for r in add1_rows) else 'NO'}). {kernel_note}",
        "",
        "| file | steps | MES runs | add1 (s) | add1 CPU (s) | one process (s) | "
        "one process CPU (s) | peak MB | load | NumPy alone (s) | "
        "NumPy alone CPU (s) | stepwise (s) | stepwise CPU (s) | ratio | same |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in add1_rows:
        stepwise = fmt(r["stepwise"]) if r["stepwise"] is not None else f"> {limit:.0f} (stopped)"
        same = {True: "yes", False: "NO", None: "–"}[r["same"]]
        lines.append(
            f"| {r['name'][:-3]} | {r['steps']:,} | {r['mes_runs']:,} | {fmt(r['seconds'])} | "
            f"{fmt(r['cpu'])} | {fmt(r['one'])} | {fmt(r['one_cpu'])} | {r['peak_mb']:,.0f} | "
            f"{r['load']:.2f} | {fmt(r['numpy'])} | "
            f"{fmt(r['numpy_cpu'])} | {stepwise} | "
            f"{fmt(r['stepwise_cpu'])} | {ratio(r['stepwise_cpu'], r['cpu'])} | {same} |"
        )
    worst = max(add1_rows, key=lambda r: r["seconds"])
    worst_one = max(add1_rows, key=lambda r: r["one"])
    lines += [
        "",
        f"Slowest add1 whole command: {worst['name'][:-3]}, {fmt(worst['seconds'])} s; in one "
        f"process: {worst_one['name'][:-3]}, {fmt(worst_one['one'])} s. "
        f"Stepwise finished within the limit on {len(slow)} of {len(add1_rows)} files; on "
        f"those it took {fmt(sum(r['stepwise'] for r in slow))} s in all against "
        f"{fmt(sum(r['seconds'] for r in slow))} s for the fast version (CPU time: "
        f"{fmt(sum(r['stepwise_cpu'] for r in slow))} s against "
        f"{fmt(sum(r['cpu'] for r in slow))} s).",
    ]
    if not_run:
        lines += [
            "",
            "Not measured in this run (the run's time budget, `--add1-budget`, was used up; "
            "files are taken smallest first): " + ", ".join(n[:-3] for n in not_run) + ".",
        ]
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
