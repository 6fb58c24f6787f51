"""Load demo data: one account per role, areas, a call with proposals.

Idempotent: running it twice changes nothing the second time. Each app keeps
its own part in `<app>/demo.py` with a `seed(out)` function; they run lowest
layer first. Passwords are printed because this is demo data only."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_MODULES = [
    "ciic.accounts.demo",
    "geo.demo",
    "ciic.eligibility.demo",
    "proposals.demo",
    "proposals.assessment.demo",
    "cms.demo",
]


class Command(BaseCommand):
    help = "Load idempotent demo data (never run in production)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for dotted in DEMO_MODULES:
            try:
                module = import_module(dotted)
            except ModuleNotFoundError as exc:
                if exc.name != dotted:
                    raise
                continue
            with transaction.atomic():
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
