"""Background jobs: the one way every app runs work later.

Now, after the commit
    `enqueue(func, *args)` runs `func(*args)` once the current transaction
    commits: in-process with `JOBS_IN_PROCESS` (no Redis: `make run`, most
    tests), otherwise on an `rqworker`. Whatever the job acts on must already be
    persisted, so an outage only delays it: a periodic sweep (`manage.py
    jobs_sweep`, the sweeps in `settings.JOB_SWEEPS`) hands pending work over
    again, and runs it itself while Redis is unreachable.

At a given time
    `enqueue_at(when, func, *args, key=...)` and `enqueue_in(delta, func, *args,
    key=...)` write a `ciic.jobs.models.ScheduledJob` row in the caller's
    transaction, then hand it to RQ's scheduler (`rqworker --with-scheduler`).
    The row is the truth: the job runs when it is due and still pending, once;
    if Redis was down when it was scheduled or when it fell due, the sweep runs
    it. The `key` names the work ("workshop-reminder:42", "voting-close:7"):
    scheduling the same key again *moves* it (new time, new arguments, pending
    again), `job_cancel(key)` cancels it. `func` must be a module-level function
    (it is stored by dotted path) and `args` JSON values (ids, not objects).

Every job must be idempotent: a job may run twice (a retry after a lost
acknowledgement, a sweep racing a worker). Scheduled jobs run inside a
transaction holding their row's lock, so their database writes (and the mail
they queue with `ciic.notifications.services.notify`) happen exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from .models import ScheduledJob

logger = logging.getLogger(__name__)

__all__ = ["dispatch", "enqueue", "enqueue_at", "enqueue_in", "job_cancel", "queue_put"]


def enqueue(func: Callable[..., Any], *args: Any, queue: str = "default", **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` in the background after the current
    transaction commits (at once when there is none)."""
    transaction.on_commit(partial(dispatch, func, args, kwargs, queue), robust=True)


def job_name(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


# One Redis connection pool per process and queue configuration: django-rq's
# `get_queue` opens a new connection (and handshake) on every call, which a
# request that enqueues a job (every ballot's receipt) would pay each time.
# Keyed weakly by django-rq's connection factory, so a test that replaces it
# (an in-memory Redis) gets its own connection and nothing outlives the test.
_RQ_CONNECTIONS: weakref.WeakKeyDictionary[Callable[..., Any], dict[str, Any]] = (
    weakref.WeakKeyDictionary()
)


def _rq_queue(name: str) -> Any:
    import django_rq
    import django_rq.queues

    factory = django_rq.queues.get_redis_connection
    config = settings.RQ_QUEUES[name]
    by_config = _RQ_CONNECTIONS.setdefault(factory, {})
    key = repr(sorted(config.items()))
    connection = by_config.get(key)
    if connection is None:
        connection = by_config[key] = factory(config)
    return django_rq.get_queue(name, connection=connection)


def queue_put(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    queue: str = "default",
    *,
    at: dt.datetime | None = None,
) -> bool:
    """Hand a job to Redis (RQ), now or, with `at`, to RQ's scheduler. Returns
    False, after logging, when Redis cannot be reached; never raises for that."""
    try:
        rq_queue = _rq_queue(queue)
        if at is None:
            rq_queue.enqueue(func, *args, **kwargs)
        else:
            rq_queue.enqueue_at(at, func, *args, **kwargs)
    except Exception as exc:  # redis.exceptions.RedisError and connection errors
        logger.warning("could not enqueue %s (%s); the sweep will retry", job_name(func), exc)
        return False
    return True


def dispatch(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    queue: str = "default",
    *,
    fallback_in_process: bool = False,
) -> bool:
    """Run or enqueue now. Returns False when the job could not be handed over
    or failed in-process (the sweep will retry it); never raises for that.

    `fallback_in_process`: when Redis cannot be reached, run the job here
    instead (what the sweeps do, so an outage of Redis delays nothing)."""
    if not settings.JOBS_IN_PROCESS:
        if queue_put(func, args, kwargs, queue):
            return True
        if not fallback_in_process:
            return False
    try:
        func(*args, **kwargs)
    except Exception:
        logger.exception("in-process job %s failed; the sweep will retry", job_name(func))
        return False
    return True


def enqueue_at(
    when: dt.datetime,
    func: Callable[..., Any],
    *args: Any,
    key: str | None = None,
    queue: str = "default",
) -> ScheduledJob:
    """Run `func(*args)` at `when` (an aware datetime). With `key`, replaces
    (moves) any job scheduled under the same key. Returns the row."""
    from .services import scheduled_job_set

    return scheduled_job_set(when=when, func=func, args=args, key=key, queue=queue)


def enqueue_in(
    delta: dt.timedelta,
    func: Callable[..., Any],
    *args: Any,
    key: str | None = None,
    queue: str = "default",
) -> ScheduledJob:
    """Run `func(*args)` after `delta` from now. See `enqueue_at`."""
    from django.utils import timezone

    return enqueue_at(timezone.now() + delta, func, *args, key=key, queue=queue)


def job_cancel(key: str) -> bool:
    """Cancel the pending job scheduled under `key`. True if one was pending."""
    from .services import scheduled_job_cancel

    return scheduled_job_cancel(key=key)
