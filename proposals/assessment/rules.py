"""Named rules of the assessment. Services check the same rule as views
(PermissionDenied), so a page and its action never disagree."""

import rules

from .predicates import (
    assessment_phase,
    assessor_not_author,
    awaiting_decision,
    before_assessment_end,
    before_voting,
    has_open_appeal,
    has_pending_decision,
    is_author,
    is_console_user,
    is_coordinator,
    is_public_proposal,
    is_undecided,
    may_appeal,
    proposed_the_pending_decision,
    staff_not_author,
    took_the_appealed_decision,
)

# The console (no object): queue, dashboard, exports.
rules.add_perm("assessment.view_queue", is_console_user)
rules.add_perm("assessment.view_dashboard", is_console_user)
rules.add_perm("assessment.export", is_console_user)
rules.add_perm("assessment.assign_any", is_coordinator)
# On a proposal.
rules.add_perm("assessment.view_assessment", staff_not_author & is_public_proposal)
rules.add_perm(
    "assessment.assign",
    is_coordinator & ~is_author & is_public_proposal & is_undecided & before_assessment_end,
)
rules.add_perm("assessment.record", assessor_not_author & assessment_phase & is_undecided)
rules.add_perm(
    "assessment.request_changes", assessor_not_author & assessment_phase & awaiting_decision
)
rules.add_perm("assessment.decide", assessor_not_author & assessment_phase & awaiting_decision)
rules.add_perm(
    "assessment.confirm",
    assessor_not_author & assessment_phase & has_pending_decision & ~proposed_the_pending_decision,
)
rules.add_perm("assessment.appeal", is_author & may_appeal)
rules.add_perm(
    "assessment.decide_appeal",
    assessor_not_author & has_open_appeal & ~took_the_appealed_decision & before_voting,
)
# The private thread between the author and the assessors.
rules.add_perm("assessment.view_thread", is_public_proposal & (is_author | staff_not_author))
rules.add_perm(
    "assessment.post_message",
    is_public_proposal & before_voting & (is_author | staff_not_author),
)
