"""The live server's requests kept inside the test that caused them.

pytest-django's `live_server` runs in a thread of the test process and, on
an in-memory SQLite database, shares the test's connection object. A request
the browser sends as a test ends (Wagtail's editor releases its editing
session from `pagehide`, a page still fetching) can then run while the test
database is being flushed: the flush fails ("couldn't be flushed"), and the
two threads' interleaved `atomic` blocks can leave the shared connection
marked as inside a transaction, so that a later test on the same worker never
sees its `on_commit` callbacks run. The gate below waits, when a test ends,
until the server has been quiet for a moment, then answers 503 without
touching the database until the next test that uses the server starts.
"""

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

QUIET_SECONDS = 0.3  # no request started for this long: the browser is done
SETTLE_TIMEOUT = 30.0


class _Closing:
    """A WSGI response that reports when the server has closed it."""

    def __init__(self, result: Iterable[bytes], done: Callable[[], None]) -> None:
        self.result = result
        self.done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.done()


class LiveServerGate:
    """Wraps the live server's WSGI application: counts the requests being
    served and refuses new ones between tests."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.changed = threading.Condition()
        self.serving: dict[int, str] = {}
        self.last_start = 0.0
        self.is_open = True
        self._next = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self.changed:
            if not self.is_open:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"the test that used this server has ended"]
            self._next += 1
            token = self._next
            self.serving[token] = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
            self.last_start = time.monotonic()
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._done(token)
            raise
        return _Closing(result, lambda: self._done(token))

    def _done(self, token: int) -> None:
        with self.changed:
            self.serving.pop(token, None)
            self.changed.notify_all()

    def open(self) -> None:
        with self.changed:
            self.is_open = True

    def settle_and_close(self) -> list[str]:
        """Wait until no request is being served and none has started for
        `QUIET_SECONDS`, then refuse new ones. Returns the requests still
        being served after `SETTLE_TIMEOUT` (empty when all went well)."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        with self.changed:
            while True:
                now = time.monotonic()
                quiet_for = now - self.last_start
                if not self.serving and quiet_for >= QUIET_SECONDS:
                    break
                if now >= deadline:
                    break
                wait = QUIET_SECONDS - quiet_for if not self.serving else 0.05
                self.changed.wait(timeout=max(0.01, min(wait, deadline - now)))
            self.is_open = False
            return sorted(self.serving.values())


def live_server_gate(server: Any) -> LiveServerGate:
    """The gate around `server`'s (pytest-django's LiveServer) application,
    installed on first use."""
    httpd = server.thread.httpd
    app = httpd.get_app()
    if not isinstance(app, LiveServerGate):
        app = LiveServerGate(app)
        httpd.set_app(app)
    return app
