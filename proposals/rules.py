"""The proposals app's rules: every action on calls and proposals, the
lifecycle's transitions included, is one named rule. Views ask
`user.has_perm(rule, obj)`, services check the same rule
(`ciic.accounts.permissions.require`), templates ask `{% has_perm %}`.

The actor `None` is the platform itself (jobs, commands, other modules): it
passes the rules that allow `is_system` and no other."""

import rules

from .models import Proposal
from .predicates import (
    is_administrator,
    is_assessing_staff,
    is_author,
    is_council_administrator,
    is_draft,
    is_editable,
    is_public_proposal,
    is_staff_member,
    is_system,
    may_submit_to_call,
    may_submit_to_proposals_call,
    status_in,
)

S = Proposal.Status

# --- calls ---------------------------------------------------------------------------
# A call (object): may the user start and submit a proposal in it now?
rules.add_perm("proposals.submit_to_call", may_submit_to_call)
# Create and change calls (administrators; the platform for tests and the demo).
rules.add_perm("proposals.manage_calls", is_system | is_administrator)

# --- proposals (object) -----------------------------------------------------------------
# A draft is private to its author, for everyone: staff and superusers included
# (User.has_perm lets the rule decide for superusers too).
rules.add_perm("proposals.view_proposal", is_public_proposal | is_author)
rules.add_perm("proposals.change_proposal", is_author & is_editable)
rules.add_perm("proposals.delete_proposal", is_author & is_draft)
rules.add_perm("proposals.view_versions", is_staff_member)
rules.add_perm("proposals.view_staff_list", is_staff_member)

# --- the lifecycle: (from, to) -> the rule that allows it ------------------------------
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): "proposals.submit_proposal",
    (S.SUBMITTED, S.UNDER_ASSESSMENT): "proposals.start_assessment",
    (S.RESUBMITTED, S.UNDER_ASSESSMENT): "proposals.start_assessment",
    (S.UNDER_ASSESSMENT, S.CHANGES_REQUESTED): "proposals.request_changes",
    (S.CHANGES_REQUESTED, S.RESUBMITTED): "proposals.resubmit",
    (S.UNDER_ASSESSMENT, S.ELIGIBLE): "proposals.decide",
    (S.UNDER_ASSESSMENT, S.INELIGIBLE): "proposals.decide",
    # The assessment (proposals.assessment): the author's deadline for changes
    # passed, so the proposal is assessed as it stands; an appeal upheld.
    (S.CHANGES_REQUESTED, S.UNDER_ASSESSMENT): "proposals.resume_assessment",
    (S.INELIGIBLE, S.ELIGIBLE): "proposals.uphold_appeal",
    (S.ELIGIBLE, S.ON_BALLOT): "proposals.put_on_ballot",
    (S.ON_BALLOT, S.SELECTED): "proposals.record_result",
    (S.ON_BALLOT, S.NOT_SELECTED): "proposals.record_result",
    (S.SELECTED, S.IN_IMPLEMENTATION): "proposals.start_implementation",
    (S.IN_IMPLEMENTATION, S.COMPLETED): "proposals.complete",
}

rules.add_perm(
    "proposals.submit_proposal",
    status_in(S.DRAFT) & is_author & may_submit_to_proposals_call,
)
rules.add_perm(
    "proposals.start_assessment",
    status_in(S.SUBMITTED, S.RESUBMITTED) & (is_system | is_assessing_staff),
)
rules.add_perm("proposals.request_changes", status_in(S.UNDER_ASSESSMENT) & is_assessing_staff)
rules.add_perm("proposals.decide", status_in(S.UNDER_ASSESSMENT) & is_assessing_staff)
rules.add_perm("proposals.resubmit", status_in(S.CHANGES_REQUESTED) & is_author)
rules.add_perm("proposals.resume_assessment", status_in(S.CHANGES_REQUESTED) & is_system)
rules.add_perm("proposals.uphold_appeal", status_in(S.INELIGIBLE) & is_assessing_staff)
rules.add_perm(
    "proposals.put_on_ballot", status_in(S.ELIGIBLE) & (is_system | is_council_administrator)
)
rules.add_perm(
    "proposals.record_result", status_in(S.ON_BALLOT) & (is_system | is_council_administrator)
)
rules.add_perm(
    "proposals.start_implementation",
    status_in(S.SELECTED) & (is_system | is_council_administrator),
)
rules.add_perm(
    "proposals.complete", status_in(S.IN_IMPLEMENTATION) & (is_system | is_council_administrator)
)
