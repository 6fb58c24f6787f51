"""A small asyncio load generator for the loopback benchmarks (not a test).

Each simulated user is a coroutine that sends a request, waits for the whole
answer and sends the next one at once (no think time), one connection per
request (`Connection: close`, as gunicorn's sync workers answer anyway). One
event loop in one process costs far less CPU per request than a thread per
user with urllib, and the benchmarks run on the same 2-core machine as the
server, so the generator's own share of the CPU stays small and is part of
the figures.

    from loadgen import Request, run
    stats = run("127.0.0.1", 8100, users=50, seconds=20, pick=lambda rng, user: Request("GET", "/"))

`run` returns, per kind of request (`Request.kind`, default the path), the
count, requests per second, p50/p95/p99 in milliseconds, errors (no answer,
a 5xx, or a status not in `Request.expect`) and the mean body size.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    kind: str = ""
    expect: tuple[int, ...] = (200,)


@dataclass
class _Samples:
    latencies: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


async def fetch(host: str, port: int, request: Request, timeout: float = 30) -> tuple[int, int]:
    """(status, body bytes) of one request; status 0 when there was no answer."""
    head = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Connection: close",
        "Accept-Encoding: gzip",
        *(f"{name}: {value}" for name, value in request.headers.items()),
    ]
    if request.body or request.method == "POST":
        head.append(f"Content-Length: {len(request.body)}")
    payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(payload)
                await writer.drain()
                data = await reader.read(-1)
            finally:
                writer.close()
    except (OSError, TimeoutError):
        return 0, 0
    line, _, rest = data.partition(b"\r\n")
    parts = line.split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return 0, 0
    _headers, _, body = rest.partition(b"\r\n\r\n")
    return int(parts[1]), len(body)


def run(
    host: str,
    port: int,
    *,
    users: int,
    seconds: float,
    pick: Callable[[random.Random, int], Request],
    seed: int = 14,
) -> dict[str, dict[str, float]]:
    """`users` coroutines requesting `pick(rng, user)` back to back for `seconds`.
    The result maps each kind to its figures; the key "all" sums them."""
    return asyncio.run(_run(host, port, users, seconds, pick, seed))


async def _run(
    host: str,
    port: int,
    users: int,
    seconds: float,
    pick: Callable[[random.Random, int], Request],
    seed: int,
) -> dict[str, dict[str, float]]:
    samples: dict[str, _Samples] = {}
    deadline = time.perf_counter() + seconds

    async def user(n: int) -> None:
        rng = random.Random(seed * 1_000_003 + n)
        while time.perf_counter() < deadline:
            request = pick(rng, n)
            t0 = time.perf_counter()
            status, size = await fetch(host, port, request)
            elapsed = time.perf_counter() - t0
            s = samples.setdefault(request.kind or request.path, _Samples())
            s.latencies.append(elapsed)
            s.sizes.append(size)
            s.statuses[status] = s.statuses.get(status, 0) + 1
            if status == 0 or status >= 500 or status not in request.expect:
                s.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(user(n) for n in range(users)))
    wall = time.perf_counter() - started
    result = {kind: summarise(s, wall) for kind, s in sorted(samples.items())}
    everything = _Samples()
    for s in samples.values():
        everything.latencies += s.latencies
        everything.sizes += s.sizes
        everything.errors += s.errors
    result["all"] = summarise(everything, wall)
    result["all"]["users"] = users
    return result


def summarise(s: _Samples, wall: float) -> dict[str, float]:
    if not s.latencies:
        return {"requests": 0, "rps": 0.0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "errors": s.errors}
    q = statistics.quantiles(s.latencies, n=100) if len(s.latencies) > 1 else [s.latencies[0]] * 99
    return {
        "requests": len(s.latencies),
        "rps": len(s.latencies) / wall,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "errors": s.errors,
        "bytes": statistics.fmean(s.sizes),
    }


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (a gunicorn master and its
    workers), in MB, from /proc."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024
