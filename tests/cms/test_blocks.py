"""The call-to-action block's link: only http(s), mailto, tel and paths of this
site; anything else (a `javascript:` URL above all) is refused with a
translated error, and never reaches an `href` even if it got stored before."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cms.blocks import CallToActionBlock

ACCEPTED = [
    "/proposals/",
    "/",
    "/proposals/?category=mediu#lista",
    "/propuneri/bănci-noi/",
    "https://www.primarie6.ro/",
    "http://ciic6.ro/ateliere?zi=luni",
    "HTTPS://EXAMPLE.ORG/A",
    "mailto:ciic@primarie6.ro",
    "mailto:ciic@primarie6.ro?subject=Atelier",
    "tel:+40214134000",
    "tel:021 413 40 00",
    "  /proposals/  ",  # spaces around are trimmed
]

REFUSED = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/",
    "//evil.example/",  # another host, without a scheme
    "/\\evil.example/",  # browsers read this as //evil.example
    "\\\\evil.example\\share",
    "proposals/",  # relative: depends on the page it is on
    "#top",
    "www.primarie6.ro",
    "https://",
    "https://exa mple.org/",
    "mailto:",
    "mailto:not-an-address",
    "mailto:a@b.ro\nBcc:x@y.ro",
    "tel:",
    "tel:call-me",
    "/proposals/\n<script>",
    "",
]


def _clean(link: str):  # type: ignore[no-untyped-def]
    block = CallToActionBlock()
    value = block.to_python(
        {"title": "Propune", "text": "", "link_url": link, "link_text": "Propune un proiect"}
    )
    return block.clean(value)


@pytest.mark.parametrize("link", ACCEPTED)
def test_accepted_links(link):
    assert _clean(link)["link_url"] == link.strip()


@pytest.mark.parametrize("link", REFUSED)
def test_refused_links_get_a_translated_error(link):
    with pytest.raises(ValidationError) as exc:
        _clean(link)
    errors = exc.value.block_errors  # type: ignore[attr-defined]
    assert set(errors) == {"link_url"}
    with translation.override("en"):
        message = " ".join(errors["link_url"].messages)
    assert "/proposals/" in message or "required" in message
    if link:
        with translation.override("ro"):
            message_ro = " ".join(errors["link_url"].messages)
        assert message_ro != message and "/proposals/" in message_ro


def test_the_preview_value_is_valid():
    block = CallToActionBlock()
    assert block.clean(block.to_python(block.meta.preview_value))


@pytest.mark.django_db
def test_rendered_page_never_links_to_a_script(client, home_page):
    """Content stored before the check (or written around it) still renders
    without a dangerous href: the text stays, the link goes."""
    from cms.models import InformationPage

    page = InformationPage(title="Despre", slug="despre")
    page.body = [
        (
            "call_to_action",
            {
                "title": "Cursă",
                "text": "",
                "link_url": "javascript:alert(document.cookie)",
                "link_text": "Apăsați aici",
            },
        ),
        (
            "call_to_action",
            {"title": "Bun", "text": "", "link_url": "/proposals/", "link_text": "Propuneri"},
        ),
        (
            "call_to_action",
            {
                "title": "Scrieți-ne",
                "text": "",
                "link_url": "mailto:ciic@primarie6.ro",
                "link_text": "E-mail",
            },
        ),
    ]
    home_page.add_child(instance=page)
    html = client.get("/despre/").content.decode()
    assert "Apăsați aici" in html
    assert "javascript:" not in html.lower()
    assert 'href="/proposals/"' in html and 'href="mailto:ciic@primarie6.ro"' in html


@pytest.mark.django_db
def test_the_cms_admin_refuses_a_script_link(client, home_page):
    """Through Wagtail's own editor: the page is not saved, the field shows the error."""
    from ciic.accounts.models import Role
    from cms.models import InformationPage
    from tests.auth import add_totp, login
    from tests.factories import staff_user

    admin = staff_user(Role.ADMINISTRATOR, is_superuser=True, is_staff=True)
    login(client, add_totp(admin))
    url = f"/cms-admin/pages/add/cms/informationpage/{home_page.pk}/"
    page = client.get(url)
    assert page.status_code == 200, page.get("Location")
    data = {
        "title": "Cursă",
        "slug": "cursa",
        "intro": "",
        "body-count": "1",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-type": "call_to_action",
        "body-0-id": "a1",
        "body-0-value-title": "Cursă",
        "body-0-value-text": "",
        "body-0-value-link_url": "javascript:alert(1)",
        "body-0-value-link_text": "Apăsați",
        "title_en": "",
        "intro_en": "",
        "body_en-count": "0",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    assert not InformationPage.objects.filter(slug="cursa").exists()
    data["body-0-value-link_url"] = "/proposals/"
    response = client.post(url, data)
    assert response.status_code == 302
    assert InformationPage.objects.filter(slug="cursa").exists()
