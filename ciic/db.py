"""Persistent database connections checked without a round trip.

Django's `CONN_HEALTH_CHECKS` sends `SELECT 1` before the first query of every
request that reuses a connection: on voting day, a round trip (and PostgreSQL
and Python CPU) per ballot to find out what the connection's socket already
says. A PostgreSQL server that goes away (a restart, `pg_terminate_backend`,
a PgBouncer restart) writes its last message ("terminating connection") and
closes the socket; an idle connection's socket otherwise stays silent. So at
the start of each request (`request_started`, with
`DATABASE_SOCKET_CHECKS`, production), a connection whose socket has anything
to read, or that psycopg already knows is closed, is closed, and the request
opens a new one: what the health check achieved, for a `poll()` of the
socket instead of a query. (A host that vanished without closing the socket
would stall `SELECT 1` as well; TCP keepalives are the answer to that.)"""

from __future__ import annotations

import select
from typing import Any

from django.db import connections


def hung_up(raw: Any) -> bool:
    """Whether the psycopg connection `raw` is closed, broken, or has
    something to read while idle (the server's last words, or its EOF)."""
    if raw.closed or getattr(raw, "broken", False):
        return True
    try:
        fd = raw.fileno()
    except Exception:  # closed meanwhile
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def close_hung_up_connections(**kwargs: Any) -> None:
    """`request_started`: close every PostgreSQL connection of this thread
    whose server hung up (see the module's docstring); Django opens a new one
    at the next query."""
    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        if raw is None or conn.vendor != "postgresql" or conn.in_atomic_block:
            continue
        if hung_up(raw):
            conn.close()
