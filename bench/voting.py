"""Voting on voting day: casting under load, and publishing 50,000 ballots (not a test).

    .venv/bin/python bench/voting.py [--write] [--profile] [--seconds 10] [--port 8170]

Self-contained and bounded (about 2-4 minutes): it uses the PostgreSQL
database in DATABASE_URL if one is given (migrated and added to: every run
makes its own calls and residents), else its own `ciic_voting_bench` (dropped
and created); Redis database REDIS_URL (default `redis://127.0.0.1:6379/7`,
flushed). Production settings (DEBUG off, persistent connections, the durable
outbox, jobs on Redis), loopback only.

1. Reference, in the same run: requests/s of a trivial answer (`/favicon.ico`,
   a redirect through the whole middleware stack, no database) with the same
   load generator and server, and the `uptime` load before and after: the
   machine is shared, so the figures are read against these.
2. Casting: gunicorn in front of PostgreSQL, with a real `rqworker` running
   (it delivers the receipt emails the casts queue through the outbox). Each
   resident (verified, made in bulk: the set-up, not what is measured) has a
   logged-in session (written to the session table: logging thousands of
   accounts in through allauth would measure allauth) and POSTs their ballot
   (3 of 20 projects, CSRF token, revision 0) to /vote/<call>/ once; CLIENTS
   connections send back to back for --seconds per server setting. The load
   generator is asyncio on raw sockets with the requests built beforehand, so
   its own share of the 2 CPUs stays small. Each gunicorn setting is measured
   in turn; the best is the headline. Then the database is checked: one ballot
   per resident who got a 302 and none for the others, 3 choices each, one
   receipt email each in the outbox, one `ballot.cast` audit row each.
3. Publishing: 50,000 ballots in a second call (inserted with COPY: set-up),
   then, timed end to end: the close job handed to Redis and run by the
   rqworker (the tally of every budget under the official rule and both
   comparison rules, the anonymous Pabulib file, the turnout figures), polled
   until its result is stored, then the administrator's publish step
   (proposals to selected / not selected in bulk, the authors' emails).

`--profile` prints the queries and the hottest functions of one cast request
(in-process, through the test client) instead of running the load; `--cpu N`
prints the CPU per cast in-process (Python, and its PostgreSQL backend from
/proc) over 3 rounds of N casts, then the receipts' delivery per email: run it
interleaved on the old and the new code to compare them.
With --write the figures replace the voting section of BENCHMARKS.md."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = ROOT / ".venv" / "bin" / "python"
PG = "postgres://postgres@127.0.0.1:5432"
OWN_DB = "ciic_voting_bench"
PUBLISH_BALLOTS = 50_000
PROJECTS = 20
CLIENTS = 32
RUN = secrets.token_hex(3)  # keeps this run's accounts apart in a reused database
# gunicorn settings tried, in this order: (label, arguments)
SETTINGS = [
    ("sync × 3", ["--workers", "3", "--worker-class", "sync"]),
    ("gthread 2 × 4 threads", ["--workers", "2", "--worker-class", "gthread", "--threads", "4"]),
    ("gthread 4 × 4 threads", ["--workers", "4", "--worker-class", "gthread", "--threads", "4"]),
]


def uptime_load() -> str:
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- CPU time per process (the machine is shared: wall-clock figures move with
# the other sessions' load, CPU seconds per ballot much less) -------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def proc_cpu(pid: int, *, reaped: bool = False) -> float:
    """CPU seconds (user + system) of `pid`; with `reaped`, plus those of its
    children that have exited (an rqworker's work horses)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # after the ")": state ppid ... utime(12) stime(13) cutime(14) cstime(15)
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat(int(stat.parent.name))
        if fields is not None and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def pg_backend_pids(database: str) -> list[int]:
    """The server processes of every connection to `database` (the benchmark's own)."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return [r[0] for r in rows]


def pg_aux_pids() -> list[int]:
    """PostgreSQL's WAL writer, background writer and checkpointer (shared by
    every database of the server: other sessions' writes count too)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text.startswith("postgres: ") and any(
            name in text for name in ("walwriter", "background writer", "checkpointer")
        ):
            pids.append(int(cmdline.parent.name))
    return pids


