"""The privacy notice and the terms: Wagtail information pages created once,
linked from every page's footer next to the CIIC desk's address and hours."""

import pytest

from cms.legal_pages import PRIVACY_SLUG, TERMS_SLUG, legal_pages_ensure
from cms.models import InformationPage

pytestmark = pytest.mark.django_db


def test_created_once_and_left_alone_after_staff_edit(home_page):
    assert len(legal_pages_ensure()) == 2
    privacy = InformationPage.objects.get(slug=PRIVACY_SLUG)
    privacy.title = "Confidențialitate (editat)"
    privacy.save_revision().publish()
    assert legal_pages_ensure() == []
    assert InformationPage.objects.get(slug=PRIVACY_SLUG).title == "Confidențialitate (editat)"
    assert InformationPage.objects.filter(slug=TERMS_SLUG).count() == 1


def test_the_footer_links_them_with_the_desk(client, home_page, django_capture_on_commit_callbacks):
    html = client.get("/").content.decode()
    assert "Calea Plevnei" in html and "8:30" in html
    assert f"/{PRIVACY_SLUG}/" not in html  # not published yet: no dead link
    with django_capture_on_commit_callbacks(execute=True):  # publishing bumps "pages"
        legal_pages_ensure()
    footer = client.get("/").content.decode().split('class="site-footer"')[1]
    assert f'href="/{PRIVACY_SLUG}/"' in footer and f'href="/{TERMS_SLUG}/"' in footer


def test_the_privacy_notice_says_what_why_how_long_and_how_to_delete(client, home_page):
    legal_pages_ensure()
    html = client.get(f"/{PRIVACY_SLUG}/").content.decode()
    for words in (
        "CNP-ul nu este stocat niciodată",  # what: only a keyed hash
        "HMAC",
        "De ce",
        "730 de zile",  # how long: a verification
        "30 de zile",  # the text of emails
        "până la publicarea rezultatelor",  # the hash of someone who voted
        "un locuitor al Sectorului 6",
        'href="/me/data/"',  # how to see, download and delete
        "ANSPDCP",
    ):
        assert words in html, words


def test_the_desk_can_be_set_from_the_environment(client, home_page, settings):
    settings.CIIC_DESK_ADDRESS = "Str. Exemplu 1"
    settings.CIIC_DESK_HOURS = "L–V 9–17"
    html = client.get("/").content.decode()
    assert "Str. Exemplu 1" in html and "L–V 9–17" in html
