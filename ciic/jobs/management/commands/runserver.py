"""Django's development server (with static files), which also runs the jobs
sweep in a background thread while jobs run in-process (no Redis: `make run`),
so scheduled jobs (reminders, the end of a vote) and retries happen in
development as they do in production with `jobs_sweep --loop`.

`RUNSERVER_JOBS_SWEEP_SECONDS` sets the interval (0 switches it off)."""

from typing import Any

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver

from ciic.jobs.sweep import sweep_thread_start


class Command(StaticRunserver):
    def inner_run(self, *args: Any, **options: Any) -> None:
        # inner_run is the serving process (the child of the autoreloader).
        interval = int(getattr(settings, "RUNSERVER_JOBS_SWEEP_SECONDS", 0) or 0)
        if settings.JOBS_IN_PROCESS and interval > 0:
            sweep_thread_start(interval)
            self.stdout.write(f"Jobs sweep: every {interval} s in this process (no Redis).")
        super().inner_run(*args, **options)
