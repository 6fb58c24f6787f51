"""Charts draw in a real browser under the site's Content-Security-Policy,
from our own static files, with no console error and no other host."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.urls("tests.ciic.chart_urls")]


def test_every_chart_draws_offline_under_the_csp(page, live_server):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/test-charts/")
    page.wait_for_function("document.querySelectorAll('.chart-drawn').length === 3")
    # plotly drew SVG bars, a line and a ring
    assert page.locator("#votes-plot .bars path").count() == 3
    assert page.locator("#held-plot .scatterlayer .trace").count() == 2
    assert page.locator("#channel-plot .slice").count() == 2
    assert errors == []


def test_charts_fit_a_phone(page, live_server):
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto("/test-charts/")
    page.wait_for_function("document.querySelectorAll('.chart-drawn').length === 3")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
