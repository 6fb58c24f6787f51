"""The voting pages through real log-ins: casting, refusals, the desk, the
administrator's page, and the public results with their downloads."""

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from voting_support import AFTER_CLOSE, VOTING_DAY, open_vote

from proposals.models import Proposal
from tests.auth import add_totp, login
from voting.models import Ballot, Channel, Result
from voting.services import receipt_hash

pytestmark = pytest.mark.django_db
S = Proposal.Status


def _url(name, setup, **kw):  # type: ignore[no-untyped-def]
    return reverse(f"voting:{name}", kwargs={"call": setup["call"].slug, **kw})


def test_cast_on_the_page_then_change(client, setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    voter = setup["dt"][1]
    login(client, voter)
    page = client.get(_url("ballot", setup))
    assert page.status_code == 200
    park, library = setup["proposals"]["park"], setup["proposals"]["library"]
    assert f'value="{park.pk}"'.encode() in page.content
    assert b'name="revision" value="0"' in page.content
    response = client.post(_url("ballot", setup), {"revision": "0", "choice": [park.pk]})
    assert response.status_code == 302 and response["Location"] == _url("ballot_done", setup)
    done = client.get(response["Location"])
    code = done.context["code"]
    assert code and code.encode() in done.content
    assert Ballot.objects.get().receipt_hash == receipt_hash(code)
    # Shown once only.
    assert client.get(_url("ballot_done", setup)).context["code"] is None
    # The page now shows the ballot, ready to change.
    again = client.get(_url("ballot", setup))
    assert b'name="revision" value="1"' in again.content and b"checked" in again.content
    client.post(_url("ballot", setup), {"revision": "1", "choice": [library.pk]})
    assert list(Ballot.objects.get().choices.values_list("proposal_id", flat=True)) == [library.pk]
    # The first form sent again (a replay): refused, nothing changes.
    replay = client.post(_url("ballot", setup), {"revision": "0", "choice": [park.pk]})
    assert replay.status_code == 400 and b"changed in the meantime" in replay.content
    assert Ballot.objects.get().revision == 2


def test_a_cast_costs_a_fixed_small_number_of_queries(
    client, setup, voting_day, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    """Voting day's hot path: the session joined to its account, call with its rule, eligibility
    with the zone and the identity hold (one query), then on PostgreSQL one
    statement (no transaction around it) writes the ballot (nothing if the
    voter has one), its choices, the audit row and the receipt in the outbox;
    on SQLite, in a transaction, one insert each. The ballot's projects and
    budgets are read once per process (the first voter pays for them). No
    count query, no second look at the rule, no session write, no savepoint."""
    open_vote(setup)
    p = setup["proposals"]
    kept = 3 if connection.vendor == "postgresql" else 8
    for n, voter in enumerate(setup["dt"][:3]):
        login(client, voter)
        # From the second cast on, the call and its rule are kept too.
        with django_assert_max_num_queries(kept + 3 if n == 0 else kept):
            response = client.post(
                _url("ballot", setup), {"revision": "0", "choice": [p["park"].pk, p["sector"].pk]}
            )
        assert response.status_code == 302
        assert Ballot.objects.filter(voter=voter).count() == 1
        assert response.cookies[f"voting-receipt-{setup['call'].pk}"]["httponly"]


def _extend_voting(call, by):  # type: ignore[no-untyped-def]
    """Move the call's close (and the dates after it) later, behind the
    services' back: no "calls" version bump."""
    from proposals.models import Call

    Call.objects.filter(pk=call.pk).update(
        voting_end=call.voting_end + by,
        results_date=call.results_date + by,
        implementation_start=call.implementation_start + by,
    )


@pytest.mark.parametrize("how", ["version", "time"])
def test_a_kept_call_is_read_again_after_it_changes(client, setup, voting_day, monkeypatch, how):  # type: ignore[no-untyped-def]
    """The ballot page keeps an opened call per process; a change of the call
    (its "calls" version bumped by the services) is seen at the next cast, and
    a change that bypassed the services within OPENED_CALL_SECONDS."""
    import datetime as dt
    import time

    from ciic.cache import content_bump
    from voting import selectors

    open_vote(setup)
    p = setup["proposals"]
    first, second = setup["dt"][:2]
    login(client, first)
    ok = client.post(_url("ballot", setup), {"revision": "0", "choice": [p["park"].pk]})
    assert ok.status_code == 302
    # Voting is extended by five days; the resident casts after the old close.
    call = setup["call"]
    _extend_voting(call, dt.timedelta(days=5))
    if how == "version":
        content_bump("calls", warm=False)
    else:
        later = time.monotonic() + selectors.OPENED_CALL_SECONDS + 1
        monkeypatch.setattr(selectors.time, "monotonic", lambda: later)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        login(client, second)
        late = client.post(_url("ballot", setup), {"revision": "0", "choice": [p["park"].pk]})
    assert late.status_code == 302, late.content[:300]
    assert Ballot.objects.filter(voter=second).exists()


def test_a_kept_call_is_not_read_again_without_a_change(client, setup, voting_day):  # type: ignore[no-untyped-def]
    """The counterpart: the same late cast without any sign of a change is
    judged by the kept call, whose voting has closed (so the test above
    proves the re-read)."""
    import datetime as dt

    open_vote(setup)
    p = setup["proposals"]
    first, second = setup["dt"][:2]
    login(client, first)
    assert (
        client.post(_url("ballot", setup), {"revision": "0", "choice": [p["park"].pk]}).status_code
        == 302
    )
    call = setup["call"]
    _extend_voting(call, dt.timedelta(days=5))
    with time_machine.travel(AFTER_CLOSE, tick=False):
        login(client, second)
        late = client.post(_url("ballot", setup), {"revision": "0", "choice": [p["park"].pk]})
    assert late.status_code == 403
    assert not Ballot.objects.filter(voter=second).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"revision": "0", "choice": ["park", "library", "benches"]}, b"at most 2"),
        ({"revision": "0", "choice": ["militari"]}, b"another planning zone"),
        ({"revision": "0", "choice": ["x1"]}, b"could not be read"),
        ({"choice": ["park"]}, b"could not be read"),
    ],
)
def test_bad_ballots_are_refused_with_a_message(client, setup, voting_day, data, message):  # type: ignore[no-untyped-def]
    open_vote(setup)
    login(client, setup["dt"][1])
    ids = {n: str(p.pk) for n, p in setup["proposals"].items()}
    data = {**data, "choice": [ids.get(c, c) for c in data["choice"]]}
    response = client.post(_url("ballot", setup), data)
    assert response.status_code == 400
    assert message in response.content
    assert not Ballot.objects.exists()


