import rules

from ciic.accounts.predicates import is_administrator, is_staff_member

from .predicates import is_desk_staff, is_self, is_verified_resident

rules.add_perm("eligibility.verify_residents", is_desk_staff)
rules.add_perm("eligibility.import_register", is_administrator)
rules.add_perm("eligibility.view_conflicts", is_staff_member)
rules.add_perm("eligibility.take_part", is_verified_resident)
# A person (object): their profile is changed by themselves or at the desk.
rules.add_perm("eligibility.change_profile", is_self | is_desk_staff)
# A person (object): self-service verification against the register, by themselves only.
rules.add_perm("eligibility.verify_self", is_self)
