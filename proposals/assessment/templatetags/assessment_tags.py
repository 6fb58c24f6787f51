"""The assessment on the proposal's public page: the public outcome for
everyone, and the author's own panel (the private thread, changes requested,
the appeal) for the author only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from proposals.models import LOCAL_TZ

from .. import selectors
from ..forms import AppealForm, MessageForm
from ..predicates import appeal_days_for, appeal_deadline, effective_decision

register = template.Library()


@register.simple_tag
def assessment_public(proposal: Any) -> dict[str, Any] | None:
    """The decision in force, its public explanation, the appeal's outcome and merges."""
    return selectors.public_outcome(proposal=proposal)


@register.inclusion_tag("assessment/includes/author_panel.html", takes_context=True)
def assessment_author_panel(context: template.Context, proposal: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or proposal.author_id != user.pk:
        return {"show": False}
    can_appeal = user.has_perm("assessment.appeal", proposal)
    decision = effective_decision(proposal) if can_appeal else None
    assessment = selectors.assessment_get(proposal=proposal)
    return {
        "show": True,
        "proposal": proposal,
        "thread": selectors.thread(proposal=proposal),
        "can_message": user.has_perm("assessment.post_message", proposal),
        "can_appeal": can_appeal,
        "appeal_until": appeal_deadline(decision, appeal_days_for(proposal)) if decision else None,
        "appeals": selectors.appeals_of(proposal=proposal),
        # The last day the author may resubmit (the deadline is the next midnight).
        "changes_last_day": (
            (assessment.changes_deadline - dt.timedelta(days=1)).astimezone(LOCAL_TZ).date()
            if assessment and assessment.changes_deadline
            else None
        ),
        "message_form": MessageForm(),
        "appeal_form": AppealForm(),
        "csrf_token": context.get("csrf_token"),
    }
