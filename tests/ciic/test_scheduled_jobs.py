"""Scheduled jobs (`ciic.jobs.enqueue_at` / `enqueue_in` / `job_cancel`): they
run when due, once, even if Redis was down when they were scheduled or when
they fell due; a key moves or cancels them."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ciic.jobs import enqueue_at, enqueue_in, job_cancel
from ciic.jobs.models import ScheduledJob
from ciic.jobs.services import MAX_ATTEMPTS, scheduled_job_run
from ciic.jobs.sweep import sweep_forever
from ciic.notifications.models import OutgoingEmail
from ciic.notifications.services import email_queue
from tests.workers import run_rqworker, use_fake_redis

START = dt.datetime(2026, 6, 20, 9, 0, tzinfo=dt.UTC)
RUNS: list[tuple[object, ...]] = []


def record(*args: object) -> None:
    """A job: remembers its arguments (in this process)."""
    RUNS.append(args)


def leave_a_trace(label: str) -> None:
    """A job whose effect another process can see: an outbox row."""
    email_queue(to=["trace@example.org"], subject=label, body=label)


def fail_then_succeed(label: str) -> None:
    if sum(1 for run in RUNS if run == ("attempt", label)) < 2:
        RUNS.append(("attempt", label))
        raise RuntimeError("the mail server is down")
    RUNS.append(("done", label))


def always_fail() -> None:
    raise RuntimeError("broken for good")


@pytest.fixture(autouse=True)
def _clean():  # type: ignore[no-untyped-def]
    RUNS.clear()
    yield
    RUNS.clear()


def _sweep() -> None:
    call_command("jobs_sweep", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _row(key: str) -> ScheduledJob:
    return ScheduledJob.objects.get(key=key)


@pytest.mark.django_db(transaction=True)
def test_runs_when_due_once():
    with time_machine.travel(START, tick=False) as clock:
        enqueue_in(dt.timedelta(hours=1), record, 7, "seven", key="demo:7")
        _sweep()
        assert RUNS == []  # not due yet
        clock.shift(dt.timedelta(minutes=61))
        _sweep()
        _sweep()
        assert RUNS == [(7, "seven")]
        job = _row("demo:7")
        assert job.status == ScheduledJob.Status.DONE and job.done_at is not None
        assert job.attempts == 1
        assert scheduled_job_run(job_id=job.pk) is False  # a late duplicate does nothing
        assert RUNS == [(7, "seven")]


@pytest.mark.django_db(transaction=True)
def test_the_same_key_moves_the_job():
    """A workshop moved by a day: its reminder moves with it."""
    with time_machine.travel(START, tick=False) as clock:
        enqueue_at(START + dt.timedelta(hours=2), record, "old", key="workshop-reminder:42")
        enqueue_at(START + dt.timedelta(days=1), record, "new", key="workshop-reminder:42")
        assert ScheduledJob.objects.count() == 1
        clock.shift(dt.timedelta(hours=3))
        _sweep()
        assert RUNS == []  # not at the old time
        clock.shift(dt.timedelta(days=1))
        _sweep()
        assert RUNS == [("new",)]
        # Moved again after it ran: pending again, runs again at the new time.
        enqueue_at(START + dt.timedelta(days=3), record, "again", key="workshop-reminder:42")
        assert _row("workshop-reminder:42").status == ScheduledJob.Status.PENDING
        clock.shift(dt.timedelta(days=2))
        _sweep()
        assert RUNS == [("new",), ("again",)]


@pytest.mark.django_db(transaction=True)
def test_scheduling_the_same_thing_twice_changes_nothing():
    with time_machine.travel(START, tick=False):
        first = enqueue_at(START + dt.timedelta(hours=1), record, 1, key="k")
        second = enqueue_at(START + dt.timedelta(hours=1), record, 1, key="k")
    assert first.pk == second.pk and second.updated_at == first.updated_at


@pytest.mark.django_db(transaction=True)
def test_cancel():
    with time_machine.travel(START, tick=False) as clock:
        enqueue_in(dt.timedelta(minutes=5), record, "x", key="voting-close:3")
        assert job_cancel("voting-close:3") is True
        assert job_cancel("voting-close:3") is False  # nothing pending any more
        assert job_cancel("no-such-key") is False
        clock.shift(dt.timedelta(hours=1))
        _sweep()
    assert RUNS == [] and _row("voting-close:3").status == ScheduledJob.Status.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_scheduled_in_a_rolled_back_transaction_never_runs():
    with time_machine.travel(START, tick=False) as clock:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_in(dt.timedelta(minutes=1), record, "ghost", key="ghost")
            raise RuntimeError("the request failed")
        clock.shift(dt.timedelta(hours=1))
        _sweep()
    assert RUNS == [] and not ScheduledJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_due_at_once_runs_after_the_commit_in_process():
    with time_machine.travel(START, tick=False):
        with transaction.atomic():
            enqueue_at(START - dt.timedelta(seconds=1), record, "now")
            assert RUNS == []
        assert RUNS == [("now",)]


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_retried_with_pauses_and_its_writes_roll_back():
    with time_machine.travel(START, tick=False) as clock:
        enqueue_at(START, fail_then_succeed, "mail", key="retry")
        job = _row("retry")
        assert job.attempts == 1 and job.status == ScheduledJob.Status.PENDING
        assert "mail server is down" in job.last_error
        _sweep()  # the pause after a failure has not passed
        assert _row("retry").attempts == 1
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        _sweep()
        assert _row("retry").attempts == 2
        clock.shift(dt.timedelta(minutes=1))
        _sweep()
        assert _row("retry").attempts == 2  # the second pause is two minutes
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        _sweep()
    job = _row("retry")
    assert job.status == ScheduledJob.Status.DONE and job.attempts == 3
    assert RUNS[-1] == ("done", "mail")


@pytest.mark.django_db(transaction=True)
def test_a_job_that_always_fails_ends_as_failed():
    with time_machine.travel(START, tick=False) as clock:
        enqueue_at(START + dt.timedelta(minutes=1), always_fail, key="broken")
        for _ in range(MAX_ATTEMPTS + 2):
            clock.shift(dt.timedelta(hours=1))
            _sweep()
    job = _row("broken")
    assert job.status == ScheduledJob.Status.FAILED and job.attempts == MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_a_jobs_writes_and_its_done_mark_are_one_transaction():
    """A job that queues an email and then fails leaves no email behind."""
    with time_machine.travel(START, tick=False):
        enqueue_at(START, leave_a_trace_then_fail, key="half")
    assert not OutgoingEmail.objects.exists()
    assert _row("half").status == ScheduledJob.Status.PENDING


def leave_a_trace_then_fail() -> None:
    leave_a_trace("half")
    raise RuntimeError("after the write")


@pytest.mark.django_db
def test_what_cannot_be_scheduled():
    when = START
    with pytest.raises(ValueError, match="aware"):
        enqueue_at(when.replace(tzinfo=None), record)
    with pytest.raises(ValueError, match="module-level"):
        enqueue_at(when, lambda: None)
    with pytest.raises(TypeError, match="JSON"):
        enqueue_at(when, record, object())


@pytest.mark.django_db(transaction=True)
def test_redis_down_when_scheduled_and_when_due_the_sweep_runs_it_on_time(settings, monkeypatch):
    """The close of a vote is scheduled while Redis is down, and Redis is
    still down at the end time: the sweep (cron, every few minutes) runs it."""
    server = use_fake_redis(monkeypatch, settings)
    server.connected = False
    settings.JOBS_IN_PROCESS = False
    settings.SCHEDULED_JOBS_GRACE_SECONDS = 120
    end = START + dt.timedelta(days=10)
    with time_machine.travel(START, tick=False) as clock:
        enqueue_at(end, record, "close", 3, key="voting-close:3")  # Redis refused it
        clock.move_to(end + dt.timedelta(seconds=30))
        _sweep()
        assert RUNS == []  # RQ's scheduler gets its chance first
        clock.move_to(end + dt.timedelta(minutes=3))
        _sweep()
    assert RUNS == [("close", 3)]
    assert _row("voting-close:3").status == ScheduledJob.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_with_redis_the_job_goes_to_rqs_scheduler(settings, monkeypatch):
    import django_rq
    from rq import SimpleWorker
    from rq.registry import ScheduledJobRegistry

    use_fake_redis(monkeypatch, settings)
    settings.JOBS_IN_PROCESS = False
    when = timezone.now() + dt.timedelta(hours=1)
    job = enqueue_at(when, record, "rq", key="rq:1")
    queue = django_rq.get_queue("default")
    registry = ScheduledJobRegistry(queue=queue)
    (rq_job_id,) = registry.get_job_ids()
    # RQ's scheduler puts it on the queue when due; a worker runs it then.
    queue.enqueue_job(queue.fetch_job(rq_job_id))
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert RUNS == []  # early (the row is the truth): nothing ran
    ScheduledJob.objects.filter(pk=job.pk).update(run_at=timezone.now())
    queue.enqueue_job(queue.fetch_job(rq_job_id))
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert RUNS == [("rq",)] and _row("rq:1").status == ScheduledJob.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_the_sweep_loop_of_the_development_server(settings):
    """`make run` has no cron: runserver runs this loop in a thread (see
    ciic/jobs/management/commands/runserver.py)."""
    import threading

    from ciic.jobs.management.commands.runserver import Command

    stop = threading.Event()
    settings.JOB_SWEEPS = ["ciic.jobs.tasks.scheduled_jobs_run_due"]
    enqueue_at(timezone.now() + dt.timedelta(days=-1), record, "late")  # ran after commit
    ScheduledJob.objects.update(  # as if it had not run
        status=ScheduledJob.Status.PENDING, attempts=0, last_attempt_at=None, done_at=None
    )
    RUNS.clear()
    reports: list[str] = []

    def report(line: str) -> None:
        reports.append(line)
        stop.set()

    sweep_forever(0.01, report=report, stop=stop)
    assert RUNS == [("late",)] and reports == ["ciic.jobs.tasks.scheduled_jobs_run_due: 1"]
    assert Command.help  # the command exists and is Django's runserver underneath


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_with_rqs_scheduler_runs_the_job_when_due(settings):
    """End to end: a job scheduled a moment ahead in the real Redis is run by
    `manage.py rqworker --with-scheduler` in another process."""
    redis_url = os.environ["REDIS_URL"]
    settings.JOBS_IN_PROCESS = False
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    import django_rq
    from rq.registry import ScheduledJobRegistry

    queue = django_rq.get_queue("default")
    queue.empty()
    for job_id in ScheduledJobRegistry(queue=queue).get_job_ids():
        ScheduledJobRegistry(queue=queue).remove(job_id, delete_job=True)
    enqueue_in(dt.timedelta(seconds=1), leave_a_trace, "from the scheduler", key="real:1")
    assert not OutgoingEmail.objects.exists()
    time.sleep(1.5)  # let it fall due (a real clock: the worker is another process)

    result = run_rqworker("--with-scheduler", REDIS_URL=redis_url, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _row("real:1").status == ScheduledJob.Status.DONE, result.stderr[-2000:]
    assert OutgoingEmail.objects.filter(subject="from the scheduler").exists()
