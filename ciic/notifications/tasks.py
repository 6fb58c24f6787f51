from ciic.jobs import dispatch

from . import services


def email_deliver(email_id: int) -> None:
    services.email_deliver(email_id=email_id)


def emails_retry_pending() -> int:
    """Hand every stale pending message to the queue again (run by jobs_sweep)."""
    ids = services.emails_pending_ids()
    for email_id in ids:
        dispatch(email_deliver, (email_id,), {})
    return len(ids)
