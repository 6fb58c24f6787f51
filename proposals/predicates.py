"""Predicates (django-rules) about calls and proposals, plus the plain checks
the services share with them, so a rule and a service never disagree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.utils import timezone

from ciic.accounts.predicates import is_administrator, is_assessor, is_staff_member
from ciic.eligibility.selectors import participation_check

from .models import Call, Phase, Proposal, local_day_start

AUTHOR_EDITABLE = (
    Proposal.Status.DRAFT,
    Proposal.Status.SUBMITTED,
    Proposal.Status.CHANGES_REQUESTED,
)


def participation_decision(*, user: Any, on_date: dt.date | None = None) -> Any:
    """The eligibility module's decision for `user` on `on_date` (local day)."""
    return participation_check(user=user, on_date=on_date or timezone.localdate())


def proposal_is_editable_at(proposal: Proposal, moment: dt.datetime | None = None) -> bool:
    """The author may edit a draft, a submitted proposal until the assessment
    phase starts, and a proposal whose author was asked for changes."""
    moment = moment or timezone.now()
    if proposal.status == Proposal.Status.DRAFT:
        return True
    if proposal.status == Proposal.Status.SUBMITTED:
        return moment < local_day_start(proposal.call.assessment_start)
    return proposal.status == Proposal.Status.CHANGES_REQUESTED


@rules.predicate
def is_author(user: Any, proposal: Proposal | None) -> bool:
    return (
        proposal is not None
        and bool(getattr(user, "is_authenticated", False))
        and proposal.author_id == user.pk
    )


@rules.predicate
def is_public_proposal(user: Any, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.is_public


@rules.predicate
def is_draft(user: Any, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.status == Proposal.Status.DRAFT


@rules.predicate
def is_editable(user: Any, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal_is_editable_at(proposal)


@rules.predicate
def is_authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def submission_open(user: Any, call: Call | None) -> bool:
    return call is not None and call.phase_at(timezone.now()) == Phase.SUBMISSION


@rules.predicate
def is_eligible_resident(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(participation_decision(user=user).allowed)


__all__ = [
    "AUTHOR_EDITABLE",
    "is_administrator",
    "is_assessor",
    "is_author",
    "is_authenticated",
    "is_draft",
    "is_editable",
    "is_eligible_resident",
    "is_public_proposal",
    "is_staff_member",
    "participation_decision",
    "proposal_is_editable_at",
    "submission_open",
]
