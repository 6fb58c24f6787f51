"""The gate that keeps the live server's requests inside the test that caused
them (`tests.live`): the end of a test waits for a request being served, and
a request arriving after it is refused without reaching the application."""

import threading
import time

from tests.live import QUIET_SECONDS, LiveServerGate


def _start_response(status, headers):  # type: ignore[no-untyped-def]
    _start_response.status = status  # type: ignore[attr-defined]


def test_the_end_of_a_test_waits_for_a_request_and_then_refuses_new_ones():
    entered, release, calls = threading.Event(), threading.Event(), []

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        calls.append(environ["PATH_INFO"])
        entered.set()
        release.wait(5)
        start_response("200 OK", [])
        return [b"ok"]

    gate = LiveServerGate(app)

    def serve() -> None:
        result = gate({"REQUEST_METHOD": "POST", "PATH_INFO": "/release/"}, _start_response)
        b"".join(result)
        time.sleep(0.2)  # the server writes the body before it closes the response
        result.close()

    server = threading.Thread(target=serve)
    server.start()
    assert entered.wait(5)
    ended_at: list[float] = []

    def end_test() -> None:
        gate.settle_and_close()
        ended_at.append(time.monotonic())

    ending = threading.Thread(target=end_test)
    ending.start()
    time.sleep(0.3)
    assert ended_at == []  # still serving /release/
    released_at = time.monotonic()
    release.set()
    server.join(5)
    ending.join(5)
    assert ended_at and ended_at[0] - released_at >= 0.2

    assert b"".join(gate({"PATH_INFO": "/late/"}, _start_response)) != b"ok"
    assert _start_response.status.startswith("503")  # type: ignore[attr-defined]
    assert calls == ["/release/"]

    gate.open()  # the next test
    assert b"".join(gate({"PATH_INFO": "/next/"}, lambda s, h: None)) == b"ok"


def test_the_end_of_a_test_waits_for_a_quiet_moment():
    gate = LiveServerGate(lambda environ, start_response: [b""])
    gate({"PATH_INFO": "/"}, _start_response).close()
    started = time.monotonic()
    assert gate.settle_and_close() == []
    assert time.monotonic() - started >= QUIET_SECONDS * 0.9
