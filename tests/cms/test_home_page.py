import pytest
import time_machine

from tests.auth import login
from tests.proposals.conftest import NOW, call_kwargs, make_resident, make_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def call(frozen, areas):
    from proposals.services import call_create

    return call_create(actor=None, **call_kwargs())


def test_home_page_shows_the_current_call_and_the_latest_proposals(client, home_page, call, frozen):
    import datetime as dt

    frozen.shift(dt.timedelta(days=-365))
    author = make_resident()
    frozen.shift(dt.timedelta(days=365))
    for n in range(3):
        make_submitted(author=author, call=call, title=f"Bănci noi în parcul {n}")

    html = client.get("/").content.decode()
    assert call.name in html
    assert "Bănci noi în parcul 2" in html
    assert "S6-2026-0003" in html


def test_anonymous_visitors_are_told_to_log_in_to_propose(client, home_page, call):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/proposals/new/' not in html


def test_an_eligible_resident_gets_the_submit_action(client, home_page, call, frozen):
    import datetime as dt

    frozen.shift(dt.timedelta(days=-365))
    resident = make_resident()
    frozen.shift(dt.timedelta(days=365))
    login(client, resident)
    html = client.get("/").content.decode()
    assert f'href="/proposals/new/{call.slug}/"' in html


def test_home_page_query_count_does_not_grow_with_proposals(client, home_page, call, frozen):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    frozen.shift(dt.timedelta(days=-365))
    author, author2 = make_resident(), make_resident()
    frozen.shift(dt.timedelta(days=365))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    make_submitted(author=author, call=call, title="Propunerea 0")
    client.get("/")  # warm the per-process caches (site root, areas)
    one = count()
    for n in range(1, 8):
        make_submitted(author=author if n < 5 else author2, call=call, title=f"Propunerea {n}")
    assert count() == one


def test_home_page_without_any_call(client, home_page):
    response = client.get("/")
    assert response.status_code == 200


def test_calls_with_published_results_link_to_their_maps(client, home_page, call, frozen):
    import datetime as dt

    html = client.get("/").content.decode()
    assert f"/map/results/{call.slug}/" not in html  # results day not reached yet
    frozen.move_to(dt.datetime.combine(call.results_date, dt.time(9), dt.UTC))
    html = client.get("/").content.decode()
    assert f"/map/results/{call.slug}/" in html
    assert f"/map/participation/{call.slug}/" in html
