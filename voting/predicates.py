"""Predicates (django-rules) for voting, and the plain checks the services
share with them, so a rule and a service never disagree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.utils import timezone

from ciic.accounts.predicates import is_administrator, is_facilitator
from proposals.models import Call, Phase
from proposals.predicates import is_authenticated, is_eligible_resident

from .models import BallotRule, Result


def voting_open_at(call: Call, moment: dt.datetime | None = None) -> bool:
    """Ballots are accepted: the call is in its voting phase and voting was
    opened (the rule locked, the proposals put on the ballot)."""
    moment = moment or timezone.now()
    if call.phase_at(moment) != Phase.VOTING:
        return False
    return BallotRule.objects.filter(call=call, opened_at__isnull=False).exists()


def voting_open_with(rule: BallotRule, call: Call, moment: dt.datetime) -> bool:
    """`voting_open_at` for a rule already loaded (no query)."""
    return rule.opened_at is not None and call.phase_at(moment) == Phase.VOTING


@rules.predicate
def voting_open(user: Any, call: Call | None) -> bool:
    return call is not None and voting_open_at(call)


@rules.predicate
def results_published(user: Any, call: Call | None) -> bool:
    return (
        call is not None
        and Result.objects.filter(call=call, status=Result.Status.PUBLISHED).exists()
    )


is_desk_staff = is_facilitator | is_administrator

__all__ = [
    "is_administrator",
    "is_authenticated",
    "is_desk_staff",
    "is_eligible_resident",
    "results_published",
    "voting_open",
    "voting_open_at",
    "voting_open_with",
]
