from django.core.cache import cache

from geo.cache import map_cache_bump, map_cache_key, map_cache_version


def test_bump_changes_keys_and_enqueues_warmers(db, settings, django_capture_on_commit_callbacks):
    calls = []
    settings.CONTENT_WARMERS = {"demo": ["tests.geo.test_cache.record_warm"]}
    RECORD.clear()
    key1 = map_cache_key("demo", "x")
    cache.set(key1, "old")
    with django_capture_on_commit_callbacks(execute=True):
        map_cache_bump("demo")
    key2 = map_cache_key("demo", "x")
    assert key1 != key2 and cache.get(key2) is None
    assert RECORD == ["warm"]
    assert map_cache_version("other") == 1
    with django_capture_on_commit_callbacks(execute=True):
        map_cache_bump("demo", warm=False)
    assert RECORD == ["warm"] and calls == []


def test_bump_survives_eviction():
    cache.clear()
    assert map_cache_bump("evicted", warm=False) == 2
    assert map_cache_version("evicted") == 2


RECORD: list[str] = []


def record_warm() -> None:
    RECORD.append("warm")
