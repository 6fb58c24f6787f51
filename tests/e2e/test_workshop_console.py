"""A facilitator runs a workshop on a phone: logs in with the second factor,
checks people in, counts walk-ins and writes the minutes; a resident then
sees the workshop on the public page."""

import datetime as dt

import pytest

from .stack import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def facilitator(db):  # type: ignore[no-untyped-def]
    from ciic.accounts.models import Role
    from tests.auth import add_totp, confirm_email
    from tests.factories import staff_user

    user = staff_user(Role.FACILITATOR)
    confirm_email(user)
    return add_totp(user)


@pytest.fixture
def workshop(facilitator):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from tests.factories import ResidentProfileFactory
    from workshops import services

    today = timezone.localdate()
    programme = services.programme_create(
        actor=facilitator,
        name="Programul CIIC",
        slug="ciic",
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=300),
    )
    start = timezone.now() + dt.timedelta(hours=1)
    w = services.workshop_create(
        actor=facilitator,
        programme=programme,
        theme="Curți verzi în Drumul Taberei",
        venue_name="Biblioteca Drumul Taberei",
        venue_address="Strada Brașov 21",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=20,
        facilitators=[facilitator],
        open_registration=True,
    )
    for name in ("Maria Popa", "Dan Ilie"):
        profile = ResidentProfileFactory(full_name=name)
        services.registration_create(actor=profile.user, workshop=w)
    return w


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_check_in_walk_ins_and_minutes_on_a_phone(page, home_page, facilitator, workshop):
    from workshops.models import Registration

    page.set_viewport_size(PHONE)
    log_in(page, facilitator.email, totp=True)
    page.goto(f"/staff/workshops/{workshop.pk}/")
    assert page.locator("h1").inner_text().startswith(f"#{workshop.number}")
    assert _fits(page), "the console scrolls sideways on a phone"

    row = page.locator(".checkin-row", has_text="Maria Popa")
    button = row.locator("button")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    with page.expect_navigation():
        button.click()
    assert page.locator(".checkin-row.is-present", has_text="Maria Popa").count() == 1

    page.fill("input[name=walk_ins]", "-2")  # the browser refuses it (the server too: test_views)
    assert not page.locator("input[name=walk_ins]").evaluate("el => el.checkValidity()")
    page.fill("input[name=walk_ins]", "4")
    with page.expect_navigation():
        page.locator("form.walk-ins-form [type=submit]").click()

    page.fill("textarea[name=minutes_public]", "Am discutat despre curțile dintre blocuri.")
    page.fill("textarea[name=minutes_internal]", "De cerut un videoproiector.")
    with page.expect_navigation():
        page.locator("form:has(textarea[name=minutes_public]) [type=submit]").click()
    assert page.locator(".message-success").first.is_visible()

    workshop.refresh_from_db()
    assert workshop.walk_ins == 4
    assert workshop.minutes_public == "Am discutat despre curțile dintre blocuri."
    present = Registration.objects.filter(workshop=workshop, checked_in_at__isnull=False)
    assert [r.user.resident_profile.full_name for r in present] == ["Maria Popa"]

    page.goto(f"/workshops/{workshop.pk}/")
    assert _fits(page)
    assert "Curți verzi în Drumul Taberei" in page.locator("h1").inner_text()
