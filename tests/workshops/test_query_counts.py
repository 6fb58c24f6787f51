"""The public workshop pages read the database a fixed, small number of times,
however many workshops, registrations and photos the programme holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import make_workshop, person

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    client.get(url)  # the first request fills per-process caches (site, areas)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries]


# The index draws the map of upcoming workshops itself (one more query, the
# areas, instead of the 3 of a separate map document).
LIMITS = {"index": 6, "map": 3, "detail": 4}


def _urls(workshop) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "index": reverse("workshops:index"),
        "map": reverse("workshops:map"),
        "detail": reverse("workshops:detail", kwargs={"pk": workshop.pk}),
    }


def test_workshop_pages_read_a_fixed_number_of_times(  # type: ignore[no-untyped-def]
    client, frozen, programme, facilitator, areas
):
    from workshops.services import registration_create

    first = make_workshop(programme, facilitator, capacity=2)
    few = {name: _queries(client, url) for name, url in _urls(first).items()}
    for days in range(8, 20):
        make_workshop(programme, facilitator, days=days, theme=f"Tema {days}")
    for _ in range(4):  # two confirmed, two waiting
        registration_create(actor=person(), workshop=first)
    many = {name: _queries(client, url) for name, url in _urls(first).items()}
    for name, limit in LIMITS.items():
        assert len(many[name]) <= limit, (name, many[name])
        assert len(few[name]) == len(many[name]), (name, few[name], many[name])
    assert b"Tema 19" in client.get(reverse("workshops:index")).content
