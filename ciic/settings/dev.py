"""Local development: `make run`. SQLite, in-process jobs, mail written to var/mail/."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Shown on the staff outbox page (/staff/outbox/): a developer clicks the links.
OUTBOX_SHOW_BODIES = env.bool("OUTBOX_SHOW_BODIES", default=True)
# The development server runs the jobs sweep (scheduled jobs, retries) itself.
RUNSERVER_JOBS_SWEEP_SECONDS = env.int("RUNSERVER_JOBS_SWEEP_SECONDS", default=30)
