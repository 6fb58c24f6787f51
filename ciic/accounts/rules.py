import rules

from .predicates import is_administrator, is_staff_member

rules.add_perm("accounts.view_staff_pages", is_staff_member)
rules.add_perm("accounts.manage_roles", is_administrator)
