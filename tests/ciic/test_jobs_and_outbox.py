"""The mail outbox and the job dispatcher: nothing a user did is lost when
Redis, a worker or the mail server fails."""

import os

import pytest
from django.core import mail
from django.core.management import call_command

from ciic.notifications.models import OutgoingEmail
from tests.workers import run_rqworker


@pytest.fixture(autouse=True)
def _outbox_backend(settings):
    # Django's test environment swaps EMAIL_BACKEND for locmem; these tests are
    # about the real production path through the outbox.
    settings.EMAIL_BACKEND = "ciic.notifications.backends.OutboxEmailBackend"


def _send(subject: str = "Salut") -> None:
    mail.send_mail(subject, "corp", "ciic@example.org", ["resident@example.org"])


@pytest.mark.django_db(transaction=True)
def test_mail_goes_through_the_outbox_and_is_delivered_in_process():
    _send()
    row = OutgoingEmail.objects.get()
    assert row.status == OutgoingEmail.Status.SENT
    assert row.attempts == 1
    assert [m.subject for m in mail.outbox] == ["Salut"]


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_keeps_the_message_and_the_sweep_delivers_it(settings):
    settings.OUTBOX_DELIVERY_BACKEND = "tests.ciic.test_jobs_and_outbox.BrokenBackend"
    _send()
    row = OutgoingEmail.objects.get()
    assert row.status == OutgoingEmail.Status.PENDING
    assert "connection refused" in row.last_error
    assert mail.outbox == []

    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.filter(pk=row.pk).update(
        created_at=row.created_at.replace(year=2000),
        last_attempt_at=row.last_attempt_at.replace(year=2000),
    )
    call_command("jobs_sweep", stdout=open(os.devnull, "w"))
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweep_backs_off_so_a_long_mail_outage_loses_nothing(settings):
    """Retries after 1, 2, 4, 8, then every 15 minutes: hours of a refusing
    mail server cost a few dozen attempts, far from giving the message up."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from ciic.notifications.services import MAX_ATTEMPTS

    settings.OUTBOX_DELIVERY_BACKEND = "tests.ciic.test_jobs_and_outbox.BrokenBackend"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _send()
        attempts_at = []
        for minute in range(1, 6 * 60 + 1):  # six hours, the sweep every minute
            clock.move_to(start + dt.timedelta(minutes=minute))
            before = OutgoingEmail.objects.get().attempts
            call_command("jobs_sweep", stdout=open(os.devnull, "w"))
            if OutgoingEmail.objects.get().attempts > before:
                attempts_at.append(minute)
    row = OutgoingEmail.objects.get()
    assert row.status == OutgoingEmail.Status.PENDING
    assert attempts_at[:5] == [2, 4, 8, 16, 31]  # 2 minutes old, then 2, 4, 8, 15 apart
    assert all(b - a == 15 for a, b in zip(attempts_at[4:], attempts_at[5:], strict=False))
    assert row.attempts == 1 + len(attempts_at) < MAX_ATTEMPTS

    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(start + dt.timedelta(hours=6, minutes=16), tick=False):
        call_command("jobs_sweep", stdout=open(os.devnull, "w"))
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_redis_down_does_not_fail_the_request_and_the_message_waits(settings):
    settings.JOBS_IN_PROCESS = False
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 5}}
    _send()  # must not raise
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_delivery_is_idempotent():
    from ciic.notifications.services import email_deliver

    _send()
    row = OutgoingEmail.objects.get()
    assert email_deliver(email_id=row.pk) is False  # already sent: not sent twice
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("connection refused")

    def open(self):
        pass

    def close(self):
        pass


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_rqworker_runs_an_enqueued_job(settings):
    """End to end: enqueue into the real Redis, run `manage.py rqworker --burst`
    in another process against the same PostgreSQL test database."""
    redis_url = os.environ["REDIS_URL"]
    settings.JOBS_IN_PROCESS = False
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    import django_rq

    django_rq.get_queue("default").empty()
    _send("Prin worker")
    row = OutgoingEmail.objects.get()
    assert row.status == OutgoingEmail.Status.PENDING

    result = run_rqworker(REDIS_URL=redis_url, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.SENT, (row.last_error, result.stderr[-2000:])
