"""Redis down while voting: ballots are still accepted, and the receipts are
mailed once Redis is back (the outbox and the sweep of ciic.jobs)."""

import datetime as dt
import os

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from voting_support import VOTING_DAY, open_vote

from ciic.notifications.models import OutgoingEmail
from tests.auth import login
from tests.workers import use_fake_redis
from voting.models import Ballot


@pytest.mark.django_db(transaction=True)
def _cast(client, setup, voter, proposal):  # type: ignore[no-untyped-def]
    """`voter` logs in and casts a ballot for `proposal` on the ballot page."""
    login(client, voter)
    response = client.post(
        f"/vote/{setup['call'].slug}/", {"revision": "0", "choice": [proposal.pk]}
    )
    assert response.status_code == 302
    return response


def test_ballots_are_accepted_during_a_redis_outage_and_receipts_mailed_later(
    client, settings, monkeypatch, setup
):  # type: ignore[no-untyped-def]
    settings.JOBS_IN_PROCESS = False
    settings.RQ = {"COMMIT_MODE": "auto"}
    server = use_fake_redis(monkeypatch, settings)
    open_vote(setup)
    server.connected = False  # Redis is down
    voters = setup["dt"][:3]
    park = setup["proposals"]["park"]
    with time_machine.travel(VOTING_DAY, tick=False):
        for voter in voters:
            response = _cast(client, setup, voter, park)
            assert client.get(response["Location"]).context["code"]
    assert Ballot.objects.count() == 3
    receipts = OutgoingEmail.objects.filter(template="voting/email/receipt")
    assert receipts.count() == 3 and {r.status for r in receipts} == {"pending"}
    assert not [m for m in mail.outbox if "receipt" in m.subject.lower()]

    server.connected = True  # Redis is back; the sweep hands the mail over, a worker sends it
    import django_rq
    from rq import SimpleWorker

    with time_machine.travel(VOTING_DAY + dt.timedelta(minutes=5), tick=False):
        call_command("jobs_sweep", stdout=open(os.devnull, "w"))  # noqa: SIM115
        queue = django_rq.get_queue("default")
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert {r.status for r in receipts.all()} == {"sent"}
    sent_to = {m.to[0] for m in mail.outbox if "receipt" in m.subject.lower()}
    assert sent_to == {v.email for v in voters}


@pytest.mark.django_db(transaction=True)
def test_receipts_of_many_ballots_go_out_in_one_job(client, settings, monkeypatch, setup):  # type: ignore[no-untyped-def]
    """Voting day: a receipt per ballot, but not a job per receipt (each job
    costs the worker a process fork): one run delivers those committed before
    it started."""
    settings.JOBS_IN_PROCESS = False
    settings.OUTBOX_BATCH_SETTLE_SECONDS = 0
    use_fake_redis(monkeypatch, settings)
    open_vote(setup)
    import django_rq
    from rq import SimpleWorker

    queue = django_rq.get_queue("default")
    before = queue.count  # opening the vote queued its own jobs
    voters = setup["dt"][:3]
    park = setup["proposals"]["park"]
    with time_machine.travel(VOTING_DAY, tick=False):
        for voter in voters:
            _cast(client, setup, voter, park)
        assert queue.count == before + 1
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    receipts = OutgoingEmail.objects.filter(template="voting/email/receipt")
    assert receipts.count() == 3 and {r.status for r in receipts} == {"sent"}
    assert sorted(m.to[0] for m in mail.outbox if "receipt" in m.subject.lower()) == sorted(
        v.email for v in voters
    )
