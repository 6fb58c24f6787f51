"""Issue 16, accessibility: the voting journey with the keyboard alone, on the
production stack. Log-in, the ballot and the receipt are reached with Tab,
Space and Enter only; every element that takes focus shows it (an outline or
a ring); a refused ballot is announced (role=alert) and its errors read."""

from __future__ import annotations

import pytest

from .production_data import VOTERS
from .stack import PASSWORD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const ring = s.boxShadow && s.boxShadow !== 'none';
  return {shown: outline || ring, what: el.outerHTML.slice(0, 120)};
}"""


def _tab_to(page, test: str, *, limit: int = 80) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element passes `test` (a JS predicate on
    `el`), checking on the way that every focused element shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SHOWN)
        if focus is not None:
            assert focus["shown"], f"focus not visible on {focus['what']}"
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({test}); }}"):
            return
    raise AssertionError(f"Tab never reached {test}")


def test_voting_with_the_keyboard_alone(browser, stack, voting_call):  # type: ignore[no-untyped-def]
    from voting.models import Ballot

    from .test_production_faults import _open_voting

    call, proposals = voting_call["call"], voting_call["proposals"]
    _open_voting(stack, voting_call)
    page = stack.page(browser)

    page.goto("/accounts/login/")
    _tab_to(page, "el.name === 'login'")
    page.keyboard.type(VOTERS[0])
    _tab_to(page, "el.name === 'password'")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url

    # Every project at once is over the budget: refused (400), and announced.
    stack.expect_console(rf"status of 400 .*/vote/{call.slug}/\)$")
    page.goto(f"/vote/{call.slug}/")
    for p in proposals:
        _tab_to(page, f"el.name === 'choice' && el.value === '{p.pk}'")
        page.keyboard.press("Space")
    _tab_to(page, "el.type === 'submit' && el.closest('form.ballot-form')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    alert = page.locator("[role=alert]")
    assert alert.count() >= 1 and alert.first.inner_text().strip()
    stack.shot(page, "keyboard-ballot-refused")
    assert not Ballot.objects.filter(call=call).exists()

    # Two projects within the budget: untick the others, cast with Enter.
    for p in proposals[2:]:
        box = page.locator(f"input[name=choice][value='{p.pk}']")
        if box.is_checked():
            _tab_to(page, f"el.name === 'choice' && el.value === '{p.pk}'")
            page.keyboard.press("Space")
    for p in proposals[:2]:
        assert page.locator(f"input[name=choice][value='{p.pk}']").is_checked()
    _tab_to(page, "el.type === 'submit' && el.closest('form.ballot-form')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/done/" in page.url, page.url
    stack.shot(page, "keyboard-ballot-cast")
    ballot = Ballot.objects.get(call=call)
    assert sorted(ballot.choices.values_list("proposal_id", flat=True)) == sorted(
        p.pk for p in proposals[:2]
    )
