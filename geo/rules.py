import rules

from ciic.accounts.predicates import is_administrator, is_system

# Replace the sector boundary or the planning zones (and re-place located records).
rules.add_perm("geo.import_areas", is_system | is_administrator)
# Replace the gazetteer's streets, stations and places (a management command today).
rules.add_perm("geo.import_gazetteer", is_system | is_administrator)
