"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Never `playwright install`: the system browser at /usr/bin/chromium is used."""

import os
import shutil

import pytest

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
