"""Every URL the project serves, for every kind of visitor, each with and without
a completed second factor: the answer is the expected one, and never a 500.

The URL patterns come from the resolver itself (our apps, allauth, Wagtail's
front end and admin, Django's admin, django-rq), so a page added later without
an expectation fails `test_every_url_pattern_has_an_expectation` with the line
to add (see `tests/permissions/expectations/__init__.py`). Sessions are made by
allauth's real log-in and TOTP step (`world.log_in`), never by setting session
keys by hand."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from . import policy as P
from .expectations import MODULES, load
from .world import build_world, log_in

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Pattern:
    route: str  # the full route, e.g. "proposals/edit/<int:pk>/<slug:step>/"
    key: str  # the URL name with its namespaces, or the route when unnamed
    view: str


def url_patterns(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:  # type: ignore[no-untyped-def]
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            key = ":".join(filter(None, [namespace, p.name])) if p.name else route
            view = f"{p.lookup_str}"
            yield Pattern(route, key, view)


def _area_for(route: str, areas: dict[str, P.Area]) -> str | None:
    return next((prefix for prefix in areas if route.startswith(prefix)), None)


def expectation_problems() -> str:
    """What the expectation table misses (as lines to paste), or has too much; '' if none."""
    rules, areas = load()
    missing = []
    used: set[str] = set()
    for pattern in url_patterns():
        if pattern.key in rules:
            used.add(pattern.key)
        elif _area_for(pattern.route, areas) is None:
            missing.append(pattern)
    problems = []
    if missing:
        problems.append(
            "These URL patterns have no permission expectation. Add each to the module of "
            f"its app in tests/permissions/expectations/ ({', '.join(MODULES)}), saying "
            "who may open it (policies in tests/permissions/policy.py):\n"
            + "\n".join(f'    "{p.key}": rule(...),  # {p.route} -> {p.view}' for p in missing)
        )
    stale = sorted(set(rules) - used)
    if stale:
        problems.append(f"Expectations for URL names that no longer exist: {stale}")
    return "\n".join(problems)


def test_every_url_pattern_has_an_expectation():
    problems = expectation_problems()
    assert not problems, problems


# A page added without an expectation, to check the message the developer gets.
urlpatterns = [
    path("desk/new-page/<int:pk>/", lambda request, pk: HttpResponse(), name="new_page"),
    path("", include("ciic.urls")),
]


@pytest.mark.urls(__name__)
def test_a_page_added_without_expectation_is_reported():
    problems = expectation_problems()
    assert '"new_page": rule(...),  # desk/new-page/<int:pk>/' in problems
    assert "tests/permissions/expectations/" in problems


@pytest.fixture
def world(home_page, areas, settings, monkeypatch):  # type: ignore[no-untyped-def]
    # Files on disk (in this test's MEDIA_ROOT), as in production.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    if not os.environ.get("REDIS_URL"):
        # The job dashboard reads its queues from Redis: without a server, a fake one.
        import django_rq.queues
        import fakeredis

        server = fakeredis.FakeServer()
        monkeypatch.setattr(
            django_rq.queues,
            "get_redis_connection",
            lambda config, use_strict_redis=False: fakeredis.FakeRedis(server=server),
        )
    return build_world(home_page)


def _requests(world) -> Iterator[tuple[str, str, P.Policy]]:  # type: ignore[no-untyped-def]
    """(description, url, policy) for every case of every pattern."""
    rules, areas = load()
    seen: set[str] = set()
    for pattern in url_patterns():
        if pattern.key in rules:
            if pattern.key in seen:
                continue  # several routes under one name: the rule covers them
            seen.add(pattern.key)
            rule = rules[pattern.key]
            for case in rule.cases:
                if case.path is not None:
                    url = case.path(world)
                elif rule.path is not None:
                    url = rule.path(world)
                elif pattern.key == pattern.route:  # unnamed, without arguments
                    url = "/" + pattern.route
                else:
                    kwargs = dict(case.kwargs(world)) if case.kwargs else {}
                    url = reverse(pattern.key, kwargs=kwargs)
                if case.query:
                    url += "?" + case.query
                label = f"{pattern.key}{' [' + case.label + ']' if case.label else ''}"
                yield label, url, case.policy
    for prefix, area in areas.items():
        for area_url in area.paths(world):
            yield f"{prefix} area", area_url, area.extra.get(area_url, area.policy)


@pytest.mark.parametrize("who", P.IDENTITIES, ids=lambda who: who.name)
def test_every_url_answers_as_expected(who, world):
    client = Client(raise_request_exception=False)
    user = log_in(client, world, who)
    failures = []
    report = []
    for label, url, policy in _requests(world):
        expected = policy(who)
        response = client.get(url)
        location = response.get("Location", "")
        got = f"{response.status_code}{' -> ' + location if location else ''}"
        report.append(f"{label:55} {url:70} {got}")
        if response.status_code >= 500 or not expected.matches(response.status_code, location):
            failures.append(f"{who.name}: GET {url} ({label}) expected {expected}, got {got}")
        if who.logged_in:
            # No page visited with GET may end the session.
            assert client.session.get(SESSION_KEY) == str(user.pk), f"logged out by {url}"
    if os.environ.get("PERMISSION_WALK_REPORT"):
        print(f"\n== {who.name}\n" + "\n".join(report))
    assert not failures, f"{len(failures)} unexpected answers:\n" + "\n".join(failures)
