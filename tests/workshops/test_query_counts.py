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


def test_a_registration_is_a_fixed_small_number_of_queries(  # type: ignore[no-untyped-def]
    client, frozen, programme, facilitator
):
    """Voting day's mix registers residents for workshops: the session and the
    account, the workshop, then in one transaction its row lock, one query for
    "registered already?" and the seats taken, the registration and its audit
    event (no savepoint of its own, no second count)."""
    from tests.auth import login
    from workshops.models import Registration

    workshop = make_workshop(programme, facilitator, capacity=1)
    first, second = person(), person()
    url = reverse("workshops:register", kwargs={"pk": workshop.pk})
    counts = []
    for resident in (first, second):
        login(client, resident)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url)
        assert response.status_code == 302
        counts.append([q["sql"] for q in ctx.captured_queries])
    statuses = list(Registration.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [Registration.Status.CONFIRMED, Registration.Status.WAITING]
    workshop.refresh_from_db()
    assert workshop.status == workshop.Status.FULL  # the seat count carried to the status
    for sql in counts:
        # The service's transaction is a savepoint in the test's (BEGIN/COMMIT
        # in production): one, none around the insert.
        assert sum(q.startswith("SAVEPOINT") for q in sql) == 1, sql
        assert len(sql) <= 10, sql
