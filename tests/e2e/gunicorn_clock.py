"""gunicorn configuration of the end-to-end stack: production settings, and the
test's clock (tests/e2e/clock.py) followed before every request."""

from tests.e2e.clock import follow


def pre_request(worker, req):  # type: ignore[no-untyped-def]
    follow()
