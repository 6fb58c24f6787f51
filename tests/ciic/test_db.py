"""ciic.db: a persistent connection whose server hung up is found by its socket."""

import time

import psycopg
import pytest
from django.db import connection

from ciic.db import hung_up


def _raw_connection() -> psycopg.Connection:  # type: ignore[type-arg]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("server_side_binding", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.django_db
@pytest.mark.postgres
def test_an_idle_connection_is_fine_and_a_terminated_one_hung_up() -> None:
    raw = _raw_connection()
    try:
        raw.execute("SELECT 1")
        assert hung_up(raw) is False
        pid = raw.info.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while not hung_up(raw) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hung_up(raw) is True
    finally:
        raw.close()
    assert hung_up(raw) is True  # closed


def test_request_start_closes_only_hung_up_connections_outside_a_transaction(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import ciic.db

    class Conn:
        vendor = "postgresql"

        def __init__(self, *, dead: bool, atomic: bool = False) -> None:
            self.connection = {"dead": dead}
            self.in_atomic_block = atomic
            self.closed = False

        def close(self) -> None:
            self.closed = True

    conns = [Conn(dead=True), Conn(dead=False), Conn(dead=True, atomic=True)]

    class All:
        def all(self, initialized_only: bool = False) -> list[Conn]:
            return conns

    monkeypatch.setattr(ciic.db, "connections", All())
    monkeypatch.setattr(ciic.db, "hung_up", lambda raw: raw["dead"])
    ciic.db.close_hung_up_connections()
    assert [c.closed for c in conns] == [True, False, False]
