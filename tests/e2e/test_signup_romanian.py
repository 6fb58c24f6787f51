"""Sign-up in Romanian in the browser, as a visitor does it: from the home page,
a refused weak password, the confirmation email, the confirmation page. Every
page and the email read in Romanian, with the site's name; no request leaves
the host (the `page` fixture)."""

import re

import pytest
from django.core import mail

from tests.ciic.test_romanian_texts import ENGLISH, TELL_TALE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "maria.ionescu@example.org"


def _reads_in_romanian(page) -> str:  # type: ignore[no-untyped-def]
    text = page.locator("body").inner_text()
    assert [w for w in TELL_TALE if w in text] == [], (page.url, text)
    assert sorted(set(ENGLISH.findall(text))) == [], (page.url, text)
    return text


@pytest.mark.parametrize("width", [1280, 360])
def test_a_visitor_signs_up_in_romanian(page, live_server, home_page, settings, width):
    settings.LANGUAGE_CODE = "ro"
    settings.SITE_URL = live_server.url
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    _reads_in_romanian(page)
    page.get_by_role("link", name="Creați cont").first.click()
    page.wait_for_url("**/accounts/signup/")
    _reads_in_romanian(page)
    assert page.locator("h1").inner_text() == "Creați cont"

    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", "1234567890")
    page.fill("input[name=password2]", "1234567890")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    text = _reads_in_romanian(page)
    assert "Această parolă este formată numai din cifre." in text
    assert "Această parolă este prea des folosită." in text

    page.fill("input[name=password1]", "o-parola-lunga-de-tot-9")
    page.fill("input[name=password2]", "o-parola-lunga-de-tot-9")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert "/accounts/confirm-email/" in page.url
    _reads_in_romanian(page)

    (message,) = [m for m in mail.outbox if m.to == [EMAIL]]
    body = message.body
    assert message.subject == "[CIIC Sector 6] Vă rugăm să confirmați adresa de e-mail"
    assert body.startswith("Bună ziua,") and "Echipa CIIC Sector 6" in body
    assert "127.0.0.1" not in body.replace(live_server.url, "")
    assert [w for w in TELL_TALE if w in body] == []
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
    assert link, body
    page.goto(link.group(0))
    _reads_in_romanian(page)
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    _reads_in_romanian(page)
    assert page.locator("form[action='/accounts/logout/']").count() >= 1  # logged in
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
