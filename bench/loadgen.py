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
a 5xx, or a status not in `Request.expect`), the mean body size and how many
answers came from the visitors' page cache (`hits`: those carrying the
`X-Page-Cache: hit` header that ciic/public_pages.py sets on a cached answer).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
    # For a redirect: the start of the Location that counts as success.
    location: str = ""
    # Called with the status once the answer is in (a client keeping state).
    done: Callable[[int], None] | None = field(default=None, compare=False)


@dataclass
class _Samples:
    latencies: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    hits: int = 0  # answered from the page cache (X-Page-Cache: hit)


async def fetch(
    host: str, port: int, request: Request, timeout: float = 30
) -> tuple[int, int, str, bool]:
    """(status, body bytes, Location, answered from the page cache) of one
    request; status 0 when there was no answer."""
    head = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Connection: close",
        "Accept-Encoding: gzip",
        # For bench/gunicorn_cpu.py (CPU per kind); the site ignores it.
        *([f"X-Bench-Kind: {request.kind}"] if request.kind else []),
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
        return 0, 0, "", False
    line, _, rest = data.partition(b"\r\n")
    parts = line.split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return 0, 0, "", False
    headers, _, body = rest.partition(b"\r\n\r\n")
    location, hit = "", False
    for header in headers.split(b"\r\n"):
        name, _, value = header.partition(b":")
        name = name.strip().lower()
        if name == b"location":
            location = value.strip().decode("latin-1")
        elif name == b"x-page-cache":
            hit = value.strip() == b"hit"
    return int(parts[1]), len(body), location, hit


def run(
    host: str,
    port: int,
    *,
    users: int,
    seconds: float,
    pick: Callable[[random.Random, int], Request],
    seed: int = 14,
    groups: dict[str, set[str]] | None = None,
) -> dict[str, dict[str, float]]:
    """`users` coroutines requesting `pick(rng, user)` back to back for `seconds`.
    The result maps each kind to its figures; the key "all" sums them, and each
    of `groups` (name: kinds) sums its kinds (percentiles over their requests)."""
    return asyncio.run(_run(host, port, users, seconds, pick, seed, groups or {}))


async def _run(
    host: str,
    port: int,
    users: int,
    seconds: float,
    pick: Callable[[random.Random, int], Request],
    seed: int,
    groups: dict[str, set[str]],
) -> dict[str, dict[str, float]]:
    samples: dict[str, _Samples] = {}
    deadline = time.perf_counter() + seconds

    async def user(n: int) -> None:
        rng = random.Random(seed * 1_000_003 + n)
        while time.perf_counter() < deadline:
            request = pick(rng, n)
            t0 = time.perf_counter()
            status, size, location, hit = await fetch(host, port, request)
            elapsed = time.perf_counter() - t0
            if request.location and not location.startswith(request.location):
                status = -status  # a redirect elsewhere (to the log-in, say): refused
            if request.done is not None:
                request.done(status)
            s = samples.setdefault(request.kind or request.path, _Samples())
            s.latencies.append(elapsed)
            s.sizes.append(size)
            s.statuses[status] = s.statuses.get(status, 0) + 1
            s.hits += hit
            if status <= 0 or status >= 500 or status not in request.expect:
                s.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(user(n) for n in range(users)))
    wall = time.perf_counter() - started
    result = {kind: summarise(s, wall) for kind, s in sorted(samples.items())}
    for kind, s in samples.items():
        # e.g. {-302: 4} for redirects to somewhere other than `Request.location`
        result[kind]["statuses"] = dict(sorted(s.statuses.items()))  # type: ignore[assignment]
    for name, kinds in {**groups, "all": set(samples)}.items():
        together = _Samples()
        for kind in kinds & set(samples):
            together.latencies += samples[kind].latencies
            together.sizes += samples[kind].sizes
            together.errors += samples[kind].errors
            together.hits += samples[kind].hits
        result[name] = summarise(together, wall)
    result["all"]["users"] = users
    return result


def summarise(s: _Samples, wall: float) -> dict[str, float]:
    if not s.latencies:
        return {
            "requests": 0,
            "rps": 0.0,
            "p50": 0.0,
            "p95": 0.0,
            "p99": 0.0,
            "errors": s.errors,
            "hits": 0,
        }
    q = statistics.quantiles(s.latencies, n=100) if len(s.latencies) > 1 else [s.latencies[0]] * 99
    return {
        "requests": len(s.latencies),
        "rps": len(s.latencies) / wall,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "errors": s.errors,
        "bytes": statistics.fmean(s.sizes),
        "hits": s.hits,
    }


def gunicorn_start(
    args: list[str], *, port: int, cwd: Path, env: dict[str, str], name: str = "gunicorn"
) -> subprocess.Popen[bytes]:
    """The virtualenv's gunicorn serving `ciic.wsgi` on 127.0.0.1:`port` with
    `args` (workers and such), returned once it answers `/robots.txt` (an HTTP
    error is an answer too). The benchmark exits if gunicorn stops (another
    server on the port) or does not answer within 90 s (a loaded host)."""
    gunicorn = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "gunicorn"
    server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
        [str(gunicorn), "ciic.wsgi", "--bind", f"127.0.0.1:{port}", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while True:
        if server.poll() is not None:
            sys.exit(f"{name} exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2)  # noqa: S310
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.terminate()  # the master stops its workers too
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                sys.exit(f"{name} did not answer")
            time.sleep(0.1)


def gunicorn_stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


def cpu_by_kind(folder: Path) -> dict[str, tuple[int, float]]:
    """{kind: (requests, CPU seconds)} summed over the workers' files that
    bench/gunicorn_cpu.py wrote into `folder` (then removed)."""
    import json

    totals: dict[str, tuple[int, float]] = {}
    for path in sorted(folder.glob("*.json")):
        for kind, (n, cpu) in json.loads(path.read_text()).items():
            before = totals.get(kind, (0, 0.0))
            totals[kind] = (before[0] + int(n), before[1] + float(cpu))
        path.unlink()
    return totals


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


def write_section(name: str, section: str) -> None:
    """Replace the part of BENCHMARKS.md between `<!-- name:start -->` and
    `<!-- name:end -->` with `section` (appended at the end the first time)."""
    path = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text()
    block = f"{start}\n{section}\n{end}"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
