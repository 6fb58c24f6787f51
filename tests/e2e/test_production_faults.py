"""Issue 16, faults, on the production stack (tests/e2e/stack.py): the mail
server refusing connections for an hour, Redis stopped during voting, the
worker killed in the middle of the results job, PostgreSQL connections cut
under load. The stack's clock moves where the fault lasts a while."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.serverproc import free_port

from .smtp_sink import SmtpSink
from .stack import REPO, log_in, submit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

SIGNUPS = ("ana.mail@example.org", "bogdan.mail@example.org", "carmen.mail@example.org")


def _sign_up(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", "Parc-Drumul-Taberei-2026")
    page.fill("input[name=password2]", "Parc-Drumul-Taberei-2026")
    submit(page)


def test_mail_server_refusing_connections_for_an_hour(browser, stack_factory, home_page):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from ciic.notifications.models import OutgoingEmail
    from cms.legal_pages import legal_pages_ensure

    legal_pages_ensure()
    # A port held but not listening: connections to it are refused.
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    port = held.getsockname()[1]
    stack = stack_factory(
        OUTBOX_DELIVERY_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
    )
    for email in SIGNUPS:
        _sign_up(stack.page(browser), email)
    rows = OutgoingEmail.objects.filter(to__0__in=SIGNUPS)
    assert rows.count() == 3

    # An hour of refused connections; cron runs the sweep every five minutes.
    start = timezone.now()
    stack.clock(start)
    stack.worker()
    assert {r.status for r in rows.all()} == {"pending"}
    assert all(r.attempts == 1 and "refused" in r.last_error.lower() for r in rows.all())
    stack.cron(*(start + dt.timedelta(minutes=m) for m in range(5, 65, 5)))
    assert {r.status for r in rows.all()} == {"pending"}, [
        (r.status, r.attempts) for r in rows.all()
    ]
    assert all(r.attempts > 1 for r in rows.all())  # retried during the hour

    # The mail server is back: the next hour's sweeps deliver everything, once
    # (the later ones sending nothing again).
    held.close()
    sink = SmtpSink(port)
    try:
        stack.cron(*(start + dt.timedelta(minutes=m) for m in range(65, 140, 5)))
        assert {r.status for r in rows.all()} == {"sent"}
        received = Counter(str(m["To"]) for m in sink.parsed())
        assert received == Counter(SIGNUPS), received
    finally:
        sink.stop()


class OwnRedis:
    """A throwaway redis-server of this test (never the shared one), which
    the test stops and starts again on the same port."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.root = root
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - the system's redis-server
            [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1",
             "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        for _ in range(100):
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def own_redis(tmp_path):  # type: ignore[no-untyped-def]
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis(tmp_path)
    yield server
    server.stop()


def _open_voting(stack, voting_call) -> None:  # type: ignore[no-untyped-def]
    """The rule is set; the voting day comes and cron opens voting."""
    from proposals.models import LOCAL_TZ
    from voting.models import BallotRule
    from voting.services import ballot_rule_set

    ballot_rule_set(
        actor=voting_call["admin"], call=voting_call["call"], kind="knapsack",
        counting_rule="mes", completion="add1",
    )  # fmt: skip
    stack.clock(dt.datetime.combine(voting_call["voting_day"], dt.time(8), LOCAL_TZ))
    stack.cron()
    assert BallotRule.objects.get(call=voting_call["call"]).locked


def test_redis_stopped_during_voting(browser, stack_factory, own_redis, voting_call):  # type: ignore[no-untyped-def]
    from ciic.notifications.models import OutgoingEmail
    from proposals.models import LOCAL_TZ
    from voting.models import Ballot

    from .production_data import VOTERS

    stack = stack_factory(redis_url=own_redis.url)
    call, proposals = voting_call["call"], voting_call["proposals"]
    _open_voting(stack, voting_call)
    first = stack.page(browser)
    log_in(first, VOTERS[0])  # one voter logged in before the outage, two during it

    own_redis.stop()
    receipts = []
    for n, email in enumerate(VOTERS):
        page = first if n == 0 else stack.page(browser)
        if n:
            log_in(page, email)
        page.goto(f"/vote/{call.slug}/")
        page.check(f"input[name=choice][value='{proposals[n].pk}']")
        submit(page, "form.ballot-form [type=submit]")
        assert "/done/" in page.url, page.url
        receipts.append(page.locator("main .receipt-code").inner_text().strip())
        stack.shot(page, f"ballot-during-the-outage-{n + 1}")
    assert Ballot.objects.filter(call=call).count() == 3
    mails = OutgoingEmail.objects.filter(template="voting/email/receipt")
    assert mails.count() == 3 and {m.status for m in mails} == {"pending"}

    # Redis is back: the next cron run hands the receipts over and they go out, once.
    own_redis.start()
    voting_day = voting_call["voting_day"]
    stack.cron(*(dt.datetime.combine(voting_day, dt.time(8, m), LOCAL_TZ) for m in (30, 45)))
    assert {m.status for m in mails.all()} == {"sent"}
    for email, code in zip(VOTERS, receipts, strict=True):
        assert len([m for m in stack.mail_to(email) if code in m["body"]]) == 1


def _cast_ballots(voting_call) -> None:  # type: ignore[no-untyped-def]
    """Three ballots, cast through the service on the voting day."""
    import time_machine

    from proposals.models import LOCAL_TZ
    from voting.models import Channel
    from voting.services import ballot_cast

    park, library, benches, lights = voting_call["proposals"]
    when = dt.datetime.combine(voting_call["voting_day"], dt.time(10), LOCAL_TZ)
    with time_machine.travel(when, tick=False):
        for voter, chosen in zip(
            voting_call["voters"], [(park, library), (park, benches, lights), (library, lights)],
            strict=True,
        ):  # fmt: skip
            ballot_cast(
                actor=voter, call=voting_call["call"], voter=voter,
                choices={p.pk: 1 for p in chosen}, channel=Channel.ONLINE,
            )  # fmt: skip


def _outcome(result) -> list[tuple[str, bool, int, int]]:  # type: ignore[no-untyped-def]
    return [
        (p["reference"], p["selected"], p["votes"], p["points"])
        for unit in result.units
        for p in unit["projects"]
    ]


def _kill_worker(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILL an rqworker and its work horses (RQ puts each horse in its own
    process group, so the worker's group alone would leave them running)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == worker.pid:  # the parent's pid
            children.append(int(stat.parent.name))
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def test_worker_killed_in_the_middle_of_the_results_job(stack, voting_call):  # type: ignore[no-untyped-def]
    import time_machine
    from django.db import connection, transaction
    from django.utils import timezone

    from ciic.audit import events
    from ciic.audit.models import Event
    from ciic.jobs import queue_put
    from ciic.jobs.models import ScheduledJob
    from proposals.models import LOCAL_TZ, Proposal
    from voting import tasks
    from voting.models import Result
    from voting.services import results_compute, results_publish

    call = voting_call["call"]
    _open_voting(stack, voting_call)
    _cast_ballots(voting_call)
    after_close = dt.datetime.combine(
        voting_call["voting_day"] + dt.timedelta(days=1), dt.time(0, 5), LOCAL_TZ
    )
    stack.clock(after_close)

    # The worker takes the close job and computes; as it writes the result, it
    # waits on a row this test holds; then it is killed (SIGKILL, horse and all).
    log = stack.root / "killed-worker.log"
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "-m", "tests.e2e.clock", "manage.py", "rqworker", "--burst",
         "--with-scheduler", "default"],
        cwd=REPO, env=stack.env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        with transaction.atomic():
            Result.objects.create(call=call, computed_at=timezone.now())
            for _ in range(600):
                with connection.cursor() as cursor:
                    # pg_stat_activity is a snapshot per transaction: a fresh one each time.
                    cursor.execute("SELECT pg_stat_clear_snapshot()")
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"voting_result\"%%'"
                    )
                    if cursor.fetchone()[0]:
                        break
                time.sleep(0.2)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT state, wait_event_type, left(query, 80) FROM pg_stat_activity"
                        " WHERE datname = current_database()"
                    )
                    activity = cursor.fetchall()
                pytest.fail(f"the worker never wrote the result: {activity}\n{log.read_text()}")
            _kill_worker(worker)
            transaction.set_rollback(True)
    finally:
        if worker.poll() is None:
            _kill_worker(worker)
    for _ in range(300):  # the orphaned backend notices its client is gone
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND query LIKE 'INSERT INTO \"voting_result\"%%' AND pid <> pg_backend_pid()"
                " AND state <> 'idle'"
            )
            if not cursor.fetchone()[0]:
                break
        time.sleep(0.2)

    # Nothing of the killed run remains: no result, the job still pending.
    assert not Result.objects.filter(call=call).exists()
    job = ScheduledJob.objects.get(key=f"voting-close:{call.pk}")
    assert job.status == ScheduledJob.Status.PENDING
    assert not Event.objects.filter(action=events.VOTING_RESULTS_COMPUTED).exists()

    # Cron, a few minutes later, runs it again on a new worker.
    stack.clock(after_close + dt.timedelta(minutes=10))
    stack.cron()
    job.refresh_from_db()
    assert job.status == ScheduledJob.Status.DONE
    result = Result.objects.get(call=call)
    first = _outcome(result)
    assert result.ballots_count == 3 and any(selected for _r, selected, _v, _p in first)

    # Computed again, the result is identical.
    with time_machine.travel(after_close + dt.timedelta(minutes=20), tick=False):
        again = results_compute(actor=voting_call["admin"], call=call)
        assert _outcome(again) == first
        published = results_publish(actor=voting_call["admin"], call=call)
        results_publish(actor=voting_call["admin"], call=call)  # a second click
    # The close job handed to the worker once more (a lost acknowledgement).
    queue_put(tasks.voting_close_job, (call.pk,), {})
    stack.clock(after_close + dt.timedelta(minutes=30))
    stack.cron()
    result = Result.objects.get(call=call)
    assert result.status == Result.Status.PUBLISHED
    assert result.published_at == published.published_at and _outcome(result) == first
    assert Event.objects.filter(action=events.VOTING_RESULTS_PUBLISHED).count() == 1
    selected = {r for r, sel, _v, _p in first if sel}
    assert (
        set(
            Proposal.objects.filter(call=call, status=Proposal.Status.SELECTED).values_list(
                "reference", flat=True
            )
        )
        == selected
    )


