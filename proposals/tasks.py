"""django-rq jobs: thin, take ids, call a service."""

from ciic.jobs import dispatch

from . import services


def proposal_status_notify(proposal_id: int, event_id: int) -> None:
    """Email the author of `proposal_id` about status event `event_id`."""
    services.proposal_notification_send(event_id=event_id)


def proposal_notifications_retry() -> int:
    """Re-dispatch notifications whose job never ran (run by jobs_sweep)."""
    from .models import ProposalNotification

    event_ids = services.proposal_notifications_pending_ids()
    rows = dict(
        ProposalNotification.objects.filter(event_id__in=event_ids).values_list(
            "event_id", "proposal_id"
        )
    )
    for event_id in event_ids:
        dispatch(proposal_status_notify, (rows[event_id], event_id), {})
    return len(event_ids)
