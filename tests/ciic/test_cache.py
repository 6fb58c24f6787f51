"""ciic.cache: versioned content namespaces, bumped after the commit."""

import pytest
from django.core.cache import cache
from django.db import transaction

from ciic.cache import (
    NAMESPACES,
    content_changed,
    content_key,
    content_version,
    content_versions_and,
    warmers_held,
)
from geo.cache import map_cache_key

pytestmark = pytest.mark.django_db

WARMED: list[str] = []


def warm() -> None:
    WARMED.append("warm")


def test_a_change_is_seen_after_the_commit_only(django_capture_on_commit_callbacks):
    key = content_key("proposals", "list", "ro", 1)
    cache.set(key, "old page")
    with django_capture_on_commit_callbacks(execute=True):
        content_changed("proposals")
        assert content_key("proposals", "list", "ro", 1) == key  # not before the commit
    assert content_key("proposals", "list", "ro", 1) != key
    assert cache.get(content_key("proposals", "list", "ro", 1)) is None


def test_a_rolled_back_change_bumps_nothing(django_capture_on_commit_callbacks):
    before = content_version("calls")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            content_changed("calls")
            raise RuntimeError
    assert content_version("calls") == before


def test_namespaces_are_independent_and_named(django_capture_on_commit_callbacks):
    results = content_version("results")
    with django_capture_on_commit_callbacks(execute=True):
        content_changed("workshops", "workshops")  # once per namespace
    assert content_version("results") == results
    assert content_version("workshops") == 2
    with pytest.raises(ValueError, match="unknown content namespace"):
        content_changed("proposal")  # a typo is an error, not a silent no-op
    assert {"proposals", "calls", "areas", "results", "workshops"} <= set(NAMESPACES)


def test_warmers_run_after_a_change(settings, django_capture_on_commit_callbacks):
    settings.CONTENT_WARMERS = {"results": ["tests.ciic.test_cache.warm"]}
    WARMED.clear()
    with django_capture_on_commit_callbacks(execute=True):
        content_changed("results")
    assert WARMED == ["warm"]
    with django_capture_on_commit_callbacks(execute=True):
        content_changed("results", warm=False)
    assert WARMED == ["warm"]


# (no transaction around the test, as around `seed_demo`: each change is
# committed, and its bump done, at once)
@pytest.mark.django_db(transaction=True)
def test_held_warmers_run_once_on_leaving(settings):
    # (as the maps' job warms both "proposals" and "areas")
    settings.CONTENT_WARMERS = {
        "results": ["tests.ciic.test_cache.warm"],
        "calls": ["tests.ciic.test_cache.warm"],
    }
    WARMED.clear()
    before = content_version("results")
    with warmers_held():
        for _ in range(3):
            content_changed("results", "calls")
        assert WARMED == []  # held back...
        assert content_version("results") == before + 3  # ...but the versions moved at once
        with warmers_held():  # (an inner hold hands its namespaces to the outer one)
            content_changed("results")
        assert WARMED == []
    assert WARMED == ["warm"]  # once, on leaving, for both namespaces
    content_changed("calls")
    assert WARMED == ["warm", "warm"]  # nothing held any more


@pytest.mark.django_db(transaction=True)
def test_held_warmers_run_even_when_the_load_fails(settings):
    settings.CONTENT_WARMERS = {"results": ["tests.ciic.test_cache.warm"]}
    WARMED.clear()
    with pytest.raises(RuntimeError), warmers_held():
        content_changed("results")
        raise RuntimeError
    assert WARMED == ["warm"]


def test_maps_share_the_namespace(django_capture_on_commit_callbacks, settings):
    settings.CONTENT_WARMERS = {}
    map_key = map_cache_key("proposals", "ro", "default")
    with django_capture_on_commit_callbacks(execute=True):
        content_changed("proposals")
    assert map_cache_key("proposals", "ro", "default") != map_key


def test_services_say_what_changed(django_capture_on_commit_callbacks, areas):
    """Creating a call changes the "calls" namespace (proposals' services
    change "proposals": see tests/proposals/test_maps.py)."""
    from proposals.services import call_create
    from tests.proposals.conftest import call_kwargs

    before = content_version("calls")
    with django_capture_on_commit_callbacks(execute=True):
        call_create(actor=None, **call_kwargs())
    assert content_version("calls") == before + 1


def test_a_recent_version_sees_its_own_bump_at_once_and_others_within_seconds(monkeypatch):
    import ciic.cache as ciic_cache
    from ciic.cache import content_bump, content_version_recent, content_versions_forget

    content_versions_forget()
    clock = [1000.0]
    monkeypatch.setattr(ciic_cache.time, "monotonic", lambda: clock[0])
    first = content_version_recent("calls", seconds=1.0)
    assert content_bump("calls", warm=False) == first + 1  # this process: seen at once
    assert content_version_recent("calls", seconds=1.0) == first + 1
    cache.incr("ciic:content-version:calls")  # another process's bump
    assert content_version_recent("calls", seconds=1.0) == first + 1  # not asked yet
    clock[0] += 1.5
    assert content_version_recent("calls", seconds=1.0) == first + 2
    content_versions_forget()


def test_versions_are_read_together(django_capture_on_commit_callbacks):
    """content_versions_and (one round trip, the versions and a page) agrees
    with content_version, for namespaces never changed (1) and changed ones."""
    cache.clear()
    cache.set("page", "the page")
    assert content_versions_and(("proposals", "results"), "page") == (
        {"proposals": 1, "results": 1},
        "the page",
    )
    with django_capture_on_commit_callbacks(execute=True):
        content_changed("results", warm=False)
    both, nothing = content_versions_and(("proposals", "results"), None)
    assert both == {"proposals": 1, "results": 2} and nothing is None
    assert both == {ns: content_version(ns) for ns in ("proposals", "results")}
