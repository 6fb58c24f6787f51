"""proposals.assessment: the console (assessors and administrators, who act as
coordinators; second factor required) and the author's actions on a proposal
(the private thread, the appeal)."""

from ..policy import (
    ADMINISTRATOR,
    ANONYMOUS,
    ASSESSOR,
    DENIED,
    FACILITATOR,
    LOGIN,
    MFA,
    NOT_ALLOWED,
    RESIDENT,
    by_role,
    rule,
    staff,
)

CONSOLE = frozenset({ASSESSOR, ADMINISTRATOR})
# A refused staff session is first asked to complete the second factor.
NO_MFA = {(role, False): MFA for role in (FACILITATOR, ASSESSOR, ADMINISTRATOR)}


def _ref(w):  # type: ignore[no-untyped-def]
    return {"reference": w.public.reference}


EXPECTATIONS = {
    "assessment:queue": rule(staff(CONSOLE)),
    "assessment:assign": rule(staff(CONSOLE, ok=NOT_ALLOWED)),
    "assessment:dashboard": rule(staff(CONSOLE)),
    "assessment:export_csv": rule(staff(CONSOLE)),
    "assessment:export_xlsx": rule(staff(CONSOLE)),
    "assessment:detail": rule(staff(CONSOLE), _ref),
    "assessment:act": rule(
        staff(CONSOLE, ok=NOT_ALLOWED), lambda w: {**_ref(w), "action": "record"}
    ),
    # The author, and console staff whose session passed the second factor.
    "assessment:message": rule(
        by_role(
            {
                ANONYMOUS: LOGIN,
                RESIDENT: NOT_ALLOWED,
                (ASSESSOR, True): NOT_ALLOWED,
                (ADMINISTRATOR, True): NOT_ALLOWED,
                **NO_MFA,
            },
            default=DENIED,
        ),
        _ref,
    ),
    # Only the author of an ineligible proposal, within the days to appeal.
    "assessment:appeal": rule(by_role({ANONYMOUS: LOGIN, **NO_MFA}, default=DENIED), _ref),
}
