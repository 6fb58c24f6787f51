"""Mail sent in bursts (a receipt per ballot) is delivered in batches: one
job for everything committed before it started (`ciic.jobs.enqueue_coalesced`),
one connection to the mail server per batch, nothing sent twice, nothing
lost when the mail server or Redis is down."""

import pytest
from django.core import mail
from django.db import transaction

from ciic.jobs import coalesced_started, enqueue_coalesced
from ciic.notifications.models import OutgoingEmail
from ciic.notifications.services import email_queue, emails_deliver_fresh
from ciic.notifications.tasks import OUTBOX_BATCH, emails_deliver_batch
from tests.workers import use_fake_redis

pytestmark = pytest.mark.django_db(transaction=True)


class CountingBackend:
    """locmem, counting the connections opened."""

    opened = 0

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from django.core.mail.backends.locmem import EmailBackend

        self.inner = EmailBackend()

    def open(self):  # type: ignore[no-untyped-def]
        type(self).opened += 1
        return True

    def close(self):  # type: ignore[no-untyped-def]
        pass

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        return self.inner.send_messages(messages)


class RefusingBackend(CountingBackend):
    def open(self):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("connection refused")


class FailingSecondBackend(CountingBackend):
    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        if len(mail.outbox) >= 1:
            raise OSError("the server hung up")
        return self.inner.send_messages(messages)


def _queued(n: int, *, batched: bool = True) -> list[OutgoingEmail]:
    rows = []
    with transaction.atomic():
        for i in range(n):
            rows.append(
                email_queue(
                    to=[f"r{i}@example.org"], subject=f"Chitanță {i}", body="cod", batched=batched
                )
            )
    return rows


def _redis_jobs(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.JOBS_IN_PROCESS = False
    settings.OUTBOX_BATCH_SETTLE_SECONDS = 0
    use_fake_redis(monkeypatch, settings)
    import django_rq

    return django_rq.get_queue("default")


def test_a_burst_of_commits_queues_one_job_which_delivers_them_all(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.OUTBOX_DELIVERY_BACKEND = "tests.ciic.test_outbox_batches.CountingBackend"
    CountingBackend.opened = 0
    queue = _redis_jobs(settings, monkeypatch)
    for _ in range(5):  # five transactions, e.g. five ballots
        _queued(1)
    assert queue.count == 1
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    rows = OutgoingEmail.objects.all()
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}
    assert len(mail.outbox) == 5 and CountingBackend.opened == 1
    # The job has started (and finished): the next commit queues another run.
    _queued(1)
    assert queue.count == 1


def test_work_committed_after_the_job_started_queues_the_next_run(settings, monkeypatch):  # type: ignore[no-untyped-def]
    queue = _redis_jobs(settings, monkeypatch)
    _queued(1)
    assert queue.count == 1
    coalesced_started(OUTBOX_BATCH)  # what the queued job does first
    _queued(1)  # committed after that: this run may not see it, so another is queued
    assert queue.count == 2
    _queued(1)  # still queued and not started: nothing more
    assert queue.count == 2


def test_redis_down_the_message_waits_for_the_sweep(settings, monkeypatch):  # type: ignore[no-untyped-def]
    server = use_fake_redis(monkeypatch, settings)
    settings.JOBS_IN_PROCESS = False
    server.connected = False
    _queued(2)  # the commit does not fail
    assert {r.status for r in OutgoingEmail.objects.all()} == {"pending"}
    server.connected = True
    import datetime as dt

    from ciic.notifications.services import emails_pending_ids

    later = dt.timedelta(minutes=-3)  # the sweep's look two minutes on
    assert len(emails_pending_ids(older_than=later)) == 2


def test_in_process_the_batch_runs_after_the_commit(settings):  # type: ignore[no-untyped-def]
    _queued(3)
    assert {r.status for r in OutgoingEmail.objects.all()} == {"sent"}
    assert len(mail.outbox) == 3


def test_nothing_is_sent_twice_and_tried_messages_are_left_to_the_sweep(settings):  # type: ignore[no-untyped-def]
    settings.JOBS_IN_PROCESS = False
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 5}}
    rows = _queued(3)
    OutgoingEmail.objects.filter(pk=rows[0].pk).update(attempts=1, last_error="refused")
    assert emails_deliver_fresh() == 2
    assert emails_deliver_fresh() == 0
    assert emails_deliver_batch() == 0
    assert len(mail.outbox) == 2
    assert OutgoingEmail.objects.get(pk=rows[0].pk).status == "pending"  # the sweep's


