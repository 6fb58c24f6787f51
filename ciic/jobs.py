"""Background jobs, the one way every app enqueues work.

`enqueue` schedules a job for after the current transaction commits. With
`JOBS_IN_PROCESS` (no Redis configured: development, most tests) the job runs
right there, in-process; otherwise it goes to django-rq and an `rqworker` runs
it. A job must be safe to run again: whatever it acts on is persisted before
it is enqueued, so a Redis or worker outage only delays it and the periodic
sweep (`manage.py jobs_sweep`) enqueues it again.
"""

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(func: Callable[..., Any], *args: Any, queue: str = "default", **kwargs: Any) -> None:
    transaction.on_commit(partial(dispatch, func, args, kwargs, queue), robust=True)


def dispatch(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], queue: str = "default"
) -> bool:
    """Run or enqueue now. Returns False when the job could not be handed over
    (it will be retried by the sweep), never raises for that."""
    name = f"{func.__module__}.{func.__qualname__}"
    if settings.JOBS_IN_PROCESS:
        try:
            func(*args, **kwargs)
        except Exception:
            logger.exception("in-process job %s failed; the sweep will retry", name)
            return False
        return True
    try:
        import django_rq

        django_rq.get_queue(queue).enqueue(func, *args, **kwargs)
    except Exception as exc:  # redis.exceptions.RedisError and connection errors
        logger.warning("could not enqueue %s (%s); the sweep will retry", name, exc)
        return False
    return True