def _postmaster_reaped() -> float:
    """CPU seconds of the PostgreSQL backends that have exited (their
    postmaster reaped them): the connections of the rqworker's work horses,
    but also other sessions' on this shared server."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if text.endswith("/bin/postgres"):
            fields = _stat(int(cmdline.parent.name))
            if fields is not None and int(fields[1]) == 1:
                return (int(fields[13]) + int(fields[14])) / CLK_TCK
    return 0.0


def cpu_snapshot(*, server: int, worker: int | None, database: str) -> dict[str, float]:
    """CPU seconds so far of each part of the stack: gunicorn (master and
    workers), the rqworker (with its exited work horses), the PostgreSQL
    backends of the benchmark's database (live ones: connections persist),
    PostgreSQL's shared writers, and this process (the load generator)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    snap = {
        "gunicorn": proc_cpu(server) + sum(proc_cpu(c) for c in children(server)),
        "rqworker": proc_cpu(worker, reaped=True) if worker else 0.0,
        "loadgen": usage.ru_utime + usage.ru_stime,
        "pg_aux": sum(proc_cpu(p) for p in pg_aux_pids()),
        "pg_exited": _postmaster_reaped(),
    }
    for pid in pg_backend_pids(database) if database else ():
        snap[f"pg:{pid}"] = proc_cpu(pid)
    return snap


def cpu_per_ballot(
    before: dict[str, float], after: dict[str, float], ballots: int
) -> dict[str, float]:
    """Milliseconds of CPU per ballot of each part, from two snapshots (a
    backend that appeared meanwhile counts from zero)."""
    n = max(ballots, 1)
    out = {}
    for part in ("gunicorn", "rqworker", "loadgen", "pg_aux"):
        out[part] = (after[part] - before.get(part, 0.0)) * 1000 / n
    out["postgres"] = (
        sum(v - before.get(k, 0.0) for k, v in after.items() if k.startswith("pg:")) * 1000 / n
    )
    out["total"] = sum(out.values())
    # Not in the total: the server's exited backends, whoever's they were.
    out["pg_exited_shared"] = (after["pg_exited"] - before.get("pg_exited", 0.0)) * 1000 / n
    return {k: round(v, 2) for k, v in out.items()}


# --- installation ---------------------------------------------------------------------------


def bench_env(tmp: Path) -> dict[str, str]:
    given = os.environ.get("DATABASE_URL", "")
    if given and not given.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ciic.settings.production",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(60),
        CNP_HASH_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=given or f"{PG}/{OWN_DB}",
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        OUTBOX_DELIVERY_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        MAP_TILES_URL="",
        LOG_LEVEL="WARNING",
    )
    return env


