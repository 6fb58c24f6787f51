import rules

from .predicates import has_admin_flag, is_administrator, is_staff_member

rules.add_perm("accounts.view_staff_pages", is_staff_member)
rules.add_perm("accounts.manage_roles", is_administrator)
# The Django admin and the job dashboard (django-rq): Django's staff flag, in a
# session that passed the second factor.
rules.add_perm("accounts.use_django_admin", has_admin_flag)
