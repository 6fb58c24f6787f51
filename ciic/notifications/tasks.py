"""Thin jobs: deliver one message; the sweeps that retry and tidy the outbox."""

from django.conf import settings

from ciic.jobs import coalesced_started, dispatch

from . import services

# The key of `emails_deliver_batch` for `ciic.jobs.enqueue_coalesced`.
OUTBOX_BATCH = "outbox-batch"


def email_deliver(email_id: int) -> None:
    services.email_deliver(email_id=email_id)


def emails_deliver_batch() -> int:
    """Deliver every message queued with `notify(..., batched=True)` (and any
    other never tried): one run for a burst of them, over one connection."""
    coalesced_started(OUTBOX_BATCH, settle=settings.OUTBOX_BATCH_SETTLE_SECONDS)
    return services.emails_deliver_fresh()


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
