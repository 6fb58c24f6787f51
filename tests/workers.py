"""Background workers in tests: a Redis whose connection a test can cut
(fakeredis, in this process) and a real `manage.py rqworker` in another
process against the test database (PostgreSQL + the real Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there


def use_fake_redis(monkeypatch: Any, settings: Any) -> Any:
    """Point django-rq at an in-memory Redis; returns its server, whose
    `connected = False` emulates an outage. The configured address is one where
    nothing listens, so no job can reach a real Redis by mistake."""
    import django_rq.connection_utils
    import django_rq.queues
    import fakeredis

    settings.RQ_QUEUES = {"default": {"URL": UNREACHABLE_REDIS, "DEFAULT_TIMEOUT": 60}}
    server = fakeredis.FakeServer()

    def connect(config: Any, use_strict_redis: bool = False) -> Any:
        return fakeredis.FakeRedis(server=server)

    monkeypatch.setattr(django_rq.connection_utils, "get_redis_connection", connect)
    monkeypatch.setattr(django_rq.queues, "get_redis_connection", connect)
    return server


def run_rqworker(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py rqworker --burst ARGS default` in another process, on this
    test's database and on REDIS_URL; `env` adds to its environment."""
    from django.db import connection

    db = connection.settings_dict
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ciic.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "JOBS_IN_PROCESS": "false",
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "rqworker", "--burst", *args, "default"],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
