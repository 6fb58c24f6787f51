"""Issue 16, journey 5, on the production stack (tests/e2e/stack.py): a
facilitator runs a workshop. Residents register until it is full and the next
one joins the waiting list; on a phone-sized screen the facilitator (second
factor) checks people in and writes the minutes; an idea of the workshop
becomes a draft proposal of a resident, who completes and submits it."""

from __future__ import annotations

import datetime as dt

import pytest

from .stack import log_in, submit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 360, "height": 780}
NAMES = ("Maria Popa", "Dan Ilie", "Elena Radu")


@pytest.fixture
def workshop_setup(areas, home_page, open_call):  # type: ignore[no-untyped-def]
    """A workshop starting in an hour with two seats, its facilitator (second
    factor) and three verified residents."""
    from ciic.accounts.models import Role
    from tests.auth import add_totp, confirm_email
    from tests.factories import staff_user, verified_resident

    from .production_data import make_workshop

    facilitator = confirm_email(add_totp(staff_user(Role.FACILITATOR)))
    residents = []
    for n, name in enumerate(NAMES):
        user, _v, _c = verified_resident(serial=700 + n)
        user.resident_profile.full_name = name
        user.resident_profile.save(update_fields=["full_name"])
        residents.append(confirm_email(user))
    workshop = make_workshop(facilitator, starts_in=dt.timedelta(hours=1))
    return {"workshop": workshop, "facilitator": facilitator, "residents": residents}


def test_registrations_waiting_list_check_in_minutes_and_an_idea_to_a_proposal(
    browser, stack, workshop_setup, open_call
):  # type: ignore[no-untyped-def]
    from proposals.models import Proposal
    from workshops.models import Idea, Registration

    workshop = workshop_setup["workshop"]
    residents = workshop_setup["residents"]
    url = f"/workshops/{workshop.pk}/"

    # Three residents register for two seats: the third joins the waiting list.
    pages = []
    for n, resident in enumerate(residents):
        page = stack.page(browser)
        log_in(page, resident.email)
        page.goto(url)
        submit(page, f"form[action='{url}register/'] [type=submit]")
        stack.shot(page, f"registration-{n + 1}")
        pages.append(page)
    statuses = dict(
        Registration.objects.filter(workshop=workshop).values_list("user__email", "status")
    )
    assert [statuses[r.email] for r in residents] == ["confirmed", "confirmed", "waiting"]
    assert "(position 1)" in pages[2].inner_text("main") or "(poziția 1)" in pages[2].inner_text(
        "main"
    )
    # Dan cancels: Elena moves up from the waiting list and hears it by mail.
    pages[1].goto(url)
    pages[1].once("dialog", lambda dialog: dialog.accept())
    submit(pages[1], f"form[action='{url}cancel-registration/'] [type=submit]")
    stack.shot(pages[1], "registration-cancelled")
    elena = Registration.objects.get(workshop=workshop, user=residents[2])
    assert elena.status == "confirmed"
    assert stack.mail_to(residents[2].email) == []
    stack.worker()
    assert len(stack.mail_to(residents[2].email)) == 1

    # The facilitator, on a phone: check-in and minutes.
    console = stack.page(browser, viewport=PHONE)
    log_in(console, workshop_setup["facilitator"].email, totp=True)
    console.goto(f"/staff/workshops/{workshop.pk}/")
    fits = "document.documentElement.scrollWidth <= window.innerWidth + 1"
    assert console.evaluate(fits), "the console scrolls sideways on a phone"
    stack.shot(console, "console-phone")
    row = console.locator(".checkin-row", has_text=NAMES[0])
    submit(console, f".checkin-row:has-text('{NAMES[0]}') button")
    assert console.locator(".checkin-row.is-present", has_text=NAMES[0]).count() == 1
    assert row.count() == 1
    console.fill("textarea[name=minutes_public]", "Am discutat despre curțile dintre blocuri.")
    submit(console, "form:has(textarea[name=minutes_public]) [type=submit]")
    stack.shot(console, "console-checked-in-and-minutes")

    # An idea of the workshop, prepared as a draft proposal of Maria.
    console.fill("#ideas input[name=title]", "Grădină comunitară între blocuri")
    console.fill("#ideas textarea[name=description]", "Straturi de flori îngrijite de locatari.")
    console.select_option("#ideas select[name=category]", "mediu")
    submit(console, "#ideas form [type=submit]")
    idea = Idea.objects.get(workshop=workshop)
    console.goto(f"/staff/workshops/{workshop.pk}/")
    with console.expect_navigation():
        console.locator("#ideas a", has_text="").last.click()
    console.fill("input[name=email]", residents[0].email)
    console.check("input[name=consent]")
    stack.shot(console, "idea-to-a-draft")
    submit(console, "main form [type=submit]")
    idea.refresh_from_db()
    draft = idea.proposal
    assert draft is not None and draft.author_id == residents[0].pk
    assert draft.status == Proposal.Status.DRAFT
    stack.worker()
    [invitation] = stack.mail_to(residents[0].email)  # Maria's first mail
    assert "Grădină comunitară" in invitation["subject"] + invitation["body"], invitation

    # Maria completes the draft and submits it.
    maria = pages[0]
    maria.goto(f"/proposals/edit/{draft.pk}/where/")
    maria.fill("input[name=latitude]", "44.4220")
    maria.fill("input[name=longitude]", "26.0300")
    submit(maria)
    assert maria.url.endswith("/cost/"), maria.locator(".errorlist").all_inner_texts()
    maria.fill("input[name=cost_estimate]", "60000")
    submit(maria)
    maria.locator("input[name=consent_publication]").check()
    submit(maria)
    assert maria.url.endswith("/review/"), maria.url
    submit(maria, "form[action$='/submit/'] [type=submit]")
    stack.shot(maria, "resident-submits-the-workshop-idea")
    draft.refresh_from_db()
    assert draft.status == Proposal.Status.SUBMITTED and draft.reference

    # The public workshop page fits a phone (the minutes go public once it is held).
    visitor = stack.page(browser, viewport=PHONE)
    visitor.goto(url)
    assert visitor.evaluate(fits)
    assert "Curți verzi în Drumul Taberei" in visitor.inner_text("main")
    workshop.refresh_from_db()
    assert workshop.minutes_public == "Am discutat despre curțile dintre blocuri."
    stack.shot(visitor, "public-workshop")
