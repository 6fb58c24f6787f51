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

Once, for everything committed so far
    `enqueue_coalesced(func, key=...)` after many commits in a burst (a receipt
    email per ballot) hands `func()` to Redis once: a flag in Redis says a run
    is queued and has not started; the job clears it first
    (`coalesced_started(key)`) and then does all the pending work it finds, so
    whatever was committed before it started is its work, and whatever is
    committed later queues the next run. The work itself must be persisted
    (the sweep stays the safety net).

Every job must be idempotent: a job may run twice (a retry after a lost
acknowledgement, a sweep racing a worker). Scheduled jobs run inside a
transaction holding their row's lock, so their database writes (and the mail
they queue with `ciic.notifications.services.notify`) happen exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import weakref
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from .models import ScheduledJob

logger = logging.getLogger(__name__)

__all__ = [
    "coalesced_started",
    "dispatch",
    "enqueue",
    "enqueue_at",
    "enqueue_coalesced",
    "enqueue_in",
    "job_cancel",
    "queue_put",
]


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


# How long a "run queued" flag of `enqueue_coalesced` lives if the run it
# announces never starts (a Redis flushed, a job lost): then the next commit
# queues a run again.
COALESCED_FLAG_SECONDS = 60


def _coalesced_flag(key: str) -> str:
    return f"ciic:jobs:coalesced:{key}"


def enqueue_coalesced(
    func: Callable[[], Any], *, key: str, queue: str = "default", settle: float = 0
) -> None:
    """After the current transaction commits, make sure a run of `func()`
    starts later than now: hand it to Redis, unless a run of `key` is already
    queued and has not started yet (its flag is set), which will then find
    this transaction's work. One Redis command per call instead of a job per
    call. `func` takes no arguments, calls `coalesced_started(key)` before it
    reads what to do, then does all the pending work it finds (idempotent).
    In-process (`JOBS_IN_PROCESS`) it runs after the commit, as `enqueue`.

    `settle`: the `settle` the job passes to `coalesced_started`. A run
    queued when its flag was set, at T, reads no earlier than T + settle (it
    starts after T and waits that long), so a commit made before then is its
    work: for half that time after learning T (the flag's value) this process
    sends Redis nothing at all (voting day: one command per process every
    quarter of a second or so, not one per ballot). Should that run not have
    been queued after all (Redis failing), the sweep delivers the work."""
    transaction.on_commit(partial(_coalesced_dispatch, func, key, queue, settle), robust=True)


# {flag: wall-clock time until which a queued run will still find a commit}
_COALESCED_COVERED: dict[str, float] = {}


def _wall_clock() -> float:
    return time.time()


def _coalesced_dispatch(func: Callable[[], Any], key: str, queue: str, settle: float = 0) -> None:
    if settings.JOBS_IN_PROCESS:
        dispatch(func, (), {}, queue)
        return
    flag = _coalesced_flag(key)
    now = _wall_clock()
    if settle > 0 and now < _COALESCED_COVERED.get(flag, 0.0):
        return  # the run queued with the flag reads after this commit
    try:
        redis = _rq_queue(queue).connection
        try:  # the flag's value: when it was set
            previous = redis.set(flag, repr(now), nx=True, ex=COALESCED_FLAG_SECONDS, get=True)
        except Exception as exc:
            if "syntax" not in str(exc).lower():
                raise
            # Redis < 7 has no SET NX GET: whether the flag was there is enough.
            previous = None if redis.set(flag, 1, nx=True, ex=COALESCED_FLAG_SECONDS) else b"0"
        if previous is not None:
            if settle > 0:
                try:
                    since = float(previous)
                except ValueError:
                    since = 0.0
                _COALESCED_COVERED[flag] = since + settle / 2
            return  # a run is queued and has not started: it will find this work
    except Exception as exc:  # Redis unreachable: the sweep will do the work
        logger.warning("could not enqueue %s (%s); the sweep will retry", job_name(func), exc)
        return
    if not queue_put(func, (), {}, queue):
        try:
            redis.delete(flag)
        except Exception:  # noqa: S110 - the flag expires by itself
            pass
        return
    if settle > 0:
        _COALESCED_COVERED[flag] = now + settle / 2


def coalesced_started(key: str, queue: str = "default", *, settle: float = 0) -> None:
    """Called first by a job of `enqueue_coalesced`: from now on a commit
    queues another run (this one may not see it). `settle`: seconds to wait
    first, while commits still rely on this run, so that a burst is one run
    (a job costs the worker a process fork). If Redis cannot be reached the
    flag expires by itself (`COALESCED_FLAG_SECONDS`)."""
    if settings.JOBS_IN_PROCESS:
        return
    if settle > 0:
        time.sleep(settle)
    try:
        _rq_queue(queue).connection.delete(_coalesced_flag(key))
    except Exception as exc:
        logger.warning("could not clear the flag of %s (%s)", key, exc)


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