def test_a_forged_request_without_the_csrf_token_is_refused(client, setup, voting_day):  # type: ignore[no-untyped-def]
    from django.test import Client

    open_vote(setup)
    login(client, setup["dt"][1])
    session_cookies = client.cookies
    client = Client(enforce_csrf_checks=True)
    client.cookies = session_cookies
    park = setup["proposals"]["park"]
    response = client.post(_url("ballot", setup), {"revision": "0", "choice": [park.pk]})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_unverified_users_see_why_and_cannot_vote(client, setup, voting_day):  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    open_vote(setup)
    login(client, UserFactory())
    page = client.get(_url("ballot", setup))
    assert b"not been verified" in page.content and b'name="choice"' not in page.content
    park = setup["proposals"]["park"]
    response = client.post(_url("ballot", setup), {"revision": "0", "choice": [park.pk]})
    assert response.status_code == 403 and not Ballot.objects.exists()


def test_after_the_close_the_page_refuses(client, setup):  # type: ignore[no-untyped-def]
    open_vote(setup)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        login(client, setup["dt"][1])
        park = setup["proposals"]["park"]
        response = client.post(_url("ballot", setup), {"revision": "0", "choice": [park.pk]})
    assert response.status_code == 403 and not Ballot.objects.exists()


def test_desk_records_a_paper_ballot_once_across_channels(client, setup, voting_day):  # type: ignore[no-untyped-def]
    open_vote(setup)
    facilitator = add_totp(setup["facilitator"])
    login(client, facilitator)
    online, paper = setup["dt"][1], setup["dt"][2]
    park = setup["proposals"]["park"]
    from voting.services import ballot_cast

    ballot_cast(actor=online, call=setup["call"], voter=online, choices={park.pk: 1})
    url = _url("desk", setup) + f"?email={paper.email}"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"revision": "0", "choice": [park.pk]})
    assert b"identity document" in refused.content and refused.status_code == 400
    response = client.post(url, {"revision": "0", "choice": [park.pk], "identity_checked": "on"})
    assert response.status_code == 302
    assert Ballot.objects.get(voter=paper).channel == Channel.PAPER
    url = _url("desk", setup) + f"?email={online.email}"
    assert b"already voted" in client.get(url).content
    twice = client.post(url, {"revision": "0", "choice": [park.pk], "identity_checked": "on"})
    assert b"already voted (online)" in twice.content
    assert Ballot.objects.count() == 2


