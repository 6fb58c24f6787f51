"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Never `playwright install`: the system browser at /usr/bin/chromium is used."""

import os
import shutil

import pytest

from .production_data import voting_call  # noqa: F401 - a fixture
from .stack import production_static, stack, stack_factory  # noqa: F401 - fixtures of the production stack

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="ro-RO")
    external: list[str] = []

    def _track(request):  # type: ignore[no-untyped-def]
        if not request.url.startswith((live_server.url, "data:", "blob:", "about:")):
            external.append(request.url)

    context.on("request", _track)
    page = context.new_page()
    page.external_requests = external  # type: ignore[attr-defined]
    yield page
    context.close()
    assert external == [], f"the page tried to reach other hosts: {external}"


@pytest.fixture
def open_call(areas):  # type: ignore[no-untyped-def]
    """A call whose submission phase is open today (the live server runs on
    real time), accepting every category."""
    from decimal import Decimal

    from django.utils import timezone

    from proposals.calls import call_schedule_open
    from proposals.models import Category
    from proposals.services import call_create

    today = timezone.localdate()
    return call_create(
        actor=None,
        name="Bugetare participativă — test",
        slug="bp-test",
        year=today.year,
        total_budget=Decimal("5000000"),
        max_cost_per_proposal=Decimal("500000"),
        **call_schedule_open(today=today),
        categories={c.value: "" for c in Category},
    )
