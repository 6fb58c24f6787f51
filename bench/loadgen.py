"""A small load generator for the loopback benchmarks (not a test).

Each simulated user sends a request, waits for the whole answer and sends
the next one at once (no think time), one connection per request
(`Connection: close`, as gunicorn's sync workers answer anyway). All users
are driven by one thread over non-blocking sockets (`selectors`, epoll):
the benchmarks run on the same 2-core machine as the server, so the
generator's own CPU is taken from the server's and must stay small. It
costs about 0.3 ms of CPU per request (0.15 ms of it the kernel's TCP
work), against 0.5-0.6 ms with asyncio's streams, which it used before
2026-11-30 (the figures of earlier runs carry that cost).

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
import errno
import random
import selectors
import socket
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


def _payload(host: str, port: int, request: Request) -> bytes:
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
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body


def _parse(data: bytes) -> tuple[int, int, str, bool]:
    """(status, body bytes, Location, answered from the page cache); status 0
    when `data` is no HTTP answer."""
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


async def fetch(
    host: str, port: int, request: Request, timeout: float = 30
) -> tuple[int, int, str, bool]:
    """(status, body bytes, Location, answered from the page cache) of one
    request; status 0 when there was no answer. (For a few requests, as a
    warm-up; `run` drives the load without asyncio.)"""
    payload = _payload(host, port, request)
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
    return _parse(data)


def run(
    host: str,
    port: int,
    *,
    users: int,
    seconds: float,
    pick: Callable[[random.Random, int], Request],
    seed: int = 14,
    groups: dict[str, set[str]] | None = None,
    timeout: float = 30,
) -> dict[str, dict[str, float]]:
    """`users` simulated users requesting `pick(rng, user)` back to back for
    `seconds`. The result maps each kind to its figures; the key "all" sums
    them, and each of `groups` (name: kinds) sums its kinds (percentiles over
    their requests).

    One thread drives every user's socket through `selectors` (epoll): a
    user is a slot that connects, sends, reads until the server closes, and
    starts its next request. asyncio's streams cost about 0.45 ms of this
    process's CPU per request, on the same cores as the server; this loop
    costs about half as much (see the module docstring)."""
    samples: dict[str, _Samples] = {}
    addr = (host, port)
    chooser = selectors.DefaultSelector()
    deadline = time.perf_counter() + seconds
    rngs = [random.Random(seed * 1_000_003 + n) for n in range(users)]

    def record(slot: _Slot, data: bytes | None) -> None:
        request = slot.request
        elapsed = time.perf_counter() - slot.started
        status, size, location, hit = _parse(data) if data else (0, 0, "", False)
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

    def start(slot: _Slot) -> bool:
        """The user's next request, unless the time is up."""
        if time.perf_counter() >= deadline:
            return False
        slot.request = pick(rngs[slot.user], slot.user)
        slot.payload = _payload(host, port, slot.request)
        slot.chunks = []
        slot.started = time.perf_counter()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        slot.sock = sock
        if sock.connect_ex(addr) not in (0, errno.EINPROGRESS):
            sock.close()
            record(slot, None)
            return start(slot)
        chooser.register(sock, selectors.EVENT_WRITE, slot)
        return True

    def finish(slot: _Slot, data: bytes | None) -> bool:
        chooser.unregister(slot.sock)
        slot.sock.close()
        record(slot, data)
        return start(slot)

    started = time.perf_counter()
    running = sum(start(_Slot(n)) for n in range(users))
    next_sweep = started + 0.5
    while running:
        for key, _mask in chooser.select(timeout=0.5):
            slot = key.data
            sock = slot.sock
            try:
                if slot.payload:  # connected (or refused): send the rest
                    sent = sock.send(slot.payload)
                    slot.payload = slot.payload[sent:]
                    if not slot.payload:
                        chooser.modify(sock, selectors.EVENT_READ, slot)
                    continue
                chunk = sock.recv(262_144)
            except OSError:
                running -= not finish(slot, None)
                continue
            if chunk:
                slot.chunks.append(chunk)
            else:  # the server closed: the whole answer is in
                running -= not finish(slot, b"".join(slot.chunks))
        now = time.perf_counter()
        if now >= next_sweep:  # answers overdue: given up as errors
            next_sweep = now + 0.5
            for key in list(chooser.get_map().values()):
                if now - key.data.started > timeout:
                    running -= not finish(key.data, None)
    chooser.close()
    wall = time.perf_counter() - started
    result = {kind: summarise(s, wall) for kind, s in sorted(samples.items())}
    for kind, s in samples.items():
        # e.g. {-302: 4} for redirects to somewhere other than `Request.location`
        result[kind]["statuses"] = dict(sorted(s.statuses.items()))  # type: ignore[assignment]
    for name, kinds in {**(groups or {}), "all": set(samples)}.items():
        together = _Samples()
        for kind in kinds & set(samples):
            together.latencies += samples[kind].latencies
            together.sizes += samples[kind].sizes
            together.errors += samples[kind].errors
            together.hits += samples[kind].hits
        result[name] = summarise(together, wall)
    result["all"]["users"] = users
    return result


class _Slot:
    """One simulated user's request in flight."""

    __slots__ = ("chunks", "payload", "request", "sock", "started", "user")

    def __init__(self, user: int) -> None:
        self.user = user
        self.request: Request
        self.sock: socket.socket
        self.payload = b""
        self.chunks: list[bytes] = []
        self.started = 0.0


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
