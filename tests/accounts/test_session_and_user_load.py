"""The session and the account of each request are read with one written-out
query (ciic.accounts.sessions, handed to the backend's get_user): same results
as Django's ORM reads, expired sessions, inactive accounts and changed
passwords included."""

import datetime as dt

import pytest
from django.utils import timezone

from ciic.accounts.backends import StaffSessionAuthenticationBackend
from ciic.accounts.models import Session
from ciic.accounts.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_live_session_loads_and_an_expired_or_unknown_one_is_empty():  # type: ignore[no-untyped-def]
    store = SessionStore()
    store["answer"] = 42
    store.save()
    key = store.session_key
    assert SessionStore(key).load() == {"answer": 42}

    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None  # as Django's own store: a new key next time

    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_the_backend_loads_the_whole_account_or_none():  # type: ignore[no-untyped-def]
    backend = StaffSessionAuthenticationBackend()
    user = UserFactory(first_name="Ana")
    loaded = backend.get_user(user.pk)
    assert loaded == user and loaded.first_name == "Ana"
    assert loaded.get_deferred_fields() == set()  # no later query per column
    assert loaded.get_session_auth_hash() == user.get_session_auth_hash()
    assert backend.get_user(str(user.pk)) == user  # as stored in the session
    assert backend.get_user(user.pk + 1000) is None
    assert backend.get_user("not a number") is None
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None


def test_a_logged_in_client_is_that_user(client):  # type: ignore[no-untyped-def]
    user = UserFactory()
    client.force_login(user)
    response = client.get("/")
    assert response.wsgi_request.user == user


def _get_queries(client, url="/me/"):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries]


def test_the_session_row_names_its_account_and_one_query_reads_both(client):  # type: ignore[no-untyped-def]
    user = UserFactory()
    client.force_login(user)
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.user_id == user.pk
    response, sql = _get_queries(client)
    assert response.wsgi_request.user == user
    assert 'FROM "accounts_session" s LEFT JOIN "accounts_user" u' in sql[0]
    assert not any('FROM "accounts_user" WHERE' in q for q in sql), sql  # no read of its own
    assert not any('"django_session"' in q for q in sql), sql


def test_an_account_read_with_the_session_passes_djangos_checks(client):  # type: ignore[no-untyped-def]
    user = UserFactory()
    client.force_login(user)
    user.set_password("changed in another browser")
    user.save()
    response, _sql = _get_queries(client, "/")
    assert not response.wsgi_request.user.is_authenticated  # the session's hash no longer fits

    other = UserFactory()
    client.force_login(other)
    other.is_active = False
    other.save()
    response, _sql = _get_queries(client, "/")
    assert not response.wsgi_request.user.is_authenticated


def test_the_account_read_with_a_session_is_taken_once_and_forgotten_with_the_request():  # type: ignore[no-untyped-def]
    from django.core.signals import request_finished
    from django.db import close_old_connections

    from ciic.accounts.sessions import loaded_account

    user = UserFactory(first_name="Ana")
    store = SessionStore()
    store.update({"_auth_user_id": str(user.pk)})
    store.save()
    assert SessionStore(store.session_key).load()["_auth_user_id"] == str(user.pk)
    assert loaded_account(user.pk + 1) is None  # another account: not handed over
    SessionStore(store.session_key).load()
    taken = loaded_account(user.pk)
    assert taken == user and taken.first_name == "Ana"
    assert taken.get_deferred_fields() == set()
    assert loaded_account(user.pk) is None  # once

    SessionStore(store.session_key).load()
    # The end of a request (without closing the test's database connection).
    request_finished.disconnect(close_old_connections)
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)
    assert loaded_account(user.pk) is None  # not into the next request

    anonymous = SessionStore()
    anonymous["cart"] = 1
    anonymous.save()
    assert Session.objects.get(session_key=anonymous.session_key).user_id is None
    assert SessionStore(anonymous.session_key).load() == {"cart": 1}


def test_the_migration_keeps_live_sessions_with_their_accounts():  # type: ignore[no-untyped-def]
    import importlib

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session as DjangoSession

    migration = importlib.import_module("ciic.accounts.migrations.0003_session_with_account")
    user = UserFactory()
    live, gone, stale = DjangoStore(), DjangoStore(), DjangoStore()
    live.update({"_auth_user_id": str(user.pk), "x": 1})
    gone.update({"_auth_user_id": str(user.pk + 999)})  # an account deleted since
    stale.update({"_auth_user_id": str(user.pk)})
    for store in (live, gone, stale):
        store.save()
    DjangoSession.objects.filter(session_key=stale.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    migration.copy_live_sessions(apps, None)
    copied = {s.session_key: s.user_id for s in Session.objects.all()}
    assert copied == {live.session_key: user.pk, gone.session_key: None}
    assert SessionStore(live.session_key).load() == {"_auth_user_id": str(user.pk), "x": 1}
