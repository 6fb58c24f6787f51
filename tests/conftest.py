import os
from pathlib import Path

import pytest
from django.utils import translation

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = (REPO_ROOT.parent / "shared").resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"reference data folder {SHARED} not present")
    return SHARED


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if item.get_closest_marker("own_db") and _uses_suite_database(item):
            raise pytest.UsageError(f"{item.nodeid} is marked own_db but uses the suite's database")
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))


SUITE_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "live_server", "client", "admin_client"}
)


def _uses_suite_database(item) -> bool:  # type: ignore[no-untyped-def]
    """Whether a test reaches the suite's database (what ``own_db`` promises not to)."""
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & SUITE_DATABASE_FIXTURES) or item.get_closest_marker("django_db") is not None


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from django.core.cache import cache

    from voting.selectors import opened_ballots_forget

    cache.clear()
    opened_ballots_forget()  # kept per process; a new test database may reuse a call's id
    yield
    # A request leaves its language active in the thread (LocaleMiddleware
    # never deactivates it): the next test starts in LANGUAGE_CODE again.
    translation.deactivate()


@pytest.fixture(autouse=True)
def _live_server_requests_end_with_the_test(request):  # type: ignore[no-untyped-def]
    """A test using `live_server` ends only once the server has finished the
    requests the browser sent, before the database is flushed (see
    `tests.live`). Set up after pytest-django's own fixtures, so torn down
    before the flush and after the test's browser contexts have closed."""
    if "live_server" not in request.fixturenames:
        yield
        return
    from tests.live import live_server_gate

    gate = live_server_gate(request.getfixturevalue("live_server"))
    gate.open()
    yield
    still_serving = gate.settle_and_close()
    assert still_serving == [], f"the live server was still serving {still_serving}"
    from django.db import connection

    # the server thread shares an in-memory SQLite connection: none of its
    # requests may have left that connection inside a transaction
    assert not connection.in_atomic_block, "the test's connection was left in a transaction"


@pytest.fixture
def areas(db):  # type: ignore[no-untyped-def]
    """The Sector 6 boundary and the 13 default (approximate) planning zones."""
    from geo.defaults import load_default_areas

    sector, zones = load_default_areas()
    return {"sector": sector, "zones": {z.slug: z for z in zones}}


@pytest.fixture
def home_page(db):  # type: ignore[no-untyped-def]
    """The site's home page. Transactional tests flush the rows that the data
    migrations created, so recreate them when missing."""
    from wagtail.models import Locale, Page, Site

    from cms.models import HomePage

    existing = HomePage.objects.first()
    if existing is not None:
        return existing
    for code in ("ro", "en"):
        Locale.objects.get_or_create(language_code=code)
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(
        instance=HomePage(title="Bugetare participativă în Sectorul 6", slug="home", intro="Demo")
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": "CIIC Sector 6",
        },
    )
    # The rest of what the migrations create: Wagtail's root collection and the
    # role groups' grants on the pages and the collection.
    from wagtail.models import Collection

    from ciic.accounts.roles import role_groups_sync

    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    role_groups_sync()
    return home


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A SQLite file migrated by `manage.py migrate` in a subprocess, as `make run` does."""
    from tests.serverproc import migrated_sqlite

    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    migrated_sqlite(path, media_root=folder / "media")
    return path


@pytest.fixture
def fresh_sqlite(sqlite_template, tmp_path):  # type: ignore[no-untyped-def]
    """DATABASE_URL of a fresh copy of the migrated SQLite file, for a server process."""
    from tests.serverproc import sqlite_copy

    return sqlite_copy(sqlite_template, tmp_path / "db.sqlite3")
