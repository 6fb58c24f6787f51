"""The path to proposing a project: what a visitor still has to do before the
proposal form opens (account, confirmed email, profile, verification, an open
call), each step with the page that does it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Call, Phase

JOURNEY_PATH = "/propose/"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    explanation: str = ""
    url: str = ""
    action: str = ""


def _with_next(name: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': JOURNEY_PATH})}"


def proposing_steps(*, user: Any, call: Call | None, now: dt.datetime | None = None) -> list[Step]:
    """The steps from visitor to the proposal form, in order; `done` tells
    which are behind this person. The first step not done is the next one."""
    from allauth.account.models import EmailAddress

    from ciic.eligibility.models import ResidentProfile
    from ciic.eligibility.selectors import participation_check, register_size

    now = now or timezone.now()
    signed_in = bool(getattr(user, "is_authenticated", False))
    confirmed = signed_in and EmailAddress.objects.filter(user_id=user.pk, verified=True).exists()
    has_profile = signed_in and ResidentProfile.objects.filter(user_id=user.pk).exists()
    decision = participation_check(
        user=user if signed_in else None, on_date=timezone.localdate(now)
    )
    steps = [
        Step(
            "account",
            _("Create an account"),
            signed_in,
            _("With your email address and a password. Already have one? Log in."),
            _with_next("account_signup"),
            _("Sign up"),
        ),
        Step(
            "email",
            _("Confirm your email address"),
            confirmed,
            _("We send you a link by email; open it to confirm the address."),
            reverse("account_email") if signed_in else "",
            _("Email addresses") if signed_in else "",
        ),
        Step(
            "profile",
            _("Fill in your profile"),
            has_profile,
            _("Your full name, date of birth and residence address."),
            _with_next("eligibility:profile"),
            _("Fill in your profile"),
        ),
    ]
    verify_expl = _(
        "Your identity is not verified yet: verify online with your CNP against the register "
        "of Sector 6 residents, or at the CIIC desk with your identity card or residence visa."
    )
    if decision.reason in ("under_18", "not_resident", "revoked", "expired"):
        verify_expl = decision.message
    verify_url = ""
    if has_profile and register_size() > 0 and decision.reason in ("unverified", "expired"):
        verify_url = _with_next("eligibility:register_match")
    steps.append(
        Step(
            "verification",
            _("Verify that you live in Sector 6"),
            decision.allowed,
            verify_expl,
            verify_url,
            _("Verify online with your CNP") if verify_url else "",
        )
    )
    call_open = call is not None and call.phase_at(now) == Phase.SUBMISSION
    if call is None:
        call_expl = _("There is no call for proposals yet.")
    elif call.phase_at(now) == Phase.UPCOMING:
        call_expl = _("Submission for this call opens on %(date)s.") % {
            "date": _date(call.submission_start)
        }
    elif not call_open:
        call_expl = _("Submission for this call has closed.")
    else:
        call_expl = _("Open until %(date)s.") % {"date": _date(call.submission_end)}
    steps.append(
        Step(
            "call",
            _("Write your proposal"),
            False,
            call_expl,
            reverse("proposals:start", kwargs={"slug": call.slug}) if call_open and call else "",
            _("Start your proposal") if call_open else "",
        )
    )
    return steps


def _date(day: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "j F Y")


def next_step(steps: list[Step]) -> Step | None:
    return next((s for s in steps if not s.done), None)


def proposal_next_step(proposal: Any, *, can_edit: bool) -> str:
    """What happens next to the author's proposal, in one sentence."""
    from .models import Proposal

    S = Proposal.Status
    if proposal.status == S.DRAFT:
        if can_edit:
            return _("Complete it and submit it before submission closes.")
        return _("Submission has closed: this draft can no longer be submitted.")
    texts = {
        S.SUBMITTED: _("The council will assess it after submission closes."),
        S.UNDER_ASSESSMENT: _("The council is assessing it."),
        S.CHANGES_REQUESTED: _("Make the requested changes and send it back."),
        S.RESUBMITTED: _("The assessors will look at your changes."),
        S.ELIGIBLE: _("It will be put on the ballot."),
        S.INELIGIBLE: _("The council found it ineligible; the reasons are on its page."),
        S.ON_BALLOT: _("Residents can vote for it."),
        S.SELECTED: _("It was selected for funding and will be implemented."),
        S.NOT_SELECTED: _("It was not selected this time."),
        S.IN_IMPLEMENTATION: _("The council is implementing it."),
        S.COMPLETED: _("It has been completed."),
    }
    text = str(texts.get(proposal.status, ""))
    if can_edit and proposal.status == S.SUBMITTED:
        text += " " + _("You can still edit it until then.")
    return text
