"""Predicates (django-rules) about calls and proposals, and the decision
functions they are built from.

A decision function answers one question ("may this resident submit to this
call now?", "may one more image be added?") with a `Check`: allowed or not,
and why (a code and a translated message). The predicate, the selector that
explains a refusal on a page, the form and the service all call the same
function, so they never disagree and the message is written once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rules
from django.utils import timezone
from django.utils.translation import gettext as _

from ciic.accounts.predicates import is_administrator, is_assessor, is_staff_member, is_system
from ciic.eligibility.selectors import participation_check

from . import files
from .models import Call, Phase, Proposal, local_day_start

AUTHOR_EDITABLE = (
    Proposal.Status.DRAFT,
    Proposal.Status.SUBMITTED,
    Proposal.Status.CHANGES_REQUESTED,
)


@dataclass(frozen=True)
class Check:
    """A decision with its reason: `code` for programs ("ok" when allowed),
    `message` (translated) for people."""

    allowed: bool
    code: str = "ok"
    message: str = ""

    def __bool__(self) -> bool:
        return self.allowed


OK = Check(True)


def participation_decision(*, user: Any, on_date: dt.date | None = None) -> Any:
    """The eligibility module's decision for `user` on `on_date` (local day)."""
    return participation_check(user=user, on_date=on_date or timezone.localdate())


# --- decision functions ---------------------------------------------------------------


def submit_decision(*, user: Any, call: Call, now: dt.datetime | None = None) -> Check:
    """May `user` start or submit a proposal in `call` at `now`? The call must
    be in its submission phase and the user a resident who may take part that
    day (verified, living in Sector 6, old enough)."""
    now = now or timezone.now()
    phase = call.phase_at(now)
    if phase == Phase.UPCOMING:
        return Check(False, "not_open", _("Submission for this call has not opened yet."))
    if phase != Phase.SUBMISSION:
        return Check(False, "closed", _("Submission for this call has closed."))
    if not getattr(user, "is_authenticated", False):
        return Check(False, "anonymous", _("Log in to propose a project."))
    decision = participation_decision(user=user, on_date=timezone.localdate(now))
    if not decision.allowed:
        return Check(False, str(decision.reason), str(decision.message))
    return OK


def proposal_is_editable_at(proposal: Proposal, moment: dt.datetime | None = None) -> bool:
    """The author may edit a draft, a submitted proposal until the assessment
    phase starts, and a proposal whose author was asked for changes."""
    moment = moment or timezone.now()
    if proposal.status == Proposal.Status.DRAFT:
        return True
    if proposal.status == Proposal.Status.SUBMITTED:
        return moment < local_day_start(proposal.call.assessment_start)
    return proposal.status == Proposal.Status.CHANGES_REQUESTED


def edit_decision(*, user: Any, proposal: Proposal, now: dt.datetime | None = None) -> Check:
    """May `user` change `proposal` (its texts, place, cost, files) at `now`?"""
    if not getattr(user, "is_authenticated", False) or proposal.author_id != user.pk:
        return Check(False, "not_author", _("Only the author can change this proposal."))
    if not proposal_is_editable_at(proposal, now):
        return Check(False, "not_editable", _("This proposal can no longer be edited."))
    return OK


def image_limit_check(*, existing: int, adding: int = 1) -> Check:
    """May `adding` images join the `existing` ones of a proposal?"""
    if existing + adding > files.MAX_IMAGES:
        return Check(
            False,
            "too_many_images",
            _("A proposal can have at most %(n)d images; remove one first.")
            % {"n": files.MAX_IMAGES},
        )
    return OK


def image_rights_check(*, has_images: bool, consent: bool) -> Check:
    """Images are published only with the author's statement that they may be."""
    if has_images and not consent:
        return Check(
            False,
            "image_rights",
            _("Confirm that you hold the rights to the images, or remove them."),
        )
    return OK


# --- predicates -------------------------------------------------------------------------


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


@rules.predicate
def may_submit_to_call(user: Any, call: Call | None) -> bool:
    return call is not None and submit_decision(user=user, call=call).allowed


@rules.predicate
def may_submit_to_proposals_call(user: Any, proposal: Proposal | None) -> bool:
    return proposal is not None and submit_decision(user=user, call=proposal.call).allowed


def status_in(*statuses: str) -> Callable[..., bool]:
    """A predicate: the proposal is in one of `statuses`."""
    wanted = frozenset(statuses)

    def check(user: Any, proposal: Proposal | None) -> bool:
        return proposal is not None and proposal.status in wanted

    return rules.predicate(check, name=f"status_in({','.join(sorted(wanted))})")


# Staff act on proposals for the council, never on their own (conflict of interest).
is_assessing_staff = (is_assessor | is_administrator) & ~is_author
is_council_administrator = is_administrator & ~is_author


__all__ = [
    "AUTHOR_EDITABLE",
    "Check",
    "edit_decision",
    "image_limit_check",
    "image_rights_check",
    "is_administrator",
    "is_assessing_staff",
    "is_assessor",
    "is_author",
    "is_authenticated",
    "is_council_administrator",
    "is_draft",
    "is_editable",
    "is_eligible_resident",
    "is_public_proposal",
    "is_staff_member",
    "is_system",
    "may_submit_to_call",
    "may_submit_to_proposals_call",
    "participation_decision",
    "proposal_is_editable_at",
    "status_in",
    "submission_open",
    "submit_decision",
]
