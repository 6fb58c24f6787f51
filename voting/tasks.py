"""Jobs of voting (thin: load, call a service). Scheduled with `ciic.jobs`:
"voting-open:<call id>" at the start of the voting phase and
"voting-close:<call id>" at its end. Both are idempotent."""

from __future__ import annotations

from proposals.models import Call

from . import services


def voting_open_job(call_id: int) -> None:
    call = Call.objects.filter(pk=call_id).first()
    if call is not None:
        services.voting_open(actor=None, call=call)


def voting_close_job(call_id: int) -> None:
    """At the close: compute the results under the official rule, for an
    administrator to review and publish."""
    call = Call.objects.filter(pk=call_id).first()
    if call is not None:
        services.results_compute(actor=None, call=call)
