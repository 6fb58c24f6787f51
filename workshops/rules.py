"""Named rules of the workshops app. Services check the same rules as views
(`services._require`), so a page and a service never disagree."""

import rules

from .predicates import (
    accepts_registrations,
    has_active_registration,
    has_started,
    is_administrator,
    is_authenticated,
    is_cancelled,
    is_facilitator,
    is_held,
    is_staff_member,
    manages,
    not_started,
)

# A workshop (object): may the user register now / cancel their registration?
rules.add_perm(
    "workshops.register", is_authenticated & accepts_registrations & ~has_active_registration
)
rules.add_perm(
    "workshops.cancel_registration",
    has_active_registration & not_started & ~is_cancelled & ~is_held,
)
# Planning: any facilitator or administrator plans a new workshop.
rules.add_perm("workshops.plan", is_facilitator | is_administrator)
# A workshop (object): change its details, open, postpone or cancel it.
rules.add_perm("workshops.change_workshop", manages & ~is_cancelled & ~is_held)
# A workshop (object): run it at the venue (check-in, walk-ins, minutes, ideas,
# photos, verifications); after it is held these are audited corrections.
rules.add_perm("workshops.run_workshop", manages & ~is_cancelled)
rules.add_perm("workshops.mark_held", manages & has_started & ~is_cancelled & ~is_held)
# Staff pages: the facilitators' list and the programme dashboard with exports.
rules.add_perm("workshops.view_staff_pages", is_staff_member)
