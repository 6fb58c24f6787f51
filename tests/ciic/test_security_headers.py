"""Content-Security-Policy without inline scripts or eval outside the admin,
nonces on the map documents, and the Permissions-Policy header."""

import re

import pytest

from ciic.accounts.models import Role
from tests.auth import add_totp, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _inline_code(html: str) -> list[str]:
    """Inline <script> elements without a nonce, and inline event handlers."""
    found = []
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "src=" not in tag and "nonce=" not in tag and "application/json" not in tag:
            found.append(tag)
    found += re.findall(r"<[^>]+\son[a-z]+\s*=", html)
    found += re.findall(r"javascript:", html)
    return found


@pytest.fixture
def published(areas, home_page):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from django.utils import timezone

    from proposals.calls import call_schedule_open
    from proposals.models import Category
    from proposals.services import (
        call_create,
        proposal_draft_create,
        proposal_submit,
        proposal_update,
    )
    from tests.factories import verified_resident

    today = timezone.localdate()
    call = call_create(
        actor=None,
        name="BP",
        slug="bp",
        year=today.year,
        total_budget=Decimal("5000000"),
        max_cost_per_proposal=Decimal("500000"),
        **call_schedule_open(today=today),
        categories={c.value: "" for c in Category},
    )
    author, _v, _cnp = verified_resident(serial=93)
    proposal = proposal_draft_create(
        actor=author,
        call=call,
        title="Pistă de biciclete",
        summary="O pistă separată.",
        description="",
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
    return author, proposal_submit(actor=author, proposal=proposal), proposal


def test_public_pages_allow_no_inline_script_and_no_eval(client, published):
    author, proposal, draft = published
    pages = [
        "/",
        "/proposals/",
        proposal.get_absolute_url(),
        "/map/",
        f"/map/results/{proposal.call.slug}/",
        f"/map/participation/{proposal.call.slug}/",
        "/accounts/login/",
        "/accounts/signup/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        script_src = _directives(response)["script-src"]
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, url
        assert _inline_code(response.content.decode()) == [], url
    login(client, author)
    for url in ("/me/", "/proposals/mine/", f"/proposals/edit/{proposal.pk}/where/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in _directives(response)["script-src"], url
        assert _inline_code(response.content.decode()) == [], url


def test_map_documents_carry_this_responses_nonce(client, published):
    _author, proposal, _draft = published
    nonces = set()
    for url in (
        "/map/embed/proposals/",
        f"/map/embed/results/{proposal.call.slug}/",
        f"/map/embed/participation/{proposal.call.slug}/",
    ):
        response = client.get(url)
        html = response.content.decode()
        script_src = _directives(response)["script-src"]
        nonce = next(v for v in script_src if v.startswith("'nonce-"))[7:-1]
        nonces.add(nonce)
        tags = re.findall(r"<script\b[^>]*>", html)
        assert tags and all(f'nonce="{nonce}"' in tag for tag in tags), url
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert len(nonces) == 3  # a fresh nonce per response


def test_eval_only_in_wagtails_admin(client, home_page):
    admin = add_totp(UserFactory(is_superuser=True, is_staff=True, roles=[Role.ADMINISTRATOR]))
    login(client, admin)
    wagtail = _directives(client.get("/cms-admin/"))["script-src"]
    assert "'unsafe-eval'" in wagtail and "'unsafe-inline'" in wagtail
    django_admin = client.get("/django-admin/")
    assert django_admin.status_code == 200
    assert "'unsafe-inline'" not in _directives(django_admin)["script-src"]
    assert "'unsafe-eval'" not in _directives(django_admin)["script-src"]
    for url in ("/staff/", "/", "/proposals/"):
        assert "'unsafe-eval'" not in _directives(client.get(url))["script-src"], url


@pytest.mark.parametrize("url", ["/", "/proposals/", "/accounts/login/", "/no-such-page/"])
def test_permissions_policy_switches_unused_features_off(client, home_page, url):
    header = client.get(url)["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in header


def test_the_site_wide_policy_built_once_is_django_csps_own(client, home_page, settings):
    """ciic.middleware.CSPMiddleware keeps the header of responses with no
    nonce and no policy of their own: the same as django-csp builds, and
    built again when the setting changes."""
    from csp.utils import build_policy

    response = client.get("/accounts/login/")
    assert response["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}
    }
    changed = client.get("/accounts/login/")["Content-Security-Policy"]
    assert changed == build_policy() and "img-src 'self';" in changed + ";"
    assert changed != response["Content-Security-Policy"]
