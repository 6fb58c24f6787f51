"""Issue 16, faults, on the production stack (tests/e2e/stack.py): the mail
server refusing connections for an hour, Redis stopped during voting, the
worker killed in the middle of the results job, PostgreSQL connections cut
under load. The stack's clock moves where the fault lasts a while."""

from __future__ import annotations

import datetime as dt
import socket
from collections import Counter

import pytest

from .smtp_sink import SmtpSink
from .stack import submit

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
    for minutes in range(5, 65, 5):
        stack.clock(start + dt.timedelta(minutes=minutes))
        stack.cron()
    assert {r.status for r in rows.all()} == {"pending"}, [
        (r.status, r.attempts) for r in rows.all()
    ]

    # The mail server is back: the next sweeps deliver everything, once.
    held.close()
    sink = SmtpSink(port)
    try:
        for minutes in range(65, 125, 5):
            stack.clock(start + dt.timedelta(minutes=minutes))
            stack.cron()
            if {r.status for r in rows.all()} == {"sent"}:
                break
        assert {r.status for r in rows.all()} == {"sent"}
        for minutes in (130, 135):  # later sweeps send nothing again
            stack.clock(start + dt.timedelta(minutes=minutes))
            stack.cron()
        received = Counter(str(m["To"]) for m in sink.parsed())
        assert received == Counter(SIGNUPS), received
    finally:
        sink.stop()
