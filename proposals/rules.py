import rules

from .predicates import (
    is_author,
    is_draft,
    is_editable,
    is_eligible_resident,
    is_public_proposal,
    is_staff_member,
    submission_open,
)

# A call (object): may the user start and submit a proposal in it now?
rules.add_perm("proposals.submit_to_call", submission_open & is_eligible_resident)
# A proposal (object). A draft is private to its author, for everyone: staff and
# superusers included (User.has_perm lets the rule decide for superusers too).
rules.add_perm("proposals.view_proposal", is_public_proposal | is_author)
rules.add_perm("proposals.change_proposal", is_author & is_editable)
rules.add_perm("proposals.delete_proposal", is_author & is_draft)
rules.add_perm("proposals.view_versions", is_staff_member)
# Staff pages; which transitions each role may make is in services.TRANSITIONS.
rules.add_perm("proposals.view_staff_list", is_staff_member)
