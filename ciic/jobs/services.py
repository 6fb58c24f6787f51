"""Scheduled jobs: write, cancel, run. The public entry points are
`ciic.jobs.enqueue_at`, `enqueue_in` and `job_cancel`; see the package
docstring for the guarantees."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from . import job_name, queue_put
from .models import ScheduledJob

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
MAX_RETRY_PAUSE = dt.timedelta(hours=1)


def _dotted_path(func: Callable[..., Any]) -> str:
    path = job_name(func)
    try:
        found = import_string(path)
    except ImportError:
        found = None
    if found is not func:
        raise ValueError(f"{path} is not a module-level function: it cannot be scheduled")
    return path


def _json_args(args: Sequence[Any]) -> list[Any]:
    try:
        return list(json.loads(json.dumps(list(args))))
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"scheduled job arguments must be JSON values (ids, not objects): {exc}"
        ) from exc


def retry_pause(attempts: int) -> dt.timedelta:
    """How long the sweep waits before running a failed job again: 1, 2, 4...
    minutes, at most an hour."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_RETRY_PAUSE)


@transaction.atomic
def scheduled_job_set(
    *,
    when: dt.datetime,
    func: Callable[..., Any],
    args: Sequence[Any] = (),
    key: str | None = None,
    queue: str = "default",
) -> ScheduledJob:
    """Schedule `func(*args)` at `when`, or move the job already scheduled
    under `key` (pending again, with the new time and arguments). Scheduling
    exactly what is already pending changes nothing."""
    if timezone.is_naive(when):
        raise ValueError("scheduled jobs need an aware datetime")
    path = _dotted_path(func)
    payload = _json_args(args)
    key = key or f"{path}:{uuid.uuid4().hex}"
    if len(key) > 200:
        raise ValueError("a scheduled job's key has at most 200 characters")
    values = {"func": path, "args": payload, "queue": queue, "run_at": when}
    job = ScheduledJob.objects.select_for_update().filter(key=key).first()
    if job is None:
        try:
            with transaction.atomic():
                job = ScheduledJob.objects.create(key=key, **values)
        except IntegrityError:  # scheduled at the same moment by another request
            job = ScheduledJob.objects.select_for_update().get(key=key)
            _pending_again(job, values)
    elif job.status == ScheduledJob.Status.PENDING and all(
        getattr(job, name) == value for name, value in values.items()
    ):
        return job
    else:
        _pending_again(job, values)
    transaction.on_commit(partial(_hand_over, job.pk, when, queue), robust=True)
    return job


def _pending_again(job: ScheduledJob, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(job, name, value)
    job.status = ScheduledJob.Status.PENDING
    job.attempts = 0
    job.last_error = ""
    job.last_attempt_at = None
    job.done_at = None
    job.save()


def _hand_over(job_id: int, when: dt.datetime, queue: str) -> None:
    """After the commit: give the job to RQ's scheduler. Without Redis (in
    process), a job already due runs now and a later one waits for the sweep."""
    from .tasks import scheduled_job_run as task

    if settings.JOBS_IN_PROCESS:
        if when <= timezone.now():
            scheduled_job_run(job_id=job_id)
        return
    queue_put(task, (job_id,), {}, queue, at=when)


def scheduled_job_cancel(*, key: str) -> bool:
    """Cancel the pending job of `key`; True if there was one."""
    return bool(
        ScheduledJob.objects.filter(key=key, status=ScheduledJob.Status.PENDING).update(
            status=ScheduledJob.Status.CANCELLED, updated_at=timezone.now()
        )
    )


def scheduled_job_run(*, job_id: int) -> bool:
    """Run the job if it is pending and due; True if it ran and succeeded.

    The row stays locked while the job runs, and the job's writes happen in
    the same transaction as the row turning `done`: a job raced by the sweep
    and a worker, or handed to RQ twice, runs once. A job that raises has its
    writes rolled back and stays pending (the sweep retries it)."""
    with transaction.atomic():
        job = ScheduledJob.objects.select_for_update().filter(pk=job_id).first()
        now = timezone.now()
        if job is None or job.status != ScheduledJob.Status.PENDING or job.run_at > now:
            return False
        job.attempts += 1
        job.last_attempt_at = now
        try:
            with transaction.atomic():
                import_string(job.func)(*job.args)
        except Exception as exc:
            logger.exception("scheduled job %s (%s) failed", job.key, job.func)
            job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if job.attempts >= MAX_ATTEMPTS:
                job.status = ScheduledJob.Status.FAILED
            job.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
            return False
        job.status = ScheduledJob.Status.DONE
        job.done_at = timezone.now()
        job.save(update_fields=["attempts", "last_attempt_at", "status", "done_at"])
        return True


def scheduled_jobs_due(
    *, grace: dt.timedelta = dt.timedelta(0), limit: int = 500
) -> list[ScheduledJob]:
    """Pending jobs due for at least `grace` (the time RQ's scheduler gets to
    run them first) whose retry pause, after a failure, has passed."""
    now = timezone.now()
    candidates = ScheduledJob.objects.filter(
        status=ScheduledJob.Status.PENDING, run_at__lte=now - grace
    ).order_by("run_at", "pk")[:limit]
    return [
        job
        for job in candidates
        if job.last_attempt_at is None or job.last_attempt_at + retry_pause(job.attempts) <= now
    ]
