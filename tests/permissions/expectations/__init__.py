"""Expectations of the URL permission walk, one module per app.

Every URL pattern the project serves must have an expectation here, else
`tests/permissions/test_url_permissions.py` fails and names it. To add a page:

1. find the module of its app (or add one and list it in MODULES below);
2. map its URL name (with namespace, e.g. "voting:ballot") to a rule:

       "voting:ballot": rule(logged_in()),
       "voting:desk": rule(staff({FACILITATOR, ADMINISTRATOR})),
       "voting:receipt": rule(author(), kwargs=lambda w: {"pk": w.draft.pk}),

   policies and outcomes are in `tests/permissions/policy.py`; `kwargs`
   receives the test world (`tests/permissions/world.py`: its objects and
   accounts; add what your page needs there). POST-only pages are walked with
   GET: whoever passes the permission check gets 405.

Unnamed patterns are keyed by their route (as printed by the failing test)."""

from __future__ import annotations

from importlib import import_module

from ..policy import Area, Rule

MODULES = [
    "site",
    "allauth",
    "accounts",
    "eligibility",
    "notifications",
    "geo",
    "proposals",
    "assessment",
    "maps",
    "voting",
    "workshops",
    "wagtail",
    "django_admin",
    "django_rq",
]


def load() -> tuple[dict[str, Rule], dict[str, Area]]:
    """All rules by URL name (or route), and areas by route prefix."""
    rules: dict[str, Rule] = {}
    areas: dict[str, Area] = {}
    for name in MODULES:
        module = import_module(f"{__name__}.{name}")
        for key, value in getattr(module, "EXPECTATIONS", {}).items():
            assert key not in rules, f"{key} has expectations in two modules"
            rules[key] = value
        for prefix, area in getattr(module, "AREAS", {}).items():
            assert prefix not in areas, f"{prefix} is claimed by two modules"
            areas[prefix] = area
    return rules, areas
