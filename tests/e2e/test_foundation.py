import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _home(home_page):  # type: ignore[no-untyped-def]
    return home_page


def test_home_page_in_romanian_then_english(page, settings):
    settings.LANGUAGE_CODE = "ro"
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ro"
    assert page.locator("h1").first.inner_text().strip() == "Bugetare participativă în Sectorul 6"
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Proposals").first.is_visible()
    with page.expect_navigation():
        page.select_option("#lang-select", "ro")
    assert page.get_by_role("link", name="Propuneri").first.is_visible()


def test_sign_up_form_shows_errors_next_to_fields(page):
    from ciic.accounts.models import User

    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "locuitor@example.org")
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "different")
    with page.expect_navigation():
        page.locator("form:has(input[name=password1]) [type=submit]").first.click()
    assert page.locator(".errorlist, [class*=error]").count() >= 1
    assert User.objects.count() == 0
