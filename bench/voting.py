"""Voting benchmarks on PostgreSQL (not a test; loopback only, bounded).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ciic_voting_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/voting.py [--write]

1. Casting: gunicorn (2 workers, port 8170) in front of PostgreSQL; N residents,
   each with a logged-in session (made directly in the session store: logging
   400 accounts in through allauth would measure allauth), POST their ballot to
   /vote/<call>/ from 16 client threads at once. Reports ballots/s and latency
   percentiles, and checks that the database holds exactly one ballot each.
2. Publishing: 50,000 ballots (inserted in bulk: the set-up, not what is
   measured), then the close job (in this process, not yet on an rqworker: the
   tally of every budget and the Pabulib file), then the administrator's
   publish step.

With --write the figures replace the voting section of BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciic.settings.dev")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("set DATABASE_URL to a PostgreSQL database (it is migrated and filled)")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

PORT = 8170
RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "400"))
CLIENTS = 16
PUBLISH_BALLOTS = 50_000


def _setup_call():  # type: ignore[no-untyped-def]
    """A call whose voting phase is open today, 20 proposals on the ballot."""
    from ciic.accounts.models import Role
    from proposals.models import Call, Category, Proposal
    from proposals.services import call_create, proposal_transition
    from tests.factories import staff_user
    from tests.proposals.conftest import make_submitted
    from voting import services

    slug = f"bench-{secrets.token_hex(3)}"
    today = timezone.localdate()
    sub = today - dt.timedelta(days=60)
    with time_machine.travel(timezone.now() - dt.timedelta(days=61), tick=False):
        call = call_create(
            actor=None,
            name=f"Bench {slug}",
            slug=slug,
            year=2100 + int(secrets.token_hex(1), 16),
            total_budget=Decimal("5000000"),
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
    admin = staff_user(Role.ADMINISTRATOR)
    authors = [_resident() for _ in range(4)]
    proposals = []
    with time_machine.travel(timezone.now() - dt.timedelta(days=50), tick=False):
        for i in range(20):
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
    with time_machine.travel(timezone.now() - dt.timedelta(days=20), tick=False):
        for p in proposals:
            p = proposal_transition(actor=admin, proposal=p, to_status="under_assessment")
            proposal_transition(actor=admin, proposal=p, to_status="eligible")
    with time_machine.travel(timezone.now() - dt.timedelta(days=2), tick=False):
        services.ballot_rule_set(
            actor=admin, call=call, kind="approval", max_choices=5, counting_rule="greedy"
        )
    services.voting_open(actor=admin, call=call)
    return call, admin, list(Proposal.objects.filter(call=call, status="on_ballot"))


_serial = iter(range(10_000_000))
_desk: list[object] = []


def _resident():  # type: ignore[no-untyped-def]
    from ciic.accounts.models import Role
    from tests.factories import staff_user, verified_resident

    if not _desk:
        _desk.append(staff_user(Role.FACILITATOR))
    n = next(_serial)
    born = dt.date(1950 + n % 50, n % 12 + 1, n % 28 + 1)
    with time_machine.travel(timezone.now() - dt.timedelta(days=100), tick=False):
        user, _v, _c = verified_resident(born=born, serial=(n // 1000) % 1000, actor=_desk[0])
    return user


def _session(user) -> str:  # type: ignore[no-untyped-def]
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def bench_casting() -> dict[str, float]:
    call, _admin, proposals = _setup_call()
    voters = [_resident() for _ in range(RESIDENTS)]
    sessions = [_session(v) for v in voters]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ciic.settings.dev", "JOBS_IN_PROCESS": "false"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "ciic.wsgi", "-w", "2", "-b", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/results/", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        url = f"http://127.0.0.1:{PORT}/vote/{call.slug}/"

        def lane(k: int) -> None:
            for n in range(k, RESIDENTS, CLIENTS):
                token = secrets.token_hex(16)
                picks = [proposals[(n + j) % len(proposals)].pk for j in range(3)]
                body = urllib.parse.urlencode(
                    [("csrfmiddlewaretoken", token), ("revision", "0")]
                    + [("choice", str(p)) for p in picks]
                ).encode()
                req = urllib.request.Request(url, data=body, method="POST")  # noqa: S310
                req.add_header("Cookie", f"sessionid={sessions[n]}; csrftoken={token}")
                req.add_header("Referer", url)
                req.add_header("Content-Type", "application/x-www-form-urlencoded")
                t0 = time.perf_counter()
                try:

                    class NoRedirect(urllib.request.HTTPRedirectHandler):
                        def redirect_request(self, *a, **kw):  # type: ignore[no-untyped-def]
                            return None

                    opener = urllib.request.build_opener(NoRedirect)
                    status = opener.open(req, timeout=30).status
                except urllib.error.HTTPError as exc:
                    status = exc.code
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)
                    if status != 302:
                        failures.append(str(status))

        threads = [threading.Thread(target=lane, args=(k,)) for k in range(CLIENTS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)
    from voting.models import Ballot

    stored = Ballot.objects.filter(call=call).count()
    q = statistics.quantiles(latencies, n=100)
    return {
        "ballots": RESIDENTS,
        "failures": len(failures),
        "stored": stored,
        "per_second": RESIDENTS / wall,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
    }


def bench_publishing() -> dict[str, float]:
    import numpy as np

    from ciic.accounts.models import User
    from voting import services, tasks
    from voting.models import Ballot, BallotChoice, Channel

    call, admin, proposals = _setup_call()
    rng = np.random.default_rng(6)
    users = User.objects.bulk_create(
        [User(email=f"b{secrets.token_hex(6)}@bench.invalid") for _ in range(PUBLISH_BALLOTS)],
        batch_size=5000,
    )
    now = timezone.now()
    ballots = Ballot.objects.bulk_create(
        [
            Ballot(
                call=call,
                voter=u,
                channel=Channel.ONLINE,
                receipt_hash=secrets.token_hex(32),
                first_cast_at=now,
                cast_at=now,
                age_band="30-44",
            )
            for u in users
        ],
        batch_size=5000,
    )
    weights = np.linspace(2, 1, len(proposals))
    weights /= weights.sum()
    BallotChoice.objects.bulk_create(
        [
            BallotChoice(ballot=b, proposal_id=proposals[int(i)].pk)
            for b in ballots
            for i in rng.choice(len(proposals), size=3, replace=False, p=weights)
        ],
        batch_size=10000,
    )
    close = timezone.now() + dt.timedelta(days=2)
    with time_machine.travel(close, tick=True):
        t0 = time.perf_counter()
        tasks.voting_close_job(call.pk)
        computed = time.perf_counter() - t0
        services.results_publish(actor=admin, call=call)
        total = time.perf_counter() - t0
    return {"ballots": PUBLISH_BALLOTS, "compute_s": computed, "total_s": total}


def main() -> None:
    call_command("migrate", "-v0")
    casting = bench_casting()
    publishing = bench_publishing()
    lines = [
        "## Voting",
        "",
        f"`python bench/voting.py` on {platform.machine()}, {os.cpu_count()} CPUs, PostgreSQL, "
        "loopback.",
        "",
        f"- Casting: {casting['ballots']} residents, {CLIENTS} clients at once against gunicorn "
        f"(2 workers): **{casting['per_second']:.0f} ballots/s**, latency p50 "
        f"{casting['p50_ms']:.0f} ms, p95 {casting['p95_ms']:.0f} ms, p99 {casting['p99_ms']:.0f} ms; "
        f"{casting['failures']} refused, {casting['stored']} ballots stored (one each).",
        f"- Publishing {publishing['ballots']:,} ballots: tally and Pabulib file "
        f"{publishing['compute_s']:.1f} s, with the publish step {publishing['total_s']:.1f} s.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if "--write" in sys.argv:
        path = ROOT / "BENCHMARKS.md"
        old = path.read_text(encoding="utf-8")
        if "## Voting" in old:
            old = re.sub(r"## Voting\n.*?(?=\n## |\Z)", text, old, flags=re.S)
        else:
            old = old.rstrip("\n") + "\n\n" + text
        path.write_text(old, encoding="utf-8")


if __name__ == "__main__":
    main()
