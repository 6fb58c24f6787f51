"""The Content-Security-Policy in a real browser: an injected inline script does
not run, while the site's own scripts, the maps drawn in the page and the
folium map documents (inline scripts with this response's nonce) still work."""

from decimal import Decimal

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):  # type: ignore[no-untyped-def]
    found: list[str] = []
    page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return found


@pytest.fixture
def proposal(open_call):  # type: ignore[no-untyped-def]
    from proposals.services import proposal_draft_create, proposal_submit, proposal_update
    from tests.factories import verified_resident

    author, _v, _cnp = verified_resident(serial=88)
    p = proposal_draft_create(
        actor=author,
        call=open_call,
        title="Fântână în Parcul Drumul Taberei",
        summary="Apă potabilă lângă locul de joacă.",
        description="",
        category="mediu",
    )
    p = proposal_update(
        actor=author,
        proposal=p,
        data={
            "latitude": 44.4220,
            "longitude": 26.0300,
            "whole_sector": False,
            "cost_estimate": Decimal("60000"),
            "consent_publication": True,
            "consent_image_rights": True,
        },
    )
    return proposal_submit(actor=author, proposal=p)


def test_an_injected_inline_script_does_not_run(page, home_page):
    page.goto("/proposals/")
    ran = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener('securitypolicyviolation', () => resolve('blocked'));
            const s = document.createElement('script');
            s.textContent = 'window.__injected = true;';
            document.body.appendChild(s);
            setTimeout(() => resolve(window.__injected ? 'ran' : 'blocked'), 500);
        })"""
    )
    assert ran == "blocked"
    # An inline event handler is refused too.
    clicked = page.evaluate(
        """() => {
            const b = document.createElement('button');
            b.setAttribute('onclick', 'window.__clicked = true');
            document.body.appendChild(b);
            b.click();
            return Boolean(window.__clicked);
        }"""
    )
    assert clicked is False


def test_site_scripts_and_maps_still_work_under_the_policy(page, home_page, proposal, violations):
    # The language switch (static/js/site.js) still submits itself.
    page.goto("/")
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"

    # The proposal's own map (Leaflet from /static/).
    page.goto(proposal.get_absolute_url())
    page.locator("#proposal-map .leaflet-interactive").first.wait_for()

    # Maps drawn in the page: deferred scripts from /static/, their
    # configuration a JSON <script> (data, not code).
    for url in ("/map/", f"/map/participation/{proposal.call.slug}/"):
        page.goto(url)
        box = page.locator("[data-ciic-map]")
        box.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg").first.wait_for()
        assert "ANCPI" in box.locator(".leaflet-control-attribution").inner_text()
        page.wait_for_function("() => window.ciicStreetsDrawnAt > 0", timeout=15_000)
    # Folium documents (the /map/embed/ addresses, for other sites' iframes):
    # their inline scripts run with the nonce.
    page.goto("/map/embed/proposals/")
    page.locator(".leaflet-overlay-pane canvas").first.wait_for()
    assert "ANCPI" in page.locator(".leaflet-control-attribution").inner_text()
    assert violations == []
