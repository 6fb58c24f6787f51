"""A real server process on a real database, for the tests that must see what
production sees: several requests at the same moment, each on its own thread
and its own database connection, through the real login.

`migrated_sqlite(path)` migrates a fresh SQLite file in a subprocess (the way
`make run` does), `setup_in(db_url, "module:function", **kwargs)` runs a
set-up function against it in another subprocess and returns what it returns
(JSON), and `ServerProcess` serves it with `manage.py runserver` (threaded, as
`make run` serves it). `storm(...)` fires requests behind one barrier.

Ports: `TEST_SERVER_PORTS=8130-8139` picks a free port in that range (to share
a machine with other servers); unset, the system picks a free port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
MANAGE = str(REPO_ROOT / "manage.py")


def server_env(db_url: str, *, media_root: Path, **extra: str) -> dict[str, str]:
    """The environment of `make run`: development settings, jobs in-process
    (no Redis), the given database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ciic.settings.dev",
        DATABASE_URL=db_url,
        REDIS_URL="",
        MEDIA_ROOT=str(media_root),
        DEBUG="False",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def migrated_sqlite(path: Path, *, media_root: Path) -> str:
    """Migrate a new SQLite file, as `make run` does; return its DATABASE_URL."""
    url = f"sqlite:///{path}"
    _run([MANAGE, "migrate", "--noinput", "-v", "0"], server_env(url, media_root=media_root))
    return url


def sqlite_copy(template: Path, target: Path) -> str:
    """A copy of a migrated SQLite file (faster than migrating again)."""
    shutil.copyfile(template, target)
    for suffix in ("-wal", "-shm"):
        if Path(f"{template}{suffix}").exists():
            shutil.copyfile(f"{template}{suffix}", f"{target}{suffix}")
    return f"sqlite:///{target}"


def setup_in(db_url: str, target: str, *, media_root: Path, **kwargs: Any) -> Any:
    """Run `module:function(**kwargs)` in a subprocess on that database and
    return its JSON-serialisable result."""
    module, func = target.split(":")
    code = (
        "import json, sys, django; django.setup(); "
        f"from {module} import {func} as f; "
        "print('\\n@@' + json.dumps(f(**json.loads(sys.argv[1]))))"
    )
    out = _run(["-c", code, json.dumps(kwargs)], server_env(db_url, media_root=media_root))
    return json.loads(out.rsplit("\n@@", 1)[1])


def free_port() -> int:
    wanted = os.environ.get("TEST_SERVER_PORTS", "")
    if wanted:
        first, _, last = wanted.partition("-")
        candidates: Sequence[int] = range(int(first), int(last or first) + 1)
    else:
        candidates = [0]
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError(f"no free port in {wanted}")


class ServerProcess:
    """`manage.py runserver --noreload` (one thread per request) in a subprocess."""

    def __init__(self, db_url: str, *, media_root: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log = log.open("w")
        self.proc = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, MANAGE, "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=REPO_ROOT,
            env=server_env(db_url, media_root=media_root),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"the server stopped:\n{self.log.read_text()}")
            try:
                if requests.get(f"{self.url}/accounts/login/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start:\n{self.log.read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def login(base_url: str, email: str, password: str, *, language: str = "en") -> requests.Session:
    """Log in through allauth's real login form; returns the session. The
    pages answer in `language` (the language switch's cookie): English by
    default, as assertions read the English message ids."""
    session = requests.Session()
    session.cookies.set("django_language", language)
    page = session.get(f"{base_url}/accounts/login/", timeout=30)
    assert page.status_code == 200, page.status_code
    response = session.post(
        f"{base_url}/accounts/login/",
        data={
            "login": email,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base_url}/accounts/login/"},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, (response.status_code, response.text[:2000])
    assert "sessionid" in session.cookies
    return session


def storm(
    session: requests.Session, calls: Sequence[Callable[[requests.Session], Any]]
) -> list[Any]:
    """Run each call at the same moment, each on its own thread and its own
    connection (a copy of the session's cookies). Returns the responses, or
    the exceptions raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[requests.Session], Any]) -> None:
        own = requests.Session()
        own.cookies.update(session.cookies)
        try:
            barrier.wait(timeout=30)
            results[i] = call(own)
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return results


def csrf_post(base_url: str, path: str, data: dict[str, str] | None = None) -> Callable[..., Any]:
    """A POST with the session's CSRF token, not following the redirect."""

    def call(session: requests.Session) -> requests.Response:
        return session.post(
            f"{base_url}{path}",
            data={**(data or {}), "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": f"{base_url}{path}"},
            allow_redirects=False,
            timeout=120,
        )

    return call
