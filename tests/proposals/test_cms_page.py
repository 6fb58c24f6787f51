import datetime as dt

import pytest

from cms.models import CallForProposalsPage
from proposals.models import LOCAL_TZ
from tests.auth import login
from tests.factories import UserFactory

from .conftest import make_resident, make_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(call, home_page):  # type: ignore[no-untyped-def]
    page = CallForProposalsPage(
        title="Bugetare 2026", slug="bugetare-2026", call=call, intro="Intro"
    )
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def _get(client, page):  # type: ignore[no-untyped-def]
    r = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    return r.content.decode()


def test_page_counters_timeline_and_action(client, page, call, resident):
    make_submitted(author=resident, call=call)
    body = _get(client, page)
    assert "Log in to propose a project." in body
    assert "Submit a proposal" not in body
    assert ">1</strong>" in body  # one submitted
    assert "Submission of proposals" in body and "Voting" in body
    login(client, resident)
    body = _get(client, page)
    assert f"/proposals/new/{call.slug}/" in body


def test_page_explains_why_not(client, page, call, frozen):
    login(client, UserFactory())
    assert "not been verified" in _get(client, page)
    frozen.move_to(dt.datetime(2026, 1, 10, 12, tzinfo=LOCAL_TZ))
    teen = make_resident(born=dt.date(2009, 1, 1))
    frozen.move_to(dt.datetime(2026, 3, 15, 12, tzinfo=LOCAL_TZ))
    login(client, teen)
    assert "You may take part from the day you turn 18" in _get(client, page)
    frozen.move_to(dt.datetime(2026, 5, 1, 0, 0, 1, tzinfo=LOCAL_TZ))
    login(client, teen)
    assert "Submission for this call has closed." in _get(client, page)