def install(env: dict[str, str]) -> None:
    import psycopg
    import redis

    url = env["DATABASE_URL"]
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not os.environ.get("DATABASE_URL"):  # our own: fresh each run
            conn.execute(f'DROP DATABASE IF EXISTS "{OWN_DB}"')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [str(PY), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


# --- the data (set-up, not measured) --------------------------------------------------------


def setup_call(tag: str, *, days_ago: int = 0):  # type: ignore[no-untyped-def]
    """A call in its voting phase today (or `days_ago` days ago, so that it has
    closed by now), PROJECTS whole-sector proposals on the
    ballot (approval, at most 5, Method of Equal Shares + add one)."""
    import time_machine
    from django.utils import timezone

    from ciic.accounts.models import Role
    from proposals.models import Call, Category, Proposal
    from proposals.services import call_create, proposal_transition
    from tests.factories import staff_user
    from tests.proposals.conftest import make_submitted
    from voting import services

    ago = dt.timedelta(days=days_ago)
    now = timezone.now() - ago
    today = timezone.localdate() - ago
    sub = today - dt.timedelta(days=60)
    slug = f"bench-{tag}-{secrets.token_hex(3)}"
    with time_machine.travel(now - dt.timedelta(days=61), tick=False):
        call = call_create(
            actor=None,
            name=f"Bench {slug}",
            slug=slug,
            year=2100 + secrets.randbelow(800),
            total_budget=Decimal("2000000"),
            max_cost_per_proposal=Decimal("500000"),
            submission_start=sub,
            submission_end=sub + dt.timedelta(days=20),
            assessment_start=sub + dt.timedelta(days=21),
            assessment_end=sub + dt.timedelta(days=50),
            voting_start=today - dt.timedelta(days=1),
            voting_end=today + dt.timedelta(days=1),
            results_date=today + dt.timedelta(days=3),
            implementation_start=today + dt.timedelta(days=10),
            categories={c.value: "" for c in Category},
        )
    assert isinstance(call, Call)
    admin = staff_user(Role.ADMINISTRATOR, email=f"admin-{tag}-{RUN}@bench.invalid")
    authors = residents_bulk(4, tag=f"a{tag}")
    proposals = []
    with time_machine.travel(now - dt.timedelta(days=50), tick=False):
        for i in range(PROJECTS):
            proposals.append(
                make_submitted(
                    author=authors[i % 4],
                    call=call,
                    title=f"Proiect {i}",
                    cost_estimate=Decimal(100000 + 17000 * i),
                    whole_sector=True,
                    latitude=None,
                    longitude=None,
                )
            )
    with time_machine.travel(now - dt.timedelta(days=20), tick=False):
        for p in proposals:
            p = proposal_transition(actor=admin, proposal=p, to_status="under_assessment")
            proposal_transition(actor=admin, proposal=p, to_status="eligible")
    with time_machine.travel(now - dt.timedelta(days=2), tick=False):
        services.ballot_rule_set(
            actor=admin,
            call=call,
            kind="approval",
            max_choices=5,
            counting_rule="mes",
            completion="add1",
        )
    with time_machine.travel(now, tick=False):
        services.voting_open(actor=admin, call=call)
    return call, admin, list(Proposal.objects.filter(call=call, status="on_ballot").order_by("pk"))


def residents_bulk(n: int, *, tag: str):  # type: ignore[no-untyped-def]
    """`n` verified adult residents of Sector 6 (accounts, profiles and
    in-person verifications written in bulk, as the desk would have left them)."""
    from django.utils import timezone

    from ciic.accounts.models import User
    from ciic.eligibility.models import ResidentProfile, Verification
    from geo.models import Area

    zones = list(Area.objects.filter(kind=Area.Kind.ZONE).values_list("pk", flat=True))
    now = timezone.now()
    users = User.objects.bulk_create(
        [User(email=f"r{tag}-{RUN}-{i}@bench.invalid", is_active=True) for i in range(n)],
        batch_size=2000,
    )
    ResidentProfile.objects.bulk_create(
        [
            ResidentProfile(
                user=u,
                full_name=f"Locuitor {i}",
                date_of_birth=dt.date(1950 + i % 50, i % 12 + 1, i % 28 + 1),
                address="Bulevardul Iuliu Maniu 1",
                residence_zone_id=zones[i % len(zones)] if zones else None,
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    Verification.objects.bulk_create(
        [
            Verification(
                user=u,
                cnp_hash=secrets.token_hex(32),
                birth_date=dt.date(1950 + i % 50, i % 12 + 1, i % 28 + 1),
                method="in_person",
                document_type="identity_card",
                sector6_resident=True,
                verified_at=now - dt.timedelta(days=100),
                valid_until=(now + dt.timedelta(days=365)).date(),
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    return users


def sessions_bulk(users) -> list[str]:  # type: ignore[no-untyped-def]
    """A logged-in session per user, written straight to the session table."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from ciic.accounts.models import Session
    from ciic.accounts.sessions import SessionStore

    store = SessionStore()
    expires = timezone.now() + dt.timedelta(days=1)
    rows, keys = [], []
    for user in users:
        key = secrets.token_hex(16)
        data = store.encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[1],
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        rows.append(
            Session(session_key=key, session_data=data, expire_date=expires, user_id=user.pk)
        )
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=2000)
    return keys


# --- processes ------------------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, args: list[str]) -> subprocess.Popen[bytes]:
    from loadgen import gunicorn_start

    return gunicorn_start(["--backlog", "512", *args], port=port, cwd=ROOT, env=env)


def start_rqworker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = open(Path(env["MEDIA_ROOT"]).parent / "rqworker.log", "ab")  # noqa: SIM115
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [
            str(PY),
            "manage.py",
            "rqworker",
            "default",
            "--with-scheduler",
            *os.environ.get("BENCH_RQWORKER_ARGS", "").split(),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def worker_log(env: dict[str, str]) -> str:
    path = Path(env["MEDIA_ROOT"]).parent / "rqworker.log"
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the load generator ---------------------------------------------------------------------


async def _send(port: int, payload: bytes) -> tuple[int, float]:
    t0 = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(payload)
        await writer.drain()
        head = await reader.readline()
        writer.close()
        status = int(head.split()[1]) if head else 0
    except (OSError, ValueError, IndexError):
        status = 0
    return status, time.perf_counter() - t0


async def _drive(
    port: int, requests: list[bytes], clients: int, seconds: float
) -> tuple[list[tuple[int, int, float]], float]:
    """Send `requests` in order from `clients` connections back to back, until
    they run out or `seconds` pass; returns (index, status, latency) each."""
    results: list[tuple[int, int, float]] = []
    position = 0
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal position
        while position < len(requests) and time.perf_counter() < stop_at:
            index = position
            position += 1
            status, elapsed = await _send(port, requests[index])
            results.append((index, status, elapsed))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return results, time.perf_counter() - started


def drive(port: int, requests: list[bytes], clients: int, seconds: float):  # type: ignore[no-untyped-def]
    return asyncio.run(_drive(port, requests, clients, seconds))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def cast_request(port: int, slug: str, session: str, picks: list[int]) -> bytes:
    import urllib.parse

    token = secrets.token_hex(16)
    body = urllib.parse.urlencode(
        [("csrfmiddlewaretoken", token), ("revision", "0")] + [("choice", str(p)) for p in picks]
    ).encode()
    head = (
        f"POST /vote/{slug}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: sessionid={session}; csrftoken={token}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


# --- 1 and 2: the reference and casting -----------------------------------------------------


def bench_casting(env: dict[str, str], port: int, seconds: float) -> dict[str, object]:
    from django.db import connection

    from ciic.audit import events
    from ciic.audit.models import Event
    from ciic.notifications.models import OutgoingEmail
    from voting.models import Ballot, BallotChoice

    t_setup = time.perf_counter()
    call, _admin, proposals = setup_call("cast")
    # More residents than the fastest setting could serve in --seconds.
    per_setting = int(max(seconds, 1) * 450)
    voters = residents_bulk(per_setting * len(SETTINGS), tag="v")
    sessions = sessions_bulk(voters)
    connection.close()
    picks = [[proposals[(n + j * 7) % PROJECTS].pk for j in range(3)] for n in range(len(voters))]
    print(f"casting set-up: {time.perf_counter() - t_setup:.0f} s", flush=True)
    worker = start_rqworker(env)
    # Not measured: the worker delivers the set-up's emails and map rebuilds first.
    import django_rq

    queue = django_rq.get_queue("default")
    drained = time.perf_counter() + 180
    while (queue.count or queue.started_job_registry.count) and time.perf_counter() < drained:
        time.sleep(0.2)
    setup_jobs = queue.finished_job_registry.count + queue.failed_job_registry.count
    rows: list[dict[str, object]] = []
    sent: dict[int, int] = {}
    try:
        for n, (label, args) in enumerate(SETTINGS):
            server = start_gunicorn(env, port, args)
            try:
                ref_request = (
                    f"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    "Connection: close\r\n\r\n"
                ).encode()
                drive(port, [ref_request] * 200, CLIENTS, 10)  # warm the workers
                ref_cpu = cpu_snapshot(server=server.pid, worker=None, database="")
                ref, ref_wall = drive(port, [ref_request] * 100_000, CLIENTS, min(seconds, 3))
                ref_cpu = cpu_per_ballot(
                    ref_cpu, cpu_snapshot(server=server.pid, worker=None, database=""), len(ref)
                )
                lo, hi = n * per_setting, (n + 1) * per_setting
                requests = [
                    cast_request(port, call.slug, sessions[i], picks[i]) for i in range(lo, hi)
                ]
                database = env["DATABASE_URL"].rsplit("/", 1)[1]
                cpu_before = cpu_snapshot(server=server.pid, worker=worker.pid, database=database)
                load_before = uptime_load()
                results, wall = drive(port, requests, CLIENTS, seconds)
                load_after = uptime_load()
                loadgen_after = cpu_snapshot(server=server.pid, worker=None, database="")["loadgen"]
                # The receipts of this setting's ballots delivered (or 20 s).
                delivered_by = time.perf_counter() + 20
                while (
                    OutgoingEmail.objects.filter(template="voting/email/receipt", status="pending")
                    .filter(user_id__in=[voters[i].pk for i in range(lo, hi)])
                    .exists()
                    and time.perf_counter() < delivered_by
                ):
                    time.sleep(0.25)
                cpu_after = cpu_snapshot(server=server.pid, worker=worker.pid, database=database)
                cpu_after["loadgen"] = loadgen_after  # not the wait for the receipts
            finally:
                stop(server)
            ok = [r for r in results if r[1] == 302]
            for index, status, _t in results:
                sent[lo + index] = status
            latencies = [r[2] for r in results]
            rows.append(
                {
                    "setting": label,
                    "reference_rps": len(ref) / ref_wall,
                    "sent": len(results),
                    "ok": len(ok),
                    "refused": len(results) - len(ok),
                    "rps": len(ok) / wall,
                    "p50": percentile(latencies, 0.50) * 1000,
                    "p95": percentile(latencies, 0.95) * 1000,
                    "p99": percentile(latencies, 0.99) * 1000,
                    "load": f"{load_before} → {load_after}",
                    "reference_cpu_ms": {k: ref_cpu[k] for k in ("gunicorn", "loadgen")},
                    "cpu_ms": cpu_per_ballot(
                        cpu_before, cpu_after, sum(1 for r in results if r[1] == 302)
                    ),
                }
            )
            print(rows[-1], flush=True)
        # Let the worker deliver the receipts, then check the database.
        deadline = time.perf_counter() + 30
        pending = OutgoingEmail.objects.filter(
            template="voting/email/receipt", status="pending", user_id__in=[v.pk for v in voters]
        )
        while pending.exists() and time.perf_counter() < deadline:
            time.sleep(0.5)
        undelivered = pending.count()
    finally:
        stop(worker)
    # Receipts still queued stay pending in the outbox (the sweep hands them
    # over again); the queue is emptied so that the publishing run below does
    # not wait behind them.
    jobs_run = queue.finished_job_registry.count + queue.failed_job_registry.count - setup_jobs
    queue.empty()
    voted = {voters[i].pk for i, status in sent.items() if status == 302}
    stored = list(Ballot.objects.filter(call=call).values_list("voter_id", flat=True))
    choices = BallotChoice.objects.filter(ballot__call=call).count()
    receipts = OutgoingEmail.objects.filter(
        template="voting/email/receipt", user_id__in=[v.pk for v in voters]
    ).count()
    audit = Event.objects.filter(
        action=events.BALLOT_CAST, object_id=str(call.pk), created_at__isnull=False
    ).count()
    check = {
        "answered_302": len(voted),
        "stored": len(stored),
        "lost": len(voted - set(stored)),
        "unexpected": len(set(stored) - voted),
        "doubled": len(stored) - len(set(stored)),
        "choices_ok": choices == 3 * len(stored),
        "receipts": receipts,
        "undelivered": undelivered,
        "audit": audit,
        "jobs_run": jobs_run,
    }
    print(check, flush=True)
    return {"rows": rows, "check": check}


# --- 3: publishing --------------------------------------------------------------------------


def bench_publishing(env: dict[str, str]) -> dict[str, float]:
    import io

    import django_rq
    import numpy as np
    from django.db import connection
    from django.utils import timezone

    from ciic.accounts.models import User
    from ciic.jobs import job_cancel
    from voting import services, tasks
    from voting.models import Ballot, BallotChoice, Result

    call, admin, proposals = setup_call("pub", days_ago=3)  # voting closed yesterday
    t_setup = time.perf_counter()
    voters = User.objects.bulk_create(
        [User(email=f"p-{RUN}-{i}@bench.invalid") for i in range(PUBLISH_BALLOTS)],
        batch_size=5000,
    )
    rng = np.random.default_rng(6)
    now = timezone.now() - dt.timedelta(days=3)  # during the vote
    ballots = Ballot.objects.bulk_create(
        [
            Ballot(
                call=call,
                voter=u,
                channel="online" if i % 10 else "paper",
                receipt_hash=secrets.token_hex(32),
                first_cast_at=now - dt.timedelta(minutes=i % 1440),
                cast_at=now,
                age_band=("18-29", "30-44", "45-64", "65+")[i % 4],
                zone_id=None,
            )
            for i, u in enumerate(voters)
        ],
        batch_size=5000,
    )
    weights = np.linspace(3, 1, len(proposals))
    weights /= weights.sum()
    buffer = io.StringIO()
    for b in ballots:
        for i in rng.choice(len(proposals), size=int(rng.integers(1, 6)), replace=False, p=weights):
            buffer.write(f"{b.pk}\t{proposals[int(i)].pk}\t1\n")
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {BallotChoice._meta.db_table} (ballot_id, proposal_id, points) FROM STDIN"
        ) as copy,
    ):
        copy.write(buffer.getvalue())
    choices = BallotChoice.objects.filter(ballot__call=call).count()
    # The close scheduled when voting opened is already due (this vote ended
    # yesterday): cancelled, so that the timed run below is the one that counts.
    job_cancel(f"voting-close:{call.pk}")
    print(f"publishing set-up: {time.perf_counter() - t_setup:.0f} s", flush=True)
    connection.close()
    worker = start_rqworker(env)
    try:
        # Not timed: the worker starts and delivers the set-up's emails first.
        drained = time.perf_counter() + 120
        queue = django_rq.get_queue("default")
        while (queue.count or queue.started_job_registry.count) and time.perf_counter() < drained:
            time.sleep(0.1)
        time.sleep(1)
        t0 = time.perf_counter()
        django_rq.get_queue("default").enqueue(tasks.voting_close_job, call.pk)
        while not Result.objects.filter(call=call).exists():
            time.sleep(0.02)
            if time.perf_counter() - t0 > 120:
                sys.exit(f"the close job did not finish in 120 s; rqworker:\n{worker_log(env)}")
        computed = time.perf_counter() - t0
        services.results_publish(actor=admin, call=call)
        total = time.perf_counter() - t0
    finally:
        stop(worker)
    result = Result.objects.get(call=call)
    if result.ballots_count != PUBLISH_BALLOTS or not result.is_published:
        sys.exit(f"unexpected result: {result.ballots_count} ballots, {result.status}")
    return {
        "ballots": PUBLISH_BALLOTS,
        "choices": choices,
        "compute_s": computed,
        "publish_s": total - computed,
        "total_s": total,
        "selected": sum(p["selected"] for u in result.units for p in u["projects"]),
    }


# --- one request under the profiler ---------------------------------------------------------


def _caster(call, proposals, sessions):  # type: ignore[no-untyped-def]
    """`cast(n)`: resident n's ballot through the test client, as the load sends
    it (url-encoded, with the CSRF cookie and token checked)."""
    import urllib.parse

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    token = secrets.token_hex(16)
    client.cookies["csrftoken"] = token

    def cast(n: int) -> None:
        client.cookies["sessionid"] = sessions[n]
        body = urllib.parse.urlencode(
            [("csrfmiddlewaretoken", token), ("revision", "0")]
            + [("choice", str(proposals[(n + j * 7) % PROJECTS].pk)) for j in range(3)]
        )
        response = client.post(
            f"/vote/{call.slug}/", body, content_type="application/x-www-form-urlencoded"
        )
        if response.status_code != 302:
            sys.exit(f"cast refused: {response.status_code}")

    return cast


def profile_one(casts: int = 120) -> None:
    """The queries of one cast, then the CPU time per cast (this process's
    own, the database's excluded) over `casts` casts, and where it goes."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call, _admin, proposals = setup_call("prof")
    voters = residents_bulk(casts + 1, tag="prof")
    sessions = sessions_bulk(voters)
    cast = _caster(call, proposals, sessions)

    cast(0)  # warms the caches (templates, translations, content types)
    with CaptureQueriesContext(connection) as queries:
        cast(1)
    print(f"--- one cast: {len(queries)} queries")
    for q in queries.captured_queries:
        print(f"  {q['sql'][:140]}")
    half = casts // 2
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for n in range(2, half):
        cast(n)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"--- {half - 2} casts in-process: "
        f"{cpu / (half - 2) * 1000:.1f} ms CPU, {wall / (half - 2) * 1000:.1f} ms wall each "
        f"(load {uptime_load()})"
    )
    profiler = cProfile.Profile(time.process_time)  # CPU, not the waits for the database
    profiler.enable()
    for n in range(half, casts + 1):
        cast(n)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if os.environ.get("PROFILE_DUMP"):
        stats.dump_stats(os.environ["PROFILE_DUMP"])
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(60)


def cpu_per_cast(casts: int = 300, rounds: int = 3) -> None:
    """CPU per cast, in-process (the test client, with the CSRF check and the
    same url-encoded body as the load): this process's CPU (`time.process_time`)
    and its PostgreSQL backend's (from /proc), over `rounds` rounds of `casts`
    casts. For A/B comparisons: run it interleaved for the old and the new code."""

    from django.db import connection

    call, _admin, proposals = setup_call("cpu")
    voters = residents_bulk(casts * rounds + 1, tag="cpu")
    sessions = sessions_bulk(voters)
    cast = _caster(call, proposals, sessions)

    cast(0)  # warms the caches (templates, translations, content types)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    for r in range(rounds):
        pg0, cpu0 = proc_cpu(backend), time.process_time()
        for n in range(1 + r * casts, 1 + (r + 1) * casts):
            cast(n)
        cpu, pg = time.process_time() - cpu0, proc_cpu(backend) - pg0
        print(
            f"cpu-per-cast round {r + 1}: python {cpu / casts * 1000:.2f} ms, "
            f"postgres {pg / casts * 1000:.2f} ms (load {uptime_load()})",
            flush=True,
        )
    # The receipts' delivery (the rqworker's part), per email.
    from ciic.notifications.models import OutgoingEmail
    from ciic.notifications.services import emails_deliver_fresh

    pending = OutgoingEmail.objects.filter(status="pending").count()
    pg0, cpu0 = proc_cpu(backend), time.process_time()
    sent = emails_deliver_fresh(seconds=600)
    cpu, pg = time.process_time() - cpu0, proc_cpu(backend) - pg0
    print(
        f"delivery of {sent} of {pending} pending: python {cpu / max(sent, 1) * 1000:.2f} ms, "
        f"postgres {pg / max(sent, 1) * 1000:.2f} ms per email",
        flush=True,
    )


# --- the report -----------------------------------------------------------------------------


def report(
    casting: dict[str, object], publishing: dict[str, float], seconds: float, whole: float
) -> str:
    rows = casting["rows"]
    check = casting["check"]
    assert isinstance(rows, list) and isinstance(check, dict)
    best = max(rows, key=lambda r: r["rps"])
    lines = [
        "## Voting: casting ballots and publishing results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {platform.machine()} / Python "
        f"{platform.python_version()} ({os.cpu_count()} cores, shared with the load generator, "
        "PostgreSQL, Redis, the rqworker and other sessions' work), "
        "`.venv/bin/python bench/voting.py --write`: production settings, loopback.",
        "",
        f"**Casting** (POST /vote/&lt;call&gt;/, approval ballot of 3 of {PROJECTS} projects, "
        f"each resident once, {CLIENTS} connections back to back for {seconds:.0f} s per "
        "setting; every cast checks eligibility, the residence zone and the identity hold in "
        "one query, then writes the ballot, its choices, the audit row and the receipt email "
        "in the outbox in one statement (4 statements in all, session and account included, "
        "once the process holds the opened call; `tests/voting/test_views.py` caps them), and "
        "the rqworker renders and delivers the receipts meanwhile, in batches). *Reference*: requests/s of a "
        "trivial answer through the same server and middleware (`/favicon.ico`), just before: "
        "the ceiling of the stack on the machine at that moment. *CPU per ballot*: milliseconds "
        "of CPU (user + system) per ballot of gunicorn (master and workers), the PostgreSQL "
        "backends of the benchmark's connections (and its WAL writer), the rqworker (with its work horses) and the "
        "load generator, from /proc before and after the load (the receipts' delivery "
        "included): unlike ballots/s it hardly moves with other sessions' load. 300 ballots/s "
        "on 2 cores leaves 6.7 ms per ballot in all.",
        "",
        "| gunicorn | ballots/s | p50 | p95 | p99 | ballots | refused | reference req/s | "
        "CPU per ballot: gunicorn / PostgreSQL / rqworker / load generator = total | "
        "load (1, 5, 15 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        cpu = r["cpu_ms"]
        lines.append(
            f"| {r['setting']} | {r['rps']:.0f} | {r['p50']:.0f} ms | {r['p95']:.0f} ms | "
            f"{r['p99']:.0f} ms | {r['ok']} | {r['refused']} | {r['reference_rps']:.0f} | "
            f"{cpu['gunicorn']:.1f} / {cpu['postgres'] + cpu['pg_aux']:.1f} / {cpu['rqworker']:.1f} / "
            f"{cpu['loadgen']:.1f} = **{cpu['total']:.1f} ms** | {r['load']} |"
        )
    lines += [
        "",
        f"Best: **{best['rps']:.0f} ballots/s, p95 {best['p95']:.0f} ms** ({best['setting']}); "
        "target ≥ 300 ballots/s with p95 < 200 ms. Checked in the database after the run: "
        f"{check['answered_302']} casts answered 302, {check['stored']} ballots stored, "
        f"{check['lost']} lost, {check['doubled']} doubled, {check['unexpected']} without a "
        f"302; every ballot with its 3 choices: {'yes' if check['choices_ok'] else 'NO'}; "
        f"{check['receipts']} receipt emails in the outbox ({check['undelivered']} still "
        f"pending 30 s after the load; {check['jobs_run']} delivery jobs in all); "
        f"{check['audit']} `ballot.cast` audit rows.",
        "",
        f"**Publishing {publishing['ballots']:,} ballots** ({publishing['choices']:,} choices, "
        "20 projects, Method of Equal Shares + add one, with greedy and equal shares for the "
        "comparison): the close job on a real rqworker, from handing it to Redis to its "
        f"result stored, **{publishing['compute_s']:.1f} s**; then the publish step "
        f"{publishing['publish_s']:.1f} s; end to end **{publishing['total_s']:.1f} s** "
        f"(target < 10 s); {publishing['selected']:.0f} projects selected.",
        "",
        f"The whole run, set-up included: {whole:.0f} s.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--cpu", type=int, default=0, help="only: CPU per cast in-process over N casts, 3 rounds"
    )
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8170")))
    parser.add_argument("--skip-publish", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-cast", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated numbers (from 1) of the gunicorn settings to measure; default all",
    )
    args = parser.parse_args()
    if args.only:
        chosen = [SETTINGS[int(n) - 1] for n in args.only.split(",")]
        SETTINGS[:] = chosen
    with tempfile.TemporaryDirectory(prefix="bench-voting-") as tmp_name:
        env = bench_env(Path(tmp_name))
        os.environ.update(env)
        started = time.perf_counter()
        install(env)
        import django

        django.setup()
        if args.profile:
            profile_one()
            return
        if args.cpu:
            cpu_per_cast(args.cpu)
            return
        casting = (
            bench_casting(env, args.port, args.seconds)
            if not args.skip_cast
            else {"rows": [], "check": {}}
        )
        publishing = (
            bench_publishing(env)
            if not args.skip_publish
            else {"ballots": 0, "choices": 0, "compute_s": 0, "publish_s": 0, "total_s": 0}
        )
        if args.skip_cast or args.skip_publish:
            print(casting, publishing)
            return
        whole = time.perf_counter() - started
        print(f"whole run {whole:.0f} s", flush=True)
    section = report(casting, publishing, args.seconds, whole)
    print(section)
    if args.write:
        from loadgen import write_section

        write_section("voting", section)


if __name__ == "__main__":
    main()
