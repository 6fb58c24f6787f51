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
