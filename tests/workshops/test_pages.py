"""The Wagtail pages of workshops: their text shows on the stable pages
`/workshops/` and `/workshops/<id>/`; visiting the Wagtail page leads there."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(home_page, workshop):  # type: ignore[no-untyped-def]
    from cms.models import WorkshopIndexPage, WorkshopPage

    index = home_page.add_child(
        instance=WorkshopIndexPage(title="Ateliere", slug="ateliere", intro="Textul programului")
    )
    page = index.add_child(
        instance=WorkshopPage(
            title="Atelier 1",
            slug="atelier-1",
            workshop=workshop,
            intro="Textul atelierului",
            body=[("paragraph", "<p>Mulțumim celor care au venit</p>")],
        )
    )
    return index, page


def test_stable_pages_show_the_editorial_text(client, frozen, pages, workshop):
    index, page = pages
    r = client.get("/workshops/")
    assert b"Textul programului" in r.content
    assert workshop.theme.encode() in r.content
    r = client.get(f"/workshops/{workshop.pk}/")
    assert b"Textul atelierului" in r.content
    assert "Mulțumim celor care au venit".encode() in r.content


def test_the_wagtail_pages_lead_to_the_stable_addresses(client, frozen, pages, workshop):
    index, page = pages
    r = client.get(page.url)
    assert r.status_code == 302 and r["Location"] == f"/workshops/{workshop.pk}/"
    assert index.serve(None)["Location"] == "/workshops/"


def test_a_registration_renders_the_workshop_pages_afresh_but_not_the_home_page(  # type: ignore[no-untyped-def]
    client, frozen, settings, home_page, workshop, django_capture_on_commit_callbacks
):
    """Registrations come by the hundred on a busy day: they change the seats
    shown under /workshops/ only, so the home page (which shows no workshop)
    stays in the visitors' page cache."""
    from tests.factories import UserFactory
    from workshops.services import registration_create

    settings.PUBLIC_PAGE_CACHE = True
    pages = ["/", "/workshops/", workshop.get_absolute_url()]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    first = {url: client.get(url) for url in pages}
    assert all(r.status_code == 200 and not r.has_header("X-Page-Cache") for r in first.values())
    assert all(client.get(url)["X-Page-Cache"] == "hit" for url in pages)
    assert "0 registered" in first["/workshops/"].content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        registration_create(actor=UserFactory(), workshop=workshop)

    assert client.get("/")["X-Page-Cache"] == "hit"
    listing = client.get("/workshops/")
    assert not listing.has_header("X-Page-Cache") and "1 registered" in listing.content.decode()
    assert not client.get(workshop.get_absolute_url()).has_header("X-Page-Cache")
