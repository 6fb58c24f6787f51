"""Load demo data: one account per role, areas, a call with proposals.

Idempotent: running it twice changes nothing the second time. Each app keeps
its own part in `<app>/demo.py` with a `seed(out)` function; they run lowest
layer first. A module's optional `summary()` lines (the demo accounts, the
demo CNP, the TOTP secret) are printed last, after everything else, so they
are the last lines `make run` shows before the server starts. Passwords are
printed because this is demo data only."""

import logging
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from ciic.cache import warmers_held

DEMO_MODULES = [
    "ciic.accounts.demo",
    "geo.demo",
    "ciic.eligibility.demo",
    "proposals.demo",
    "proposals.assessment.demo",
    "voting.demo",
    "workshops.demo",
    "cms.legal_pages",
    "cms.demo",
]


class Command(BaseCommand):
    help = "Load idempotent demo data (never run in production)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--address",
            default="",
            help="The address the development server will answer on (printed last).",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        # Each demo page would log "Page created/edited/published": the summary
        # below says what the seed did, and the sign-in details stay visible.
        logging.getLogger("wagtail").setLevel(logging.WARNING)
        summaries: list[str] = []
        # (each demo proposal changes the public content: the default maps are
        # rendered again once, at the end, not after every one of them)
        with warmers_held():
            for dotted in DEMO_MODULES:
                try:
                    module = import_module(dotted)
                except ModuleNotFoundError as exc:
                    if exc.name != dotted:
                        raise
                    continue
                with transaction.atomic():
                    module.seed(self.stdout)
                if hasattr(module, "summary"):
                    summaries.extend(module.summary())
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("")
        for line in summaries:
            self.stdout.write(line)
        address = options["address"] or settings.SITE_URL.rstrip("/") + "/"
        self.stdout.write(
            self.style.SUCCESS(f"Open {address}")
            + "  (emails: /staff/outbox/ and var/mail/; jobs run in-process without REDIS_URL)"
        )
