"""Issue 16, backups (README, "Backup and restore"): a database with
proposals, ballots, published results, workshop registrations and audit
events is dumped with pg_dump, restored with pg_restore into a new database,
and the site served from the restored database (the production stack)
shows the same pages, the audit log is intact, and `python -m voting.tally`
on the restored site's ballots.pb gives the published outcome."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys

import pytest
import requests

from .stack import REPO
from .stack import test_db_url as database_url

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def _tool(name: str) -> str:
    return shutil.which(name) or name


@pytest.fixture
def restored_url():  # type: ignore[no-untyped-def]
    """The address of a new, empty database; dropped after the test (after
    the servers using it stopped: request this fixture first)."""
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (postgresql-client)")
    source = database_url()
    base, _sep, name = source.rpartition("/")
    target = f"{name}_restored"
    admin = f"{base}/postgres"

    def psql(sql: str) -> None:
        command = [_tool("psql"), "-q", "-d", admin, "-c", sql]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603

    psql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{target}"')
    yield f"{base}/{target}"
    psql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def _published_vote_and_a_workshop(voting_call):  # type: ignore[no-untyped-def]
    """Through the services, on the call's dates: voting opens, three ballots,
    results computed and published; a workshop with registrations."""
    import time_machine

    from proposals.models import LOCAL_TZ
    from voting.services import ballot_rule_set, results_compute, results_publish, voting_open
    from workshops import services as ws

    from .production_data import make_workshop
    from .test_production_faults import _cast_ballots

    call, admin = voting_call["call"], voting_call["admin"]
    day = voting_call["voting_day"]
    ballot_rule_set(actor=admin, call=call, kind="knapsack", counting_rule="mes", completion="add1")
    with time_machine.travel(dt.datetime.combine(day, dt.time(8), LOCAL_TZ), tick=False):
        voting_open(actor=admin, call=call)
    _cast_ballots(voting_call)
    with time_machine.travel(
        dt.datetime.combine(day, dt.time(23, 59), LOCAL_TZ) + dt.timedelta(hours=1), tick=False
    ):
        results_compute(actor=admin, call=call)
        results_publish(actor=admin, call=call)
    workshop = make_workshop(voting_call["facilitator"], starts_in=dt.timedelta(days=3))
    for voter in voting_call["voters"]:
        ws.registration_create(actor=voter, workshop=workshop)
    return workshop


def _main_text(html: str) -> str:
    """The page's <main>, without what differs per request (tokens, nonces)."""
    found = re.search(r"<main\b.*?</main>", html, re.S)
    assert found, html[:500]
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", found.group(0))
    return re.sub(r'nonce="[^"]*"', "", text)


def _audit(url: str) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute(
            "SELECT id, created_at, actor_id, action, object_type, object_id, before::text,"
            " after::text, public FROM audit_event ORDER BY id"
        ).fetchall()


def test_dump_restore_serves_the_same_site(restored_url, stack_factory, voting_call, tmp_path):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from ciic.audit.models import Event
    from voting.models import Result
    from workshops.models import Registration

    workshop = _published_vote_and_a_workshop(voting_call)
    call = voting_call["call"]
    result = Result.objects.get(call=call)
    assert result.published_at and Registration.objects.filter(workshop=workshop).count() == 3
    assert Event.objects.count() > 20
    pages = [
        "/", "/proposals/", f"/proposals/{voting_call['proposals'][0].reference}/",
        "/results/", f"/results/{call.slug}/", f"/workshops/{workshop.pk}/", "/workshops/",
    ]  # fmt: skip

    original = stack_factory()
    before = {p: _main_text(requests.get(original.url + p, timeout=60).text) for p in pages}
    original.stop()

    # The backup, and the restore into a new database (README, "Backup and restore").
    dump = tmp_path / "ciic.dump"
    subprocess.run(  # noqa: S603
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", database_url()],
        check=True,
    )
    subprocess.run(  # noqa: S603
        [
            _tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            f"--dbname={restored_url}",
            str(dump),
        ],
        check=True,
    )
    cache.clear()  # nothing cached from the original may answer for the restored site
    restored = stack_factory(DATABASE_URL=restored_url)
    for p in pages:
        response = requests.get(restored.url + p, timeout=60)
        assert response.status_code == 200, p
        assert _main_text(response.text) == before[p], p

    # The audit log is intact, row for row.
    assert _audit(restored_url) == _audit(database_url())

    # The published results recompute from the restored site's ballots.
    pb = tmp_path / "ballots.pb"
    pb.write_bytes(
        requests.get(f"{restored.url}/results/{call.slug}/ballots.pb", timeout=60).content
    )
    done = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "voting.tally", "--rule", "meta", "--json", str(pb)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert set(json.loads(done.stdout)["selected"]) == set(result.units[0]["selected"])
