"""The assessment in a real browser: an assessor asks for a change, the author
answers in the thread and resubmits, the assessor decides, the author appeals,
a second assessor decides the appeal."""

import datetime as dt
from decimal import Decimal

import pytest

from .stack import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assessed_call(areas):  # type: ignore[no-untyped-def]
    """A call in its assessment phase today (the live server runs on real time),
    with one proposal submitted while submissions were open."""
    import time_machine
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from ciic.accounts.models import Role
    from proposals.models import LOCAL_TZ, Category
    from proposals.services import (
        call_create,
        proposal_draft_create,
        proposal_submit,
        proposal_update,
    )
    from tests.auth import add_totp
    from tests.factories import staff_user, verified_resident

    today = timezone.localdate()

    def at(day):  # type: ignore[no-untyped-def]
        return time_machine.travel(dt.datetime.combine(day, dt.time(10), LOCAL_TZ), tick=False)

    with at(today - dt.timedelta(days=40)):
        author, _v, _cnp = verified_resident(serial=88)
        EmailAddress.objects.create(user=author, email=author.email, verified=True, primary=True)
        call = call_create(
            actor=None, name="Bugetare — evaluare", slug="bp-eval", year=today.year,
            total_budget=Decimal("5000000"), max_cost_per_proposal=Decimal("500000"),
            submission_start=today - dt.timedelta(days=30), submission_end=today - dt.timedelta(days=5),
            assessment_start=today - dt.timedelta(days=4), assessment_end=today + dt.timedelta(days=20),
            voting_start=today + dt.timedelta(days=30), voting_end=today + dt.timedelta(days=40),
            results_date=today + dt.timedelta(days=41), implementation_start=today + dt.timedelta(days=60),
            categories={c.value: "" for c in Category},
        )  # fmt: skip
    with at(today - dt.timedelta(days=10)):
        draft = proposal_draft_create(
            actor=author, call=call, title="Fântână în Parcul Moghioroș",
            summary="O fântână cu apă potabilă lângă locul de joacă.", category=Category.SERVICII,
        )  # fmt: skip
        proposal_update(
            actor=author, proposal=draft,
            data={"cost_estimate": "40000", "whole_sector": False, "latitude": 44.4250,
                  "longitude": 26.0370, "consent_publication": True},
        )  # fmt: skip
        proposal = proposal_submit(actor=author, proposal=draft)
    first = add_totp(staff_user(Role.ASSESSOR))
    second = add_totp(staff_user(Role.ASSESSOR))
    for user in (first, second):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return {"proposal": proposal, "author": author, "first": first, "second": second}


def _context(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="ro-RO")
    return context, context.new_page()


def _submit(page, form_selector: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").first.click()


def test_change_request_resubmission_decision_and_appeal(browser, live_server, assessed_call):
    from proposals.models import Proposal

    proposal = assessed_call["proposal"]
    ref = proposal.reference
    staff_url = f"/staff/assessment/{ref}/"
    deadline = (dt.date.today() + dt.timedelta(days=3)).isoformat()

    # 1. The assessor asks for a change.
    ctx1, assessor = _context(browser, live_server)
    log_in(assessor, assessed_call["first"].email, totp=True)
    assessor.goto("/staff/assessment/?call=bp-eval")
    assert ref in assessor.content()
    assessor.goto(staff_url)
    assessor.fill("textarea[name=message]", "Precizați unde anume în parc va fi fântâna.")
    assessor.fill("input[name=deadline]", deadline)
    _submit(assessor, f"form[action='{staff_url}changes/']")
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.CHANGES_REQUESTED

    # 2. The author reads it, answers in the thread, edits and resubmits.
    ctx2, author = _context(browser, live_server)
    log_in(author, assessed_call["author"].email)
    author.goto(f"/proposals/{ref}/")
    assert "Precizați unde anume în parc" in author.content()
    author.fill("#thread textarea[name=body]", "Lângă intrarea dinspre strada Brașov.")
    _submit(author, f"form[action='/proposals/{ref}/messages/']")
    assert "Lângă intrarea dinspre strada Brașov." in author.content()
    author.goto(f"/proposals/edit/{proposal.pk}/what/")
    author.fill("input[name=title]", "Fântână la intrarea din strada Brașov a Parcului Moghioroș")
    _submit(author, "form:has(input[name=title])")
    author.goto(f"/proposals/edit/{proposal.pk}/review/")
    _submit(author, f"form[action='/proposals/edit/{proposal.pk}/submit/']")
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.RESUBMITTED

    # 3. The assessor sees the answer and decides: ineligible, with a public reason.
    assessor.goto(staff_url)
    assert "Lângă intrarea dinspre strada Brașov." in assessor.content()
    assessor.check("input[name=outcome][value=ineligible]")
    assessor.select_option("select[name=reason]", "land")
    assessor.fill(
        "textarea[name=explanation]", "Terenul de la intrare aparține Primăriei Generale."
    )
    _submit(assessor, f"form[action='{staff_url}decide/']")
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.INELIGIBLE

    # 4. The author appeals.
    author.goto(f"/proposals/{ref}/")
    assert "Terenul de la intrare aparține Primăriei Generale." in author.content()
    author.fill("textarea[name=argument]", "Intrarea este în administrarea ADP Sector 6.")
    _submit(author, f"form[action='/proposals/{ref}/appeal/']")
    assert proposal.appeals.filter(state="open").count() == 1

    # 5. The first assessor may not judge the appeal; a second assessor upholds it.
    assessor.goto(staff_url)
    assert assessor.locator(f"form[action='{staff_url}appeal/']").count() == 0
    ctx3, second = _context(browser, live_server)
    log_in(second, assessed_call["second"].email, totp=True)
    second.goto(staff_url)
    assert "Intrarea este în administrarea ADP Sector 6." in second.content()
    second.check("input[name=upheld][value=yes]")
    second.fill(
        "#appeal textarea[name=explanation]", "Extrasul de carte funciară arată terenul ADP."
    )
    _submit(second, f"form[action='{staff_url}appeal/']")
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.ELIGIBLE

    # The public page shows the final outcome, never the thread.
    ctx4, visitor = _context(browser, live_server)
    visitor.goto(f"/proposals/{ref}/")
    body = visitor.content()
    assert "Extrasul de carte funciară arată terenul ADP." in body
    assert "Lângă intrarea dinspre strada Brașov." not in body
    assert "Intrarea este în administrarea ADP Sector 6." not in body
    for ctx in (ctx1, ctx2, ctx3, ctx4):
        ctx.close()
