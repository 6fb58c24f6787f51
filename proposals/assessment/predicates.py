"""Predicates (django-rules) of the assessment. Objects are proposals.

Roles: assessors assess; administrators act as the coordinators who assign
work (there is no separate coordinator role) and may assess too, as the
proposal lifecycle allows. No one assesses, confirms or judges an appeal on a
proposal they authored. Phases come from the proposal's call at the current
instant (`timezone.now()`), so tests freeze time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.utils import timezone

from ciic.accounts.predicates import is_administrator, is_assessor
from proposals.models import Phase, Proposal, local_day_start
from proposals.predicates import is_author

from .models import Appeal, Decision

S = Proposal.Status
AWAITING_DECISION = (S.SUBMITTED, S.UNDER_ASSESSMENT, S.RESUBMITTED)
UNDECIDED = (*AWAITING_DECISION, S.CHANGES_REQUESTED)

is_coordinator = is_administrator
can_assess = is_assessor | is_administrator
is_console_user = is_assessor | is_coordinator


def _proposal(obj: Any) -> Proposal | None:
    return obj if isinstance(obj, Proposal) else None


def pending_decision(proposal: Proposal) -> Decision | None:
    return proposal.decisions.filter(state=Decision.State.PENDING).first()


def effective_decision(proposal: Proposal) -> Decision | None:
    """The decision in force (the latest confirmed one)."""
    return (
        proposal.decisions.filter(state=Decision.State.CONFIRMED)
        .order_by("-effective_at", "-id")
        .first()
    )


def open_appeal(proposal: Proposal) -> Appeal | None:
    return proposal.appeals.filter(state=Appeal.State.OPEN).select_related("decision").first()


def appeal_deadline(decision: Decision, days: int) -> dt.datetime | None:
    if decision.effective_at is None:
        return None
    return decision.effective_at + dt.timedelta(days=days)


def appeal_days_for(proposal: Proposal) -> int:
    from .selectors import call_assessment_settings

    return call_assessment_settings(call=proposal.call).appeal_days


def appeal_open_at(proposal: Proposal, moment: dt.datetime) -> bool:
    """May the author appeal now? An ineligibility in force, not yet appealed,
    within the call's days to appeal and before voting opens."""
    if proposal.status != S.INELIGIBLE:
        return False
    if moment >= local_day_start(proposal.call.voting_start):
        return False
    decision = effective_decision(proposal)
    if decision is None or decision.outcome != "ineligible" or hasattr(decision, "appeal"):
        return False
    if Appeal.objects.filter(decision=decision).exists():
        return False
    deadline = appeal_deadline(decision, appeal_days_for(proposal))
    return deadline is not None and moment < deadline


@rules.predicate
def assessment_phase(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and proposal.call.phase_at(timezone.now()) == Phase.ASSESSMENT


@rules.predicate
def before_assessment_end(user: Any, obj: Any) -> bool:
    """Submissions open or assessment running: work may still be assigned."""
    proposal = _proposal(obj)
    return proposal is not None and proposal.call.phase_at(timezone.now()) in (
        Phase.SUBMISSION,
        Phase.ASSESSMENT,
    )


@rules.predicate
def before_voting(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and timezone.now() < local_day_start(proposal.call.voting_start)


@rules.predicate
def is_public_proposal(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and proposal.is_public


@rules.predicate
def is_undecided(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and proposal.status in UNDECIDED


@rules.predicate
def awaiting_decision(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return (
        proposal is not None
        and proposal.status in AWAITING_DECISION
        and pending_decision(proposal) is None
    )


@rules.predicate
def has_pending_decision(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and pending_decision(proposal) is not None


@rules.predicate
def proposed_the_pending_decision(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    decision = pending_decision(proposal) if proposal is not None else None
    return decision is not None and decision.proposed_by_id == getattr(user, "pk", None)


@rules.predicate
def may_appeal(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and appeal_open_at(proposal, timezone.now())


@rules.predicate
def has_open_appeal(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and open_appeal(proposal) is not None


@rules.predicate
def took_the_appealed_decision(user: Any, obj: Any) -> bool:
    """Proposed or confirmed the decision under appeal."""
    proposal = _proposal(obj)
    appeal = open_appeal(proposal) if proposal is not None else None
    if appeal is None:
        return False
    pk = getattr(user, "pk", None)
    return pk is not None and pk in (
        appeal.decision.proposed_by_id,
        appeal.decision.confirmed_by_id,
    )


staff_not_author = is_console_user & ~is_author
assessor_not_author = can_assess & ~is_author
