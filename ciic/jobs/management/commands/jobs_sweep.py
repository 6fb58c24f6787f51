"""Run the sweeps: due scheduled jobs, and work an outage left pending.

Run it every few minutes (cron, a systemd timer, or `--loop SECONDS`). The
sweeps are listed in the `JOB_SWEEPS` setting; each is idempotent. With
`JOBS_IN_PROCESS` (no Redis) the development server runs them itself in a
background thread (see `runserver` in this folder)."""

from django.core.management.base import BaseCommand

from ciic.jobs.sweep import sweep_forever, sweep_once


class Command(BaseCommand):
    help = "Run due scheduled jobs and retry background work left pending by an outage."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, loop: int = 0, **options):  # type: ignore[no-untyped-def]
        if loop:
            sweep_forever(loop, report=self.stdout.write)
        else:
            sweep_once(report=self.stdout.write)
