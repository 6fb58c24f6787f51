"""Every public page reads the database a fixed, small number of times,
whatever the number of proposals (counting included)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import make_submitted

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    client.get(url)  # the first request fills per-process caches (site, areas)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers={"accept-language": "en"})
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries]


def _copies(proposal, n: int) -> None:  # type: ignore[no-untyped-def]
    """`n` more public proposals like `proposal` (the data, not the subject)."""
    from proposals.models import Proposal
    from proposals.search import search_index

    rows = []
    for i in range(2, n + 2):
        copy = Proposal.objects.get(pk=proposal.pk)
        copy.pk = None
        copy.number = i
        copy.reference = f"S6-2026-{i:04d}"
        copy.title = f"Parc {i}"
        rows.append(copy)
    search_index(Proposal.objects.bulk_create(rows))


PAGES = {
    # url: the most queries it may make
    # site, page, its path, restrictions, call, call page, counters, past calls, latest,
    # their photos
    "/": 10,
    "/proposals/": 6,  # calls, their categories, count, zones, the page, its photos
    "/proposals/?q=parc&sort=relevance": 6,
    "/proposals/?category=mediu&zone=drumul-taberei&status=submitted&sort=cost": 6,
    "/proposals/?page=2": 6,
    "/map/": 3,
    "/map/embed/proposals/": 3,
    "/api/proposals.geojson": 1,
    "/api/proposals.points.json": 1,
    # + images, documents, timeline, its small map, the assessment's public outcome
    "/proposals/S6-2026-0001/": 10,
}


def test_public_pages_read_a_fixed_number_of_times(client, call, resident, home_page):  # type: ignore[no-untyped-def]
    first = make_submitted(author=resident, call=call, title="Parc cu bănci")
    few = {url: _queries(client, url) for url in PAGES if "page=2" not in url}
    _copies(first, 22)  # more than a page of them
    many = {url: _queries(client, url) for url in PAGES}
    for url, limit in PAGES.items():
        assert len(many[url]) <= limit, (url, many[url])
        if url in few:
            assert len(few[url]) == len(many[url]), (url, many[url])
    # Counting a search reads the stored vector or stems, never text per row.
    count = next(q for q in many["/proposals/?q=parc&sort=relevance"] if "COUNT(" in q.upper())
    assert "to_tsvector" not in count and "unaccent" not in count.lower()
