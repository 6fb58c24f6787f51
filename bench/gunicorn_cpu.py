"""A gunicorn configuration for the benchmarks: CPU time per kind of request.

    gunicorn ciic.wsgi --config bench/gunicorn_cpu.py ...   (BENCH_CPU_DIR=/some/folder)

Each sync worker adds up the CPU time (user + system, of its own process) spent
between gunicorn's `pre_request` and `post_request` hooks, by the kind the load
generator names in its `X-Bench-Kind` header (bench/loadgen.py), answers from
the page cache (`X-Page-Cache: hit`) apart as "<kind> (hit)", and writes
{kind: [requests, cpu seconds]} to BENCH_CPU_DIR/<pid>.json when it exits.
Nothing of it is in the production configuration."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

_totals: dict[str, list[float]] = {}
_started: list[float] = [0.0]


def pre_request(worker: Any, req: Any) -> None:
    _started[0] = time.process_time()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    spent = time.process_time() - _started[0]
    kind = dict(req.headers).get("X-BENCH-KIND", "other")
    if any(name.lower() == "x-page-cache" for name, _value in resp.headers):
        kind += " (hit)"
    total = _totals.setdefault(kind, [0, 0.0])
    total[0] += 1
    total[1] += spent


def worker_exit(server: Any, worker: Any) -> None:
    folder = os.environ.get("BENCH_CPU_DIR")
    if folder and _totals:
        Path(folder, f"{os.getpid()}.json").write_text(json.dumps(_totals))
