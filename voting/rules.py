import rules

from .predicates import (
    is_administrator,
    is_authenticated,
    is_desk_staff,
    is_eligible_resident,
    results_published,
    voting_open,
)

# A call (object). The ballot page: any logged-in user sees it (with the reason
# when they may not vote); casting needs the open vote and eligibility today.
rules.add_perm("voting.view_ballot", is_authenticated)
rules.add_perm("voting.cast_ballot", voting_open & is_eligible_resident)
# Paper ballots at the CIIC desk: facilitators and administrators (two-factor).
rules.add_perm("voting.record_paper_ballot", voting_open & is_desk_staff)
rules.add_perm("voting.use_desk", is_desk_staff)
# The ballot rule, opening, reviewing and publishing the results.
rules.add_perm("voting.manage", is_administrator)
rules.add_perm("voting.view_results", results_published)
