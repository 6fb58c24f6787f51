"""The production stack for end-to-end tests: gunicorn with the production
settings on the test's PostgreSQL database, Redis (REDIS_URL), a real
`manage.py rqworker` run when a test says the worker's turn has come, and the
mail delivered by the outbox to files.

The test database is pytest-django's (the tests are transactional, so what a
test writes is committed and the server sees it). Time: a test moves the
stack's clock with `Stack.clock(instant)` (tests/e2e/clock.py); the test
process keeps the real time.

Every browser context a test opens with `Stack.context()` is watched: a
request to another host, a console error, an uncaught script error or an
answer 500 or above fails the test (`Stack.check()`, called by the fixture
at the end). `Stack.shot(page, name)` keeps a screenshot under
var/e2e-artifacts/<test>/ (kept by CI as the run's artefacts)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.serverproc import free_port

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", REPO / "var" / "e2e-artifacts"))
PASSWORD = "correct-horse-battery"  # tests.factories' password


def stack_skip_reason() -> str | None:
    """Why the production stack cannot run here (None: it can)."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return "the production stack needs PostgreSQL (set DATABASE_URL)"
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "the production stack needs Redis (set REDIS_URL)"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis at {url} is not reachable ({exc})"
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        return "gunicorn is not installed in the virtualenv"
    return None


def production_env(db_url: str, redis_url: str, root: Path, **extra: str) -> dict[str, str]:
    """The environment of the production settings (as the README's production
    section sets it), on loopback without TLS."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "DJANGO_", "_CIIC_")) and k != "REDIS_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ciic.settings.production",
        SECRET_KEY="e2e-" + secrets.token_urlsafe(48),
        CNP_HASH_KEY="e2e-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        STATIC_ROOT=str(root / "static"),
        MEDIA_ROOT=str(root / "media"),
        OUTBOX_DELIVERY_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(root / "mail"),
        CIIC_E2E_CLOCK=str(root / "clock"),
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def test_db_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def collectstatic(root: Path, redis_url: str) -> None:
    env = production_env("postgres://unused@127.0.0.1:1/unused", redis_url, root)
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


class Stack:
    def __init__(
        self, root: Path, static_root: Path, artifacts: Path, *, redis_url: str = "", **extra: str
    ) -> None:
        self.root = root
        self.redis_url = redis_url or os.environ["REDIS_URL"]
        self.env = production_env(test_db_url(), self.redis_url, root, **extra)
        self.env["STATIC_ROOT"] = str(static_root)
        (root / "media").mkdir(parents=True, exist_ok=True)
        (root / "mail").mkdir(exist_ok=True)
        self.clock_file = root / "clock"
        self.clock_file.write_text("")
        self.artifacts = artifacts
        self.shots = 0
        self.external: list[str] = []
        self.console_errors: list[str] = []
        self.server_errors: list[str] = []
        self.contexts: list[Any] = []
        self.expected_console: list[str] = []  # see expect_console()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = root / "gunicorn.log"

    # --- the server ---------------------------------------------------------------------

    def start(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env["SITE_URL"] = self.url
        self._log = self.log.open("w")
        self.proc = subprocess.Popen(  # noqa: S603 - gunicorn of the virtualenv
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "ciic.wsgi",
                "-c",
                str(REPO / "tests" / "e2e" / "gunicorn_clock.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
            ],
            cwd=REPO,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{self.log.read_text()[-5000:]}")
            try:
                if requests.get(f"{self.url}/accounts/login/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()[-5000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        for ctx in self.contexts:
            try:
                ctx.close()
            except Exception:  # noqa: S110 - the browser may be gone already
                pass
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self._log.close()

    # --- time, the worker, management commands ---------------------------------------------

    def clock(self, instant: Any | None) -> None:
        """From now on the server's and the worker's clocks run from `instant`
        (an aware datetime); None: real time again."""
        self.clock_file.write_text(instant.isoformat() if instant is not None else "")

    def manage(self, *args: str, timeout: float = 300, **extra: str) -> str:
        """`manage.py ARGS` with the production settings, on the stack's clock."""
        proc = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "-m", "tests.e2e.clock", "manage.py", *args],
            cwd=REPO,
            env={**self.env, **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own group: a timeout ends the work horses too
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            raise AssertionError(f"manage.py {' '.join(args)} hung:\n{out}\n{err}") from None
        assert proc.returncode == 0, f"manage.py {' '.join(args)}:\n{out}\n{err}"
        return out + err

    def worker(self, **extra: str) -> str:
        """One burst of a real worker: RQ's scheduler hands over what is due,
        the worker runs everything queued, then stops."""
        return self.manage("rqworker", "--burst", "--with-scheduler", "default", **extra)

    def sweep(self) -> str:
        """What cron runs every few minutes in production."""
        return self.manage("jobs_sweep")

    def cron(self, *instants: Any) -> str:
        """The sweep, then a burst of the worker (one process); with
        `instants` (aware datetimes), both at each instant in turn, in that
        one process (cron coming round, without a start-up each time), the
        stack's clock left at the last."""
        tick = ["jobs_sweep", "+", "rqworker", "--burst", "--with-scheduler", "default"]
        if not instants:
            return self.manage(*tick)
        args: list[str] = []
        for instant in instants:
            args += ["+", f"@{instant.isoformat()}", "+", *tick]
        self.clock(instants[-1])
        return self.manage(*args[1:])

    # --- mail ---------------------------------------------------------------------------------

    def mail(self) -> list[dict[str, str]]:
        """Every message the outbox delivered (the file backend's files)."""
        out = []
        for path in sorted((self.root / "mail").glob("*.log")):
            for raw in path.read_text(encoding="utf-8").split("-" * 79):
                if not raw.strip():
                    continue
                import email
                from email import policy

                msg = email.message_from_string(raw.strip(), policy=policy.default)
                body = msg.get_body(preferencelist=("plain",))
                out.append(
                    {
                        "to": str(msg["To"]),
                        "subject": str(msg["Subject"]),
                        "body": body.get_content() if body is not None else "",
                    }
                )
        return out

    def mail_to(self, address: str) -> list[dict[str, str]]:
        return [m for m in self.mail() if address.lower() in m["to"].lower()]

    def link_in(self, message: dict[str, str], pattern: str) -> str:
        """The path of the first link in `message` matching `pattern`."""
        found = re.search(rf"https?://[^/\s]+({pattern}\S*)", message["body"])
        assert found, message["body"]
        return found.group(1)

    # --- the browser -------------------------------------------------------------------------

    def context(self, browser: Any, **options: Any) -> Any:
        options.setdefault("locale", "ro-RO")
        ctx = browser.new_context(base_url=self.url, **options)
        self.contexts.append(ctx)

        def request(req: Any) -> None:
            if not req.url.startswith((self.url, "data:", "blob:", "about:")):
                self.external.append(req.url)

        def response(resp: Any) -> None:
            if resp.status >= 500:
                self.server_errors.append(f"{resp.status} {resp.request.method} {resp.url}")

        def console(msg: Any) -> None:
            if msg.type == "error":
                text = f"{msg.text} ({msg.location.get('url', '')})"
                if not any(re.search(p, text) for p in self.expected_console):
                    self.console_errors.append(text)

        def new_page(page: Any) -> None:
            page.on("console", console)
            page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught: {exc}"))

        ctx.on("request", request)
        ctx.on("response", response)
        ctx.on("page", new_page)
        return ctx

    def expect_console(self, pattern: str) -> None:
        """A console error the test provokes on purpose (e.g. the browser's
        note on a page answered 400 for a refused form); `pattern` is a regex."""
        self.expected_console.append(pattern)

    def page(self, browser: Any, **options: Any) -> Any:
        return self.context(browser, **options).new_page()

    def shot(self, page: Any, name: str) -> None:
        self.shots += 1
        self.artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.artifacts / f"{self.shots:02d}-{name}.png"), full_page=True)

    def check(self) -> None:
        """No request left the host, no console error, no server error."""
        assert self.external == [], f"requests to other hosts: {self.external}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.server_errors == [], f"server errors: {self.server_errors}"


