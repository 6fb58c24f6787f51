"""WCAG 2.1 A/AA checks with axe-core on the public pages (the EU Web
Accessibility Directive applies to a city hall's site). axe-core comes from
npm (`npm ci`, see package.json); the test is skipped when it is absent."""

import os
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(
    os.environ.get(
        "AXE_CORE_JS",
        Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js",
    )
)


@pytest.fixture
def published(open_call, home_page):  # type: ignore[no-untyped-def]
    from proposals.models import Category
    from proposals.services import proposal_draft_create, proposal_submit, proposal_update
    from tests.factories import verified_resident

    author, _v, _cnp = verified_resident(serial=91)
    proposal = proposal_draft_create(
        actor=author,
        call=open_call,
        title="Pistă de biciclete pe Bd. Uverturii",
        summary="O pistă separată de trotuar.",
        description="## De ce\n\nSiguranță.",
        category=Category.INFRASTRUCTURA,
    )
    proposal = proposal_update(
        actor=author,
        proposal=proposal,
        data={
            "latitude": 44.4420,
            "longitude": 26.0150,
            "whole_sector": False,
            "cost_estimate": Decimal("300000"),
            "consent_publication": True,
            "consent_image_rights": True,
        },
    )
    return proposal_submit(actor=author, proposal=proposal)


def _violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    # Evaluated through the browser's debugging protocol: the site's
    # Content-Security-Policy refuses inline <script> elements, rightly.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
            return r.violations
              .filter(v => ['serious', 'critical'].includes(v.impact))
              .map(v => v.id + ': ' + v.help + ' -> ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    return list(result)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_have_no_serious_accessibility_violations(page, published, settings, lang):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    settings.LANGUAGE_CODE = lang
    found = {}
    for path in [
        "/",
        "/proposals/",
        published.get_absolute_url(),
        "/map/",
        "/accounts/login/",
        "/accounts/signup/",
    ]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        problems = _violations(page)
        if problems:
            found[path] = problems
    assert found == {}
