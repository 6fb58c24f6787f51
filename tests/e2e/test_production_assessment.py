"""Issue 16, journey 2, on the production stack (tests/e2e/stack.py): an
assessor (second factor) asks for a change through the message thread, the
resident answers and resubmits, the assessor marks the proposal eligible;
another proposal is declared ineligible with a public reason, its author
appeals and a second assessor decides. The authors hear of each step by mail,
delivered by the worker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from .stack import log_in, submit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def assessed(areas, home_page):  # type: ignore[no-untyped-def]
    """A call in its assessment phase today, two proposals submitted while
    submissions were open, two assessors with a second factor."""
    import time_machine
    from django.utils import timezone

    from ciic.accounts.models import Role
    from proposals.models import LOCAL_TZ, Category
    from proposals.services import call_create
    from tests.auth import add_totp, confirm_email
    from tests.factories import staff_user, verified_resident
    from tests.proposals.conftest import make_submitted

    today = timezone.localdate()
    day = dt.timedelta(days=1)

    def at(d: dt.date):  # type: ignore[no-untyped-def]
        return time_machine.travel(dt.datetime.combine(d, dt.time(10), LOCAL_TZ), tick=False)

    with at(today - 40 * day):
        author, _v, _c = verified_resident(serial=501)
        other, _v, _c = verified_resident(serial=502)
        call = call_create(
            actor=None, name="Bugetare — evaluare", slug="bp-eval", year=today.year,
            total_budget=Decimal("5000000"), max_cost_per_proposal=Decimal("500000"),
            submission_start=today - 30 * day, submission_end=today - 5 * day,
            assessment_start=today - 4 * day, assessment_end=today + 20 * day,
            voting_start=today + 30 * day, voting_end=today + 40 * day,
            results_date=today + 41 * day, implementation_start=today + 60 * day,
            categories={c.value: "" for c in Category},
        )  # fmt: skip
    with at(today - 10 * day):
        fountain = make_submitted(
            author=confirm_email(author), call=call, title="Fântână în Parcul Moghioroș",
            cost_estimate=Decimal("40000"), latitude=44.4250, longitude=26.0370,
        )  # fmt: skip
        court = make_submitted(
            author=confirm_email(other), call=call, title="Teren de sport la intrarea în parc",
            cost_estimate=Decimal("300000"), latitude=44.4260, longitude=26.0380,
        )  # fmt: skip
    first = confirm_email(add_totp(staff_user(Role.ASSESSOR)))
    second = confirm_email(add_totp(staff_user(Role.ASSESSOR)))
    return {"fountain": fountain, "court": court, "first": first, "second": second}


def test_change_request_eligible_and_ineligible_with_an_appeal(browser, stack, assessed):  # type: ignore[no-untyped-def]
    from proposals.models import Proposal

    S = Proposal.Status
    fountain, court = assessed["fountain"], assessed["court"]
    f_url, c_url = (
        f"/staff/assessment/{fountain.reference}/",
        f"/staff/assessment/{court.reference}/",
    )
    deadline = (dt.date.today() + dt.timedelta(days=3)).isoformat()

    # The assessor asks the fountain's author for a change.
    assessor = stack.page(browser)
    log_in(assessor, assessed["first"].email, totp=True)
    assessor.goto("/staff/assessment/?call=bp-eval")
    assert fountain.reference in assessor.inner_text("main")
    stack.shot(assessor, "assessor-queue")
    assessor.goto(f_url)
    assessor.fill("textarea[name=message]", "Precizați unde anume în parc va fi fântâna.")
    assessor.fill("input[name=deadline]", deadline)
    stack.shot(assessor, "assessor-asks-for-a-change")
    submit(assessor, f"form[action='{f_url}changes/'] [type=submit]")
    assert Proposal.objects.get(pk=fountain.pk).status == S.CHANGES_REQUESTED
    stack.worker()
    mails = stack.mail_to(fountain.author.email)
    assert any(fountain.reference in m["subject"] + m["body"] for m in mails), mails

    # The author answers in the thread, edits and resubmits.
    author = stack.page(browser)
    log_in(author, fountain.author.email)
    author.goto(f"/proposals/{fountain.reference}/")
    author.fill("#thread textarea[name=body]", "Lângă intrarea dinspre strada Brașov.")
    submit(author, f"form[action='/proposals/{fountain.reference}/messages/'] [type=submit]")
    stack.shot(author, "author-answers")
    author.goto(f"/proposals/edit/{fountain.pk}/what/")
    author.fill("input[name=title]", "Fântână la intrarea din strada Brașov a Parcului Moghioroș")
    submit(author, "form:has(input[name=title]) [type=submit]")
    author.goto(f"/proposals/edit/{fountain.pk}/review/")
    submit(author, f"form[action='/proposals/edit/{fountain.pk}/submit/'] [type=submit]")
    assert Proposal.objects.get(pk=fountain.pk).status == S.RESUBMITTED

    # The assessor reads the answer and marks it eligible.
    assessor.goto(f_url)
    assert "Lângă intrarea dinspre strada Brașov." in assessor.inner_text("main")
    assessor.check("input[name=outcome][value=eligible]")
    stack.shot(assessor, "assessor-eligible")
    submit(assessor, f"form[action='{f_url}decide/'] [type=submit]")
    assert Proposal.objects.get(pk=fountain.pk).status == S.ELIGIBLE

    # The other proposal: ineligible, with a public reason.
    assessor.goto(c_url)
    assessor.check("input[name=outcome][value=ineligible]")
    assessor.select_option("select[name=reason]", "land")
    assessor.fill("textarea[name=explanation]", "Terenul aparține Primăriei Generale.")
    stack.shot(assessor, "assessor-ineligible")
    submit(assessor, f"form[action='{c_url}decide/'] [type=submit]")
    assert Proposal.objects.get(pk=court.pk).status == S.INELIGIBLE
    stack.worker()
    mails = stack.mail_to(court.author.email)
    assert any(court.reference in m["subject"] + m["body"] for m in mails), mails

    # Its author appeals.
    appellant = stack.page(browser)
    log_in(appellant, court.author.email)
    appellant.goto(f"/proposals/{court.reference}/")
    assert "Terenul aparține Primăriei Generale." in appellant.inner_text("main")
    appellant.fill("textarea[name=argument]", "Terenul este în administrarea ADP Sector 6.")
    stack.shot(appellant, "author-appeals")
    submit(appellant, f"form[action='/proposals/{court.reference}/appeal/'] [type=submit]")
    assert court.appeals.filter(state="open").count() == 1

    # The first assessor may not judge it; a second assessor upholds it.
    assessor.goto(c_url)
    assert assessor.locator(f"form[action='{c_url}appeal/']").count() == 0
    second = stack.page(browser)
    log_in(second, assessed["second"].email, totp=True)
    second.goto(c_url)
    second.check("input[name=upheld][value=yes]")
    second.fill(
        "#appeal textarea[name=explanation]", "Extrasul de carte funciară arată terenul ADP."
    )
    stack.shot(second, "second-assessor-decides-the-appeal")
    submit(second, f"form[action='{c_url}appeal/'] [type=submit]")
    assert Proposal.objects.get(pk=court.pk).status == S.ELIGIBLE

    # The public pages show the outcomes, never the thread.
    visitor = stack.page(browser)
    visitor.goto(f"/proposals/{court.reference}/")
    body = visitor.inner_text("main")
    assert "Extrasul de carte funciară arată terenul ADP." in body
    assert "Terenul este în administrarea ADP Sector 6." not in body
    visitor.goto(f"/proposals/{fountain.reference}/")
    assert "Lângă intrarea dinspre strada Brașov." not in visitor.inner_text("main")
    stack.shot(visitor, "public-proposal")
    stack.worker()
