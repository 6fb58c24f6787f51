"""Wagtail's admin in the browser: no request leaves the host (no Gravatar, no
update check, no fonts or help pages from wagtail.org) and its menus read in
Romanian. The `page` fixture fails the test on any request to another host."""

import re

import pytest

from .stack import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Wagtail's menu labels in English: none may show in the Romanian admin.
ENGLISH_MENU = re.compile(
    r"\b(Pages|Images|Documents|Snippets|Reports|Settings|Users|Groups|Sites|Collections|"
    r"Redirects|Help|Account|Log out|Search|Dashboard|Editor Guide|What's new)\b"
)


@pytest.fixture
def administrator(home_page):  # type: ignore[no-untyped-def]
    from ciic.accounts.models import Role
    from tests.auth import add_totp, confirm_email
    from tests.factories import UserFactory

    user = UserFactory(roles=[Role.ADMINISTRATOR], preferred_language="ro")
    return confirm_email(add_totp(user))


def test_wagtail_admin_stays_on_this_host_and_reads_in_romanian(
    page, administrator, home_page, settings
):
    settings.LANGUAGE_CODE = "ro"
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, administrator.email, totp=True)
    for url in (
        "/cms-admin/",
        "/cms-admin/pages/",
        f"/cms-admin/pages/{home_page.pk}/edit/",
        "/cms-admin/images/",
        "/cms-admin/documents/",
        "/cms-admin/account/",
        "/cms-admin/users/",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
        sidebar = page.locator("#wagtail-sidebar, [data-wagtail-sidebar], aside").first
        text = sidebar.inner_text() if sidebar.count() else ""
        # the sidebar's sub-menus (reports, settings, help) rendered as well
        props = page.locator("#wagtail-sidebar-props")
        labels = props.text_content() if props.count() else ""
        found = sorted(
            set(ENGLISH_MENU.findall(text)) | set(ENGLISH_MENU.findall(labels.replace("\\u", "")))
        )
        assert found == [], (url, found)
        assert "Ajutor" in (text + labels), url  # the help menu, there for every editor
        assert "guide.wagtail.org/en" not in page.content(), url
    # the page editor's own fields, with the English version among them
    page.goto(f"/cms-admin/pages/{home_page.pk}/edit/")
    assert page.locator("input[name=title_en]").count() == 1
