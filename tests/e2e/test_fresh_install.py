"""A fresh installation, as `make run` makes it: a new SQLite database migrated
and seeded by `manage.py` in separate processes, served by `runserver`. The demo
facilitator logs in for real (password, then the TOTP code of the demo secret)
and edits pages in Wagtail: the role groups got their permissions from the
migrations alone, and every link of the staff home opens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import REPO_ROOT
from tests.serverproc import sqlite_copy

from .stack import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.own_db]

DEMO_PASSWORD = "ciic6-demo-2025"  # printed by seed_demo, in the README


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def fresh_site(tmp_path_factory, sqlite_template):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("fresh-install")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ciic.settings.dev",
        # a copy of a new SQLite file migrated by `manage.py migrate` in a subprocess
        # (tests/conftest.py: made once per test process, as `make run` migrates)
        "DATABASE_URL": sqlite_copy(sqlite_template, root / "db.sqlite3"),
        "MEDIA_ROOT": str(root / "media"),
        "REDIS_URL": "",  # `make run`: jobs in-process, no Redis
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        result = subprocess.run(  # noqa: S603
            manage + command,
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/accounts/login/", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the fresh site did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_facilitator_of_a_fresh_install_edits_pages_in_wagtail(browser, fresh_site):
    context = browser.new_context(base_url=fresh_site, locale="ro-RO")
    external: list[str] = []
    context.on(
        "request",
        lambda r: (
            external.append(r.url)
            if not r.url.startswith((fresh_site, "data:", "blob:", "about:"))
            else None
        ),
    )
    page = context.new_page()
    try:
        from ciic.accounts.demo import DEMO_TOTP_SECRET

        log_in(
            page,
            "facilitator@demo.ciic6.ro",
            password=DEMO_PASSWORD,
            totp=True,
            secret=DEMO_TOTP_SECRET,
        )

        response = page.goto("/cms-admin/")
        assert response is not None and response.status == 200
        assert "/cms-admin/" in page.url
        response = page.goto("/cms-admin/pages/")
        assert response is not None and response.status == 200
        edit_links = page.locator("a[href*='/edit/']")
        assert edit_links.count() >= 1
        href = edit_links.first.get_attribute("href")
        response = page.goto(href)
        assert response is not None and response.status == 200
        assert page.locator("form input[name=title]").count() == 1  # the page editor

        # Every link on the staff home leads somewhere the facilitator may go.
        page.goto("/staff/")
        hrefs = {
            a.get_attribute("href")
            for a in page.locator("main a[href^='/']").all()
            if a.get_attribute("href")
        }
        assert hrefs
        for href in sorted(hrefs):
            response = page.goto(href)
            assert response is not None and response.status == 200, href
    finally:
        context.close()
    assert external == [], f"the page tried to reach other hosts: {external}"
