import rules

from ciic.accounts.predicates import is_administrator

# The outbox page: who was sent what, and whether it was delivered.
rules.add_perm("notifications.view_outbox", is_administrator)
