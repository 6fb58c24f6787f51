"""SQLite, the set-up of `make run`, under concurrent writes: a real server
process (runserver, one thread per request) on a freshly migrated SQLite file,
the real login, and ten final submits of one draft at the same moment. Exactly
one submission, the others a clear refusal, never a 500 "database is locked".

Runs on every suite (it needs no database of the test run itself)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.serverproc import (
    ServerProcess,
    csrf_post,
    login,
    setup_in,
    storm,
)

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


# --- set-up functions, run in a subprocess on the server's database ------------------------


def open_call() -> Any:
    from django.utils import timezone

    from geo.defaults import load_default_areas
    from proposals.calls import call_schedule_open
    from proposals.models import Category
    from proposals.services import call_create

    load_default_areas()
    today = timezone.localdate()
    return call_create(
        actor=None,
        name="Bugetare participativă — test",
        slug="bp-test",
        year=today.year,
        total_budget=Decimal("5000000"),
        max_cost_per_proposal=Decimal("500000"),
        **call_schedule_open(today=today),
        categories={c.value: "" for c in Category},
    )


def confirmed_resident() -> Any:
    """A verified resident whose email address is confirmed (so allauth lets her in)."""
    from allauth.account.models import EmailAddress

    from tests.factories import verified_resident

    user, _v, _cnp = verified_resident(born=dt.date(1980, 1, 1), serial=7)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def complete_draft() -> dict[str, Any]:
    from tests.proposals.conftest import make_draft

    call = open_call()
    author = confirmed_resident()
    draft = make_draft(author=author, call=call)
    return {"email": author.email, "draft": draft.pk}


def submission_outcome(draft: int) -> dict[str, Any]:
    from ciic.audit.models import Event
    from proposals.models import Proposal, ProposalVersion

    p = Proposal.objects.get(pk=draft)
    return {
        "status": p.status,
        "reference": p.reference,
        "numbers": sorted(n for n in Proposal.objects.values_list("number", flat=True) if n),
        "versions": ProposalVersion.objects.filter(proposal=p).count(),
        "submit_events": Event.objects.filter(
            action="proposal.status_changed", object_id=str(draft)
        ).count(),
    }


# --- the test --------------------------------------------------------------------------------


@pytest.mark.own_db
def test_ten_parallel_final_submits_of_one_draft_on_sqlite(fresh_sqlite: str, tmp_path: Path):
    media = tmp_path / "media"
    made = setup_in(fresh_sqlite, f"{__name__}:complete_draft", media_root=media)
    with ServerProcess(fresh_sqlite, media_root=media, log=tmp_path / "server.log") as server:
        session = login(server.url, made["email"], PASSWORD)
        submit = csrf_post(server.url, f"/proposals/edit/{made['draft']}/submit/")
        results = storm(session, [submit] * 10)
        log = server.log.read_text()

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    codes = [r.status_code for r in results]
    assert 500 not in codes, (codes, log[-4000:])
    assert "database is locked" not in log
    outcome = setup_in(
        fresh_sqlite, f"{__name__}:submission_outcome", media_root=media, draft=made["draft"]
    )
    assert outcome["status"] == "submitted" and outcome["numbers"] == [1]
    assert outcome["versions"] == 1 and outcome["submit_events"] == 1
    # One redirect to the published proposal; the others back to the review step,
    # where the message says it was already submitted.
    published = [
        r for r in results if r.headers.get("Location", "").endswith(outcome["reference"] + "/")
    ]
    refused = [r for r in results if r.headers.get("Location", "").endswith("/review/")]
    assert len(published) == 1 and len(refused) == 9, [
        (r.status_code, r.headers.get("Location")) for r in results
    ]


def started_drafts(email: str) -> dict[str, Any]:
    from ciic.accounts.models import User
    from proposals.models import Proposal

    return {
        "accounts": sorted(
            User.objects.filter(email__startswith="storm").values_list("email", flat=True)
        ),
        "drafts": Proposal.objects.filter(author__email=email).count(),
    }


def resident_and_call() -> dict[str, Any]:
    call = open_call()
    return {"email": confirmed_resident().email, "slug": call.slug}


PASSWORD_NEW = "o-parola-lunga-de-test-2026"


def _sign_up(base_url: str, email: str):  # type: ignore[no-untyped-def]
    return csrf_post(
        base_url,
        "/accounts/signup/",
        {"email": email, "password1": PASSWORD_NEW, "password2": PASSWORD_NEW},
    )


def _anonymous(base_url: str):  # type: ignore[no-untyped-def]
    import requests

    session = requests.Session()
    session.cookies.set("django_language", "en")
    assert session.get(f"{base_url}/accounts/signup/", timeout=30).status_code == 200
    return session


@pytest.mark.own_db
def test_parallel_sign_ups_and_new_drafts_on_sqlite(fresh_sqlite: str, tmp_path: Path):
    """The other hot writes: ten sign-ups at once, ten new drafts started at
    once by one resident."""
    media = tmp_path / "media"
    made = setup_in(fresh_sqlite, f"{__name__}:resident_and_call", media_root=media)
    with ServerProcess(fresh_sqlite, media_root=media, log=tmp_path / "server.log") as server:
        signups = storm(
            _anonymous(server.url),
            [_sign_up(server.url, f"storm{i}@example.org") for i in range(10)],
        )
        session = login(server.url, made["email"], PASSWORD)
        start = csrf_post(
            server.url,
            f"/proposals/new/{made['slug']}/",
            {"title": "Bănci noi", "summary": "Bănci în parc.", "category": "mediu"},
        )
        starts = storm(session, [start] * 10)
        log = server.log.read_text()

    for results in (signups, starts):
        assert not [r for r in results if isinstance(r, Exception)], results
        assert [r.status_code for r in results] == [302] * 10, log[-4000:]
    assert "database is locked" not in log
    outcome = setup_in(
        fresh_sqlite, f"{__name__}:started_drafts", media_root=media, email=made["email"]
    )
    assert outcome["accounts"] == sorted(f"storm{i}@example.org" for i in range(10))
    assert outcome["drafts"] == 10
