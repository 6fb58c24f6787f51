"""axe-core (WCAG 2.1 A/AA, serious and critical) on every page without URL
parameters that the resolver knows under the public, resident and staff
areas, in Romanian and in English: as a visitor, as a verified resident and
as an administrator who passed the second factor (every staff page); then
the pages with parameters, on one of each: a proposal's page, its staff
assessment, a workshop's page and its console, the call's edit page."""

from __future__ import annotations

import re

import pytest

from .test_accessibility import AXE, _violations

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Not pages of ours: third-party consoles (Wagtail, Django admin, django-rq)
# and downloads, feeds, redirects and actions.
SKIP = re.compile(
    r"^(cms-admin/|django-admin/|django-rq/|_util/|documents/|i18n/|favicon|static/|media/)"
    r"|\.(ics|json|csv|pb|xml|txt|geojson|xlsx)$|logout|/reauthenticate/|^\^"
)


def _routes() -> list[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    out: list[str] = []

    def walk(patterns, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<" in route or "(" in route or "?" in route or "[" in route:
                    continue
                route = route.lstrip("^").rstrip("$")
                if not SKIP.search(route):
                    out.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(out) | {"/"})


def _one_of_each(call) -> list[str]:  # type: ignore[no-untyped-def]
    """A page of each kind that takes a parameter: a submitted proposal, its
    staff assessment, a workshop and its console, the call's edit page
    (pages a role may not see answer with a redirect and are passed over)."""
    from django.urls import reverse

    from ciic.accounts.models import Role
    from tests.factories import staff_user, verified_resident
    from tests.proposals.conftest import make_submitted
    from tests.workshops.conftest import make_programme, make_workshop

    author = verified_resident(serial=951)[0]
    proposal = make_submitted(author=author, call=call, title="Bănci noi în parc")
    facilitator = staff_user(Role.FACILITATOR)
    workshop = make_workshop(make_programme(facilitator), facilitator)
    return [
        proposal.get_absolute_url(),
        reverse("assessment:detail", kwargs={"reference": proposal.reference}),
        reverse("workshops:detail", kwargs={"pk": workshop.pk}),
        reverse("workshops:console", kwargs={"pk": workshop.pk}),
        reverse("proposals:staff_call_edit", kwargs={"pk": call.pk}),
    ]


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("who", ["visitor", "resident", "administrator"])
def test_every_page_without_parameters_passes_axe(
    browser, live_server, home_page, open_call, settings, who, lang
):  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    from ciic.accounts.models import Role
    from cms.legal_pages import legal_pages_ensure
    from tests.auth import PASSWORD, add_totp, confirm_email, totp_code
    from tests.factories import staff_user, verified_resident

    legal_pages_ensure()
    settings.LANGUAGE_CODE = lang
    context = browser.new_context(base_url=live_server.url, locale="ro-RO")
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    if who != "visitor":
        user = (
            confirm_email(verified_resident(serial=950)[0])
            if who == "resident"
            else confirm_email(add_totp(staff_user(Role.ADMINISTRATOR)))
        )
        page.goto("/accounts/login/")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form:has(input[name=password]) [type=submit]").first.click()
        if who == "administrator":
            page.fill("input[name=code]", totp_code())
            with page.expect_navigation():
                page.locator("form:has(input[name=code]) [type=submit]").first.click()
    found: dict[str, list[str]] = {}
    checked = 0
    for route in _routes() + _one_of_each(open_call):
        try:
            response = page.goto(route)
        except Exception:  # noqa: S112 - an empty answer (e.g. 405 to GET): not a page
            continue
        if (
            response is None
            or response.status != 200
            or "text/html" not in response.headers.get("content-type", "")
        ):
            continue
        page.wait_for_load_state("load")
        checked += 1
        problems = _violations(page)
        if problems:
            found[route] = problems
    context.close()
    print(f"axe: {checked} pages as {who} in {lang}")
    assert checked >= 8, checked  # pages actually answered and checked
    assert found == {}, found
