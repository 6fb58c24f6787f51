"""The periodic sweep (`manage.py jobs_sweep`): every function listed in
`settings.JOB_SWEEPS`, each idempotent, each returning how much it handled."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def sweep_once(*, report: Callable[[str], object] | None = None) -> dict[str, int]:
    """Run every sweep once. A sweep that fails is logged and the others run."""
    counts: dict[str, int] = {}
    for dotted in settings.JOB_SWEEPS:
        try:
            counts[dotted] = int(import_string(dotted)() or 0)
        except Exception:
            logger.exception("sweep %s failed", dotted)
            counts[dotted] = -1
        if report is not None:
            report(f"{dotted}: {counts[dotted]}")
    return counts


def sweep_forever(
    interval: float,
    *,
    report: Callable[[str], object] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Sweep every `interval` seconds until `stop` is set (or forever)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()
        sweep_once(report=report)
        close_old_connections()
        stop.wait(interval)


def sweep_thread_start(interval: float) -> threading.Thread:
    """The development server's sweep: a daemon thread, first run after a few
    seconds (so the server answers first), then every `interval` seconds."""

    def run() -> None:
        time.sleep(min(interval, 5))
        sweep_forever(interval)

    thread = threading.Thread(target=run, name="ciic-jobs-sweep", daemon=True)
    thread.start()
    return thread
