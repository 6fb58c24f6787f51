"""Run callables at the same moment on real, separate database connections.

Used by the PostgreSQL race tests (one verified identity per person, gapless
references, per-resident limits; ballots and workshop capacity later)."""

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def race(jobs: Sequence[Callable[[], object]], *, timeout: float = 120) -> list[object]:
    """Start every job behind one barrier, each in its own thread (so its own
    connection). Returns each job's result, or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
