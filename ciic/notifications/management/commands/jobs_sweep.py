"""Re-dispatch work that a Redis, worker or mail-server outage left pending.

Run it every few minutes (cron, systemd timer, or `--loop SECONDS`). The
sweeps are listed in the `JOB_SWEEPS` setting; each is idempotent."""

import time
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Retry background work left pending by an outage."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, loop: int = 0, **options):  # type: ignore[no-untyped-def]
        while True:
            for dotted in settings.JOB_SWEEPS:
                module, name = dotted.rsplit(".", 1)
                count = getattr(import_module(module), name)()
                self.stdout.write(f"{dotted}: {count}")
            if not loop:
                break
            time.sleep(loop)
