"""ciic.eligibility: the resident's profile and register check, the desk."""

from ..policy import ADMINISTRATOR, NOT_ALLOWED, logged_in, rule, staff

EXPECTATIONS = {
    "eligibility:profile": rule(logged_in()),
    "eligibility:register_match": rule(logged_in()),
    "eligibility:staff_residents": rule(staff()),
    "eligibility:staff_resident": rule(staff(), lambda w: {"pk": w.resident.pk}),
    "eligibility:staff_resident_profile": rule(
        staff(ok=NOT_ALLOWED), lambda w: {"pk": w.resident.pk}
    ),
    "eligibility:staff_verify": rule(staff(ok=NOT_ALLOWED), lambda w: {"pk": w.other.pk}),
    "eligibility:staff_resident_residence": rule(
        staff(ok=NOT_ALLOWED), lambda w: {"pk": w.resident.pk}
    ),
    "eligibility:staff_revoke": rule(staff(ok=NOT_ALLOWED), lambda w: {"pk": w.verification.pk}),
    "eligibility:staff_register_import": rule(staff({ADMINISTRATOR})),
    "eligibility:staff_conflicts": rule(staff()),
    "eligibility:staff_conflict_resolve": rule(staff(ok=NOT_ALLOWED), lambda w: {"pk": 999999}),
}