def log_in(
    page: Any, email: str, *, password: str = PASSWORD, totp: bool = False, secret: str = ""
) -> None:
    """allauth's log-in form, then the TOTP step with the code of `secret`
    (default: tests.auth's) when `totp` (real time: log staff in before
    moving the stack's clock). The one log-in of the browser tests."""
    from tests.auth import TOTP_SECRET, totp_code

    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    if totp:
        assert "/accounts/2fa/authenticate/" in page.url, page.url
        page.fill("input[name=code]", totp_code(secret or TOTP_SECRET))
        with page.expect_navigation():
            page.locator("form:has(input[name=code]) [type=submit]").first.click()
    assert "/accounts/login/" not in page.url, page.url


def submit(page: Any, selector: str = "main form [type=submit]") -> None:
    with page.expect_navigation(timeout=60_000):
        page.locator(selector).first.click()


@pytest.fixture(scope="session")
def production_static(tmp_path_factory: Any) -> Path:
    reason = stack_skip_reason()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("e2e-static")
    collectstatic(root, os.environ["REDIS_URL"])
    return root / "static"


@pytest.fixture
def stack_factory(
    request: Any, transactional_db: Any, production_static: Path, tmp_path: Path, settings: Any
) -> Iterator[Any]:
    """`stack_factory(redis_url=..., **env)` starts gunicorn (production
    settings) on this test's database, with these additions to its
    environment; the test's artefacts go under var/e2e-artifacts/<test name>/.
    Request it before the fixtures that create accounts: their passwords are
    then hashed the way production checks them (the test settings' fast hasher
    is not there)."""
    from django.conf import global_settings
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    cache.clear()  # the Redis database the server, the worker and the test share
    name = re.sub(r"[^\w-]+", "-", request.node.name).strip("-")
    artifacts = ARTIFACTS / name
    shutil.rmtree(artifacts, ignore_errors=True)
    started: list[Stack] = []

    def start(**extra: str) -> Stack:
        s = Stack(tmp_path / f"stack{len(started)}", production_static, artifacts, **extra)
        started.append(s)
        s.start()
        return s

    try:
        yield start
        for s in started:
            s.check()
    finally:
        for n, s in enumerate(started):
            s.stop()
            if s.log.exists():
                artifacts.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(s.log, artifacts / f"gunicorn{n or ''}.log")


@pytest.fixture
def stack(stack_factory: Any) -> Stack:
    """gunicorn (production settings) on this test's database and Redis
    (REDIS_URL); see `stack_factory`."""
    return stack_factory()  # type: ignore[no-any-return]
