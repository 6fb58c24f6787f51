"""The session and the account of each request are read with written-out
queries (ciic.accounts.sessions, the backend's get_user): same results as
Django's ORM reads, expired sessions and inactive accounts included."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from ciic.accounts.backends import StaffSessionAuthenticationBackend
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
