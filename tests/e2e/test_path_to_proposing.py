"""A visitor becomes the author of a published proposal by following only what
the pages offer, on a desktop (1280 px) and on a phone (360 px): "Propose a
project" on the home page, sign-up, the confirmation link from the outbox
email, the profile, the self-service check against the residents' register,
the form (the place found by typing a boulevard's or a metro station's name),
the submission. Every page on the way, and the resident's own pages after,
passes the axe check and is no wider than the screen; no request leaves the
host (the `page` fixture fails the test otherwise)."""

import datetime as dt
import io
import re

import pytest

from .test_accessibility import AXE, _violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "ana.popescu@example.org"
PASSWORD = "Parc-Drumul-Taberei-2026"
BORN = dt.date(1992, 4, 10)

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 780}}


@pytest.fixture
def register(db, areas):  # type: ignore[no-untyped-def]
    """The residents' register with the visitor's (invented) CNP."""
    from ciic.accounts.models import Role
    from ciic.eligibility.services import register_import
    from tests.factories import make_cnp, staff_user

    cnp = make_cnp(BORN, serial=412)
    report = register_import(
        actor=staff_user(Role.ADMINISTRATOR),
        file=io.BytesIO(f"cnp\n{cnp}\n".encode()),
        file_name="registru.csv",
    )
    assert report.ok
    return cnp


class Checker:
    """Runs axe and the width check on every page the visitor reaches."""

    def __init__(self, page, phone: bool) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.phone = phone
        self.problems: dict[str, list[str]] = {}
        self.seen: list[str] = []

    def __call__(self) -> None:
        page = self.page
        page.wait_for_load_state("load")
        path = re.sub(r"^https?://[^/]+", "", page.url)
        self.seen.append(path)
        found = []
        if AXE.exists():
            found += _violations(page)
        if self.phone:
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                found.append(f"wider than the screen: {width[0]} px > {width[1]} px")
        if found:
            self.problems[path] = found


def _click(page, locator) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation(timeout=60_000):  # CI runs two browsers on two cores
        locator.click()


def _submit(page) -> None:  # type: ignore[no-untyped-def]
    _click(page, page.locator("main form [type=submit]").first)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_visitor_follows_the_pages_to_a_submitted_proposal(
    page, live_server, home_page, open_call, register, settings, device
):
    from ciic.notifications.models import OutgoingEmail
    from cms.legal_pages import legal_pages_ensure
    from proposals.models import Proposal

    settings.SITE_URL = live_server.url  # the links in emails
    legal_pages_ensure()
    page.set_viewport_size(VIEWPORTS[device])
    check = Checker(page, phone=device == "phone")

    # The home page offers "Propose a project", which lists what is missing.
    page.goto("/")
    check()
    _click(page, page.locator("main .hero").get_by_role("link", name="Propose a project"))
    assert page.url.endswith("/propose/")
    check()
    assert page.locator("[aria-current=step]").inner_text().startswith("1")
    assert "CIIC desk" in page.inner_text("main")  # the desk, with its hours
    _click(page, page.locator("main").get_by_role("link", name="Sign up"))

    # Sign-up, then the confirmation link from the email in the outbox.
    check()
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    _submit(page)
    check()
    message = OutgoingEmail.objects.filter(to__icontains=EMAIL).order_by("-id").first()
    assert message is not None
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
    assert link, message.body
    assert link.group(0).startswith(live_server.url)
    page.goto(link.group(0))
    check()
    _submit(page)  # "Confirm"

    # Logged in: back on the path (or led there by the header).
    if not page.url.endswith("/propose/"):
        check()
        _click(page, page.locator("header").get_by_role("link", name="Propose a project"))
    check()
    assert "Fill in your profile" in page.locator("[aria-current=step]").inner_text()
    _click(
        page, page.locator("[aria-current=step]").get_by_role("link", name="Fill in your profile")
    )
    check()
    page.fill("input[name=full_name]", "Ana Popescu")
    page.fill("input[name=date_of_birth]", BORN.isoformat())
    page.fill("input[name=address]", "Bulevardul Iuliu Maniu 10, bl. 3, ap. 12")
    _submit(page)
    assert page.url.endswith("/propose/")
    check()

    # Verification online, with the CNP against the register.
    step = page.locator("[aria-current=step]")
    assert "Verify that you live in Sector 6" in step.inner_text()
    assert "CNP" in step.inner_text()
    _click(page, step.get_by_role("link", name="Verify online with your CNP"))
    check()
    page.fill("input[name=cnp]", register)
    zone = page.locator("select[name=residence_zone]")
    if zone.count():
        zone.select_option(index=1)
    page.locator("input[name=confirm]").check()
    _submit(page)

    # Nothing is missing any more: the path goes on to the form.
    assert re.search(r"/proposals/new/[\w-]+/$", page.url), page.url
    check()
    page.fill("input[name=title]", "Bănci și umbră lângă metrou")
    page.fill("textarea[name=summary]", "Zece bănci și arbori lângă ieșirea de la metrou.")
    page.locator("input[name=category][value=mediu]").check()
    _submit(page)
    assert page.url.endswith("/where/")
    check()

    # The place, found by its name: a boulevard on the desktop, a metro station on the phone.
    query, expected = (
        ("Iuliu Maniu", "Iuliu Maniu") if device == "desktop" else ("metrou gorjului", "Gorjului")
    )
    page.wait_for_function("() => window.ciicStreetsDrawnAt > 0", timeout=15000)
    page.locator("#location-search-input").fill(query)
    option = page.locator("#location-search-list [role=option]", has_text=expected).first
    option.click()
    page.wait_for_function("() => document.getElementById('location-map').ciicMap.getZoom() >= 14")
    page.locator("#location-map").scroll_into_view_if_needed()  # mouse clicks need it on screen
    box = page.locator("#location-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    assert page.input_value("input[name=latitude]") != ""
    _submit(page)
    assert page.url.endswith("/cost/"), page.locator(".errorlist").all_inner_texts()
    check()
    page.fill("input[name=cost_estimate]", "180.000")
    _submit(page)
    assert page.url.endswith("/files/")
    check()
    page.locator("input[name=consent_publication]").check()
    _submit(page)
    assert page.url.endswith("/review/")
    check()
    _click(page, page.locator("form[action$='/submit/'] [type=submit]"))
    proposal = Proposal.objects.get(author__email=EMAIL)
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.zone is not None and proposal.cost_estimate == 180000
    assert page.url.endswith(f"/proposals/{proposal.reference}/")
    check()

    # The resident's own pages, through the header and the account page.
    _click(page, page.locator("header").get_by_role("link", name="My proposals"))
    check()
    assert proposal.reference in page.inner_text("main")
    _click(page, page.locator("header").get_by_role("link", name="My account"))
    check()
    _click(page, page.locator("main").get_by_role("link", name="My data"))
    check()
    assert "Ana Popescu" in page.inner_text("main")
    _click(page, page.locator("main").get_by_role("link", name="Delete my account"))
    check()
    _click(page, page.locator("footer").get_by_role("link", name="Privacy notice"))
    check()

    assert check.problems == {}, check.problems
    assert len(check.seen) >= 18
