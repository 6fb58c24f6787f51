"""The jobs of the job system itself: run one scheduled job (what RQ's
scheduler enqueues), and the sweep that runs whatever is due and still pending."""

import datetime as dt

from django.conf import settings

from . import dispatch, services


def scheduled_job_run(job_id: int) -> None:
    services.scheduled_job_run(job_id=job_id)


def scheduled_jobs_run_due() -> int:
    """Run (or hand to Redis) every due scheduled job still pending: those RQ
    never got (Redis down when they were scheduled or fell due) and failed ones
    whose retry pause has passed. Run by `jobs_sweep`."""
    grace = dt.timedelta(
        seconds=0 if settings.JOBS_IN_PROCESS else settings.SCHEDULED_JOBS_GRACE_SECONDS
    )
    due = services.scheduled_jobs_due(grace=grace)
    for job in due:
        dispatch(scheduled_job_run, (job.pk,), {}, job.queue, fallback_in_process=True)
    return len(due)
