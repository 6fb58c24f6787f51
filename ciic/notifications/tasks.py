"""Thin jobs: deliver one message; the sweeps that retry and tidy the outbox."""

from ciic.jobs import dispatch

from . import services


def email_deliver(email_id: int) -> None:
    services.email_deliver(email_id=email_id)


def emails_retry_pending() -> int:
    """Hand every stale pending message over again (run by jobs_sweep); while
    Redis is unreachable the sweep delivers them itself."""
    ids = services.emails_pending_ids()
    for email_id in ids:
        dispatch(email_deliver, (email_id,), {}, fallback_in_process=True)
    return len(ids)


def emails_redact_sent() -> int:
    """Blank the text of old sent messages (run by jobs_sweep)."""
    return services.emails_redact_sent()