def test_mail_server_refusing_every_message_of_the_batch_counts_a_try(settings):  # type: ignore[no-untyped-def]
    settings.JOBS_IN_PROCESS = False
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 5}}
    settings.OUTBOX_DELIVERY_BACKEND = "tests.ciic.test_outbox_batches.RefusingBackend"
    _queued(3)
    assert emails_deliver_fresh() == 0
    rows = OutgoingEmail.objects.all()
    assert {r.status for r in rows} == {"pending"} and {r.attempts for r in rows} == {1}
    assert all("refused" in r.last_error for r in rows)
    assert emails_deliver_fresh() == 0  # no retry at once: the sweep's pause applies
    assert {r.attempts for r in OutgoingEmail.objects.all()} == {1}


def test_a_failure_in_the_middle_stops_the_batch(settings):  # type: ignore[no-untyped-def]
    settings.JOBS_IN_PROCESS = False
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 5}}
    settings.OUTBOX_DELIVERY_BACKEND = "tests.ciic.test_outbox_batches.FailingSecondBackend"
    rows = _queued(3)
    assert emails_deliver_fresh() == 1
    got = {r.pk: r for r in OutgoingEmail.objects.all()}
    assert got[rows[0].pk].status == "sent"
    assert got[rows[1].pk].status == "pending" and got[rows[1].pk].attempts == 1
    assert "hung up" in got[rows[1].pk].last_error
    assert got[rows[2].pk].attempts == 0  # not tried: the next run (or the sweep) sends it
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert emails_deliver_fresh() == 1
    assert len(mail.outbox) == 2


def test_enqueue_coalesced_outside_a_transaction_runs_at_once(settings):  # type: ignore[no-untyped-def]
    ran = []
    enqueue_coalesced(lambda: ran.append(1), key="test")
    assert ran == [1]


def test_within_half_the_settle_of_a_queued_run_commits_send_redis_nothing(settings, monkeypatch):  # type: ignore[no-untyped-def]
    import ciic.jobs

    queue = _redis_jobs(settings, monkeypatch)
    settings.OUTBOX_BATCH_SETTLE_SECONDS = 2.0
    monkeypatch.setattr(ciic.jobs, "_COALESCED_COVERED", {})
    clock = [1_000_000.0]
    monkeypatch.setattr(ciic.jobs, "_wall_clock", lambda: clock[0])
    asked = []
    real_queue = ciic.jobs._rq_queue
    monkeypatch.setattr(ciic.jobs, "_rq_queue", lambda name: asked.append(name) or real_queue(name))
    _queued(1)  # sets the flag (its value: now) and queues the run
    assert queue.count == 1 and len(asked) == 2  # the flag, the job
    clock[0] += 0.9  # the run reads at the earliest 2 s after the flag was set
    _queued(1)
    assert len(asked) == 2 and queue.count == 1  # no Redis command at all
    clock[0] += 0.2  # past half the settle: asked again, the flag is still there
    _queued(1)
    assert len(asked) == 3 and queue.count == 1
    # Another process learns when the flag was set from its value.
    ciic.jobs._COALESCED_COVERED.clear()
    clock[0] = 1_000_000.5
    _queued(1)
    assert len(asked) == 4 and ciic.jobs._COALESCED_COVERED == {
        "ciic:jobs:coalesced:" + OUTBOX_BATCH: 1_000_001.0
    }
    # The run starts (clears the flag): after the window the next commit queues another.
    coalesced_started(OUTBOX_BATCH)
    clock[0] = 1_000_001.1
    _queued(1)
    assert queue.count == 2
    from rq import SimpleWorker

    settings.OUTBOX_BATCH_SETTLE_SECONDS = 0
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert {r.status for r in OutgoingEmail.objects.all()} == {"sent"}