def _published(client, setup):  # type: ignore[no-untyped-def]
    open_vote(setup, completion="none")
    from voting.services import ballot_cast

    p = setup["proposals"]
    with time_machine.travel(VOTING_DAY, tick=False):
        for voter, names in [
            (setup["dt"][0], ["park", "sector"]),
            (setup["dt"][1], ["park", "library"]),
            (setup["dt"][2], ["benches"]),
            (setup["militari"][0], ["militari"]),
        ]:
            receipt = ballot_cast(
                actor=voter, call=setup["call"], voter=voter, choices={p[n].pk: 1 for n in names}
            )
    admin = add_totp(setup["admin"])
    with time_machine.travel(AFTER_CLOSE, tick=False):
        login(client, admin)
        assert client.post(_url("manage", setup), {"action": "compute"}).status_code == 302
        page = client.get(_url("manage", setup))
        assert b"Publish the results" in page.content
        assert client.post(_url("manage", setup), {"action": "publish"}).status_code == 302
    client.logout()
    return receipt


def test_results_pages_and_downloads(client, setup):  # type: ignore[no-untyped-def]
    from voting.tally import parse_pabulib_text, tally

    receipt = _published(client, setup)
    result = Result.objects.get()
    assert result.is_published
    index = client.get(reverse("voting:results_index"))
    assert setup["call"].name.encode() in index.content
    page = client.get(_url("results_detail", setup))
    assert page.status_code == 200
    assert len(page.context["charts"]) == 2 + 4  # votes per unit, then turnout charts
    selected = [x["title"] for u in result.units for x in u["projects"] if x["selected"]]
    assert all(t.encode() in page.content for t in selected)
    pb = client.get(_url("ballots_pb", setup))
    assert pb.status_code == 200
    text = pb.content.decode()
    election = parse_pabulib_text(text)
    assert election.meta["rule"] == "equalshares" and election.num_voters == 4
    assert tally(election, rule="mes", sat="cost").selected_ids == result.unit("sector")["selected"]
    for voter in [*setup["dt"], *setup["militari"]]:
        assert voter.email not in text and str(voter.pk) not in text.split("VOTES")[1][:0]
    zone = client.get(_url("ballots_pb_unit", setup, unit="militari-pacii"))
    assert parse_pabulib_text(zone.content.decode()).num_voters == 1
    csv = client.get(_url("results_csv", setup))
    assert csv.status_code == 200 and setup["proposals"]["park"].reference.encode() in csv.content
    receipts = client.get(_url("receipts", setup), {"code": receipt.code})
    assert receipt.ballot.receipt_hash.encode() in receipts.content
    assert receipts.context["found"] is True
    assert client.get(_url("receipts", setup), {"code": "AAAA-BBBB-CCCC"}).context["found"] is False


def test_the_rule_is_explained_in_the_pages_language(client, setup):  # type: ignore[no-untyped-def]
    from django.conf import settings

    _published(client, setup)
    result = Result.objects.get()
    sector = result.unit("sector")
    assert set(sector["explanation"]) == {"ro", "en"}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ro"
    page = client.get(_url("results_detail", setup))
    text = page.content.decode()
    lines = page.context["units"][0]["explanation"]
    assert lines == sector["explanation"]["ro"]
    assert "Regula: Metoda părților egale" in text
    assert "fiecare votant pornește cu" in text and "Round 1" not in text
    assert "Au fost selectate" in text and "Selected 2 projects" not in text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(_url("results_detail", setup))
    text = page.content.decode()
    assert "Rule: mes with cost satisfaction" in text and "Regula:" not in text
    assert "each voter starts with" in text


def test_administrator_sets_the_rule_then_opens_the_vote(client, setup):  # type: ignore[no-untyped-def]
    import datetime as dt

    from proposals.models import LOCAL_TZ
    from voting.models import BallotRule

    admin = add_totp(setup["admin"])
    form = {
        "action": "rule",
        "kind": "knapsack",
        "min_share_spent": "40",
        "counting_rule": "greedy",
        "completion": "mes-only",
    }
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=LOCAL_TZ), tick=False):
        login(client, admin)
        bad = client.post(_url("manage", setup), form)
        assert bad.status_code == 200 and not BallotRule.objects.exists()
        ok = client.post(_url("manage", setup), {**form, "completion": "none"})
        assert ok.status_code == 302
    rule = BallotRule.objects.get()
    assert (rule.kind, rule.counting_rule, str(rule.min_share_spent)) == (
        "knapsack",
        "greedy",
        "40.00",
    )
    with time_machine.travel(VOTING_DAY, tick=False):
        login(client, admin)
        assert client.post(_url("manage", setup), {"action": "open"}).status_code == 302
        page = client.get(_url("manage", setup))
    assert b"the rule is locked" in page.content
    setup["proposals"]["park"].refresh_from_db()
    assert setup["proposals"]["park"].status == S.ON_BALLOT
