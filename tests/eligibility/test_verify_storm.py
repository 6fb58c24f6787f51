"""The daily limit of register look-ups (5) against 20 parallel POSTs to
`/me/verify/`, through the real login and a real server: on PostgreSQL (the
live server, one thread and one connection per request) and on SQLite (a
runserver process on a migrated file, as `make run` serves it). Exactly five
look-ups are made and counted; every other answer is the clear refusal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.serverproc import ServerProcess, csrf_post, login, setup_in, storm

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
BORN = dt.date(1991, 3, 4)
LIMIT = 5


def resident_with_profile() -> dict[str, Any]:
    """A confirmed account with a profile, not verified yet."""
    from allauth.account.models import EmailAddress

    from tests.factories import ResidentProfileFactory

    user = ResidentProfileFactory(date_of_birth=BORN).user
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return {"email": user.email, "user": user.pk}


def lookups_counted(user: int) -> dict[str, int]:
    from ciic.accounts.models import User
    from ciic.eligibility.models import Verification
    from ciic.eligibility.services import register_match_failures_today

    return {
        "failures": register_match_failures_today(user=User.objects.get(pk=user)),
        "verifications": Verification.objects.count(),
    }


def _storm_verify(base_url: str, email: str) -> list[Any]:
    from tests.factories import make_cnp

    session = login(base_url, email, PASSWORD)
    # 20 different, well-formed CNPs of this person's birth date, none on the register.
    posts = [
        csrf_post(base_url, "/me/verify/", {"cnp": make_cnp(BORN, serial=400 + i), "confirm": "on"})
        for i in range(20)
    ]
    return storm(session, posts)


def _assert_limited(results: list[Any], counted: dict[str, int], log: str = "") -> None:
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert [r.status_code for r in results] == [200] * 20, log[-4000:]
    pages = [r.text for r in results]
    not_found = [p for p in pages if "could not find this CNP" in p]
    limited = [p for p in pages if "Too many unsuccessful checks today" in p]
    assert len(not_found) == LIMIT and len(limited) == 20 - LIMIT
    assert counted == {"failures": LIMIT, "verifications": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_checks_make_five_lookups_on_postgresql(live_server, settings):
    assert settings.REGISTER_MATCH_MAX_FAILURES_PER_DAY == LIMIT
    made = resident_with_profile()
    results = _storm_verify(live_server.url, made["email"])
    _assert_limited(results, lookups_counted(made["user"]))


@pytest.mark.slow
@pytest.mark.own_db
def test_twenty_parallel_checks_make_five_lookups_on_sqlite(fresh_sqlite: str, tmp_path: Path):
    media = tmp_path / "media"
    made = setup_in(fresh_sqlite, f"{__name__}:resident_with_profile", media_root=media)
    with ServerProcess(fresh_sqlite, media_root=media, log=tmp_path / "server.log") as server:
        results = _storm_verify(server.url, made["email"])
        log = server.log.read_text()
    counted = setup_in(
        fresh_sqlite, f"{__name__}:lookups_counted", media_root=media, user=made["user"]
    )
    _assert_limited(results, counted, log)
