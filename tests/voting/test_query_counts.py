"""The public results pages read the database a fixed, small number of times:
each query once (no query per project, per zone or per ballot), within a cap."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_views import _published

pytestmark = pytest.mark.django_db

LIMITS = {"index": 1, "detail": 4, "map": 3, "participation": 4, "map_frame": 1}


def _queries(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    client.get(url)  # the first request fills per-process caches (site, areas, maps)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries]


def test_results_pages_read_a_fixed_number_of_times(client, setup):  # type: ignore[no-untyped-def]
    _published(client, setup)
    slug = {"call": setup["call"].slug}
    urls = {
        "index": reverse("voting:results_index"),
        "detail": reverse("voting:results_detail", kwargs=slug),
        "map": reverse("maps:results", kwargs=slug),
        "participation": reverse("maps:participation", kwargs=slug),
        "map_frame": reverse("maps:results_embed", kwargs=slug),
    }
    for name, url in urls.items():
        queries = _queries(client, url)
        assert len(queries) <= LIMITS[name], (name, queries)
        repeated = [sql for sql, n in Counter(queries).items() if n > 1]
        assert not repeated, (name, repeated)
