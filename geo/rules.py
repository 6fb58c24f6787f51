import rules

from ciic.accounts.predicates import is_administrator

rules.add_perm("geo.import_areas", is_administrator)