def _ballot_post(base: str, cookie: str, path: str, choices: list[int]) -> tuple[int, str]:
    """Load the ballot page (its CSRF token and revision), then cast."""
    import re

    import requests

    headers = {"Cookie": cookie, "Referer": f"{base}{path}"}
    page = requests.get(f"{base}{path}", headers=headers, timeout=60)
    if page.status_code != 200:
        return page.status_code, page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert token and revision, page.text[:2000]
    data = [("csrfmiddlewaretoken", token.group(1)), ("revision", revision.group(1))]
    data += [("choice", str(pk)) for pk in choices]
    done = requests.post(
        f"{base}{path}", data=data, headers=headers, allow_redirects=False, timeout=60
    )
    return done.status_code, done.text


def test_postgresql_connections_cut_under_load(browser, stack, voting_call):  # type: ignore[no-untyped-def]
    """What a restart of PostgreSQL does to the site (the shared server is not
    restarted: every connection to this test's database is terminated, five
    times, while requests run): requests fail with the clean error page or
    succeed, the site recovers, and no ballot is half-written."""
    import threading

    import requests
    from django.db import connection

    from voting.models import Ballot, BallotChoice

    from .production_data import VOTERS

    call, proposals = voting_call["call"], voting_call["proposals"]
    _open_voting(stack, voting_call)
    cookies = []
    for email in VOTERS:
        page = stack.page(browser)
        log_in(page, email)
        cookies.append("; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies()))
    path = f"/vote/{call.slug}/"
    sets = [[p.pk for p in proposals[i : i + 2]] for i in range(3)]
    answers: list[tuple[str, int, str]] = []
    stop = threading.Event()

    def visitor() -> None:
        while not stop.is_set():
            for url in ("/", "/proposals/", "/results/", f"/proposals/{proposals[0].reference}/"):
                r = requests.get(f"{stack.url}{url}", timeout=60)
                answers.append((url, r.status_code, r.text))

    def voter(n: int) -> None:
        k = 0
        while not stop.is_set():
            status, text = _ballot_post(stack.url, cookies[n], path, sets[(n + k) % 3])
            answers.append((path, status, text))
            k += 1

    threads = [threading.Thread(target=visitor) for _ in range(3)]
    threads += [threading.Thread(target=voter, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    terminated = 0
    try:
        for _ in range(5):
            time.sleep(1.5)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                terminated += cursor.fetchone()[0]
        time.sleep(1.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert terminated >= 5, terminated  # connections were cut

    statuses = Counter(status for _u, status, _t in answers)
    print("answers under the cuts:", dict(statuses), "connections terminated:", terminated)
    assert set(statuses) <= {200, 302, 400, 500}, statuses
    for url, status, text in answers:
        if status == 500:  # the clean page, never a traceback or a blank answer
            assert "Something went wrong" in text and "Traceback" not in text, (url, text[:500])
    assert statuses[200] + statuses[302] > statuses[500], statuses

    # The site has recovered: every page answers, every voter can vote.
    for url in ("/", "/proposals/", "/results/", path):
        assert requests.get(f"{stack.url}{url}", timeout=60).status_code == 200, url
    for n in range(3):
        status, _text = _ballot_post(stack.url, cookies[n], path, sets[n])
        assert status == 302, status

    # No ballot half-written: one per voter, each with exactly the choices of one cast.
    ballots = Ballot.objects.filter(call=call)
    assert ballots.count() == 3
    for n, ballot in enumerate(ballots.order_by("voter__email")):
        chosen = sorted(
            BallotChoice.objects.filter(ballot=ballot).values_list("proposal_id", flat=True)
        )
        assert chosen == sorted(sets[n]), (ballot.voter.email, chosen)
