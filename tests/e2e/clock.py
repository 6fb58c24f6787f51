"""The production stack's clock, moved by a test: the server and the worker
read a file (`CIIC_E2E_CLOCK`) holding an ISO instant, and from then on their
clocks run (tick) from that instant. Empty or absent file: real time.

Used by the gunicorn hook (`gunicorn_clock.py`, before every request: a sync
worker serves one request at a time) and as a launcher for management
commands (`python -m tests.e2e.clock manage.py rqworker --burst ...`), so the
call's dates come round as they would in production: the scheduled jobs fall
due, voting opens and closes, and nothing else in the stack is replaced."""

from __future__ import annotations

import datetime as dt
import os
import runpy
import sys
from typing import Any

_current: tuple[str, Any] | None = None


def follow() -> None:
    """Travel to the instant in the clock file (once per change of it)."""
    global _current
    path = os.environ.get("CIIC_E2E_CLOCK", "")
    if not path:
        return
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read().strip()
    except FileNotFoundError:
        text = ""
    travel(text)


def travel(text: str) -> None:
    """Run the clock from the ISO instant `text` (empty: real time)."""
    global _current
    if _current is not None and _current[0] == text:
        return
    if _current is not None:
        _current[1].stop()
        _current = None
    if text:
        import time_machine

        traveller = time_machine.travel(dt.datetime.fromisoformat(text), tick=True)
        traveller.start()
        _current = (text, traveller)


def _commands(argv: list[str]) -> None:
    """`manage.py A ... + B ...`: the commands one after the other, in one
    process (what cron runs every few minutes, without a start-up each). A
    group `@INSTANT` moves this process's clock there (what the clock file
    would say when cron comes round again)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciic.settings.production")
    from django.core.management import execute_from_command_line

    group: list[str] = []
    for arg in [*argv[1:], "+"]:
        if arg != "+":
            group.append(arg)
        elif len(group) == 1 and group[0].startswith("@"):
            travel(group[0][1:])
            group = []
        elif group:
            execute_from_command_line([argv[0], *group])
            group = []


if __name__ == "__main__":
    follow()
    script, *rest = sys.argv[1:]
    if "+" in rest:
        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
        _commands([script, *rest])
    else:
        sys.argv = [script, *rest]
        runpy.run_path(script, run_name="__main__")
