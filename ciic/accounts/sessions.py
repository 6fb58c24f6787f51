"""Django's database sessions, loaded with their account in one plain query.

Every request of a logged-in visitor loads its session and then its account;
through the ORM that cost more Python than the queries themselves, on voting
day's hot path too. The sessions live in `accounts.Session`, Django's session
table with the account as a column (set from the data on every save), and a
session is read with a written-out SELECT joined to its account. The account
read with it is handed to the authentication backend's `get_user`
(`ciic.accounts.backends`) through `loaded_account`: taken once, for that
account only, within the same request; Django's own checks (active account,
the session's password hash) then run on it as on an account read on its own.
Everything else (saving, expiry, keys) is Django's.
Settings: SESSION_ENGINE = "ciic.accounts.sessions"."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.core.signals import request_finished
from django.db import connections, router
from django.utils import timezone

from ciic.sql import raw_instances

# The account read with the session this request loaded last: (its id as the
# session holds it, the account), until the backend takes it or the request ends.
_LOADED: ContextVar[tuple[str, Any] | None] = ContextVar("ciic_session_account", default=None)


def loaded_account(user_id: Any) -> Any | None:
    """The account with id `user_id` if this request's session load read it,
    taken once (a later `get_user` reads the account afresh)."""
    kept = _LOADED.get()
    if kept is None:
        return None
    _LOADED.set(None)
    return kept[1] if kept[0] == str(user_id) else None


def _forget_loaded_account(**kwargs: Any) -> None:
    _LOADED.set(None)


request_finished.connect(_forget_loaded_account, dispatch_uid="ciic.accounts.sessions.forget")


class SessionStore(DbSessionStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from .models import Session

        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance: Any = super().create_model_instance(data)
        user_id = str(data.get(SESSION_KEY) or "")
        instance.user_id = int(user_id) if user_id.isdigit() else None
        return instance

    def load(self) -> dict[str, Any]:
        _LOADED.set(None)
        found = self._session_and_account()
        if found is None:
            return {}
        data = self.decode(found.ciic_session_data)
        user_id = data.get(SESSION_KEY)
        if found.pk is not None and user_id is not None:
            _LOADED.set((str(user_id), found))
        return data

    def _session_and_account(self) -> Any | None:
        """The session's row, if it has not expired, as its account (a `User`
        whose `ciic_session_data` holds the encoded data; pk None when the
        session holds no account); else None (and the key dropped, as
        Django's own `load` does)."""
        key = self.session_key
        if key is not None:
            model: Any = self.model
            user_model = model._meta.get_field("user").related_model
            using = router.db_for_read(model)
            qn = connections[using].ops.quote_name

            def column(m: Any, name: str) -> str:
                return qn(str(m._meta.get_field(name).column))

            sessions, users = (qn(str(m._meta.db_table)) for m in (model, user_model))
            joined = (
                f"{sessions} s LEFT JOIN {users} u "
                f"ON u.{column(user_model, 'id')} = s.{column(model, 'user')}"
            )
            sql = (
                f"SELECT u.*, s.{column(model, 'session_data')} AS ciic_session_data "  # noqa: S608 - names from the models
                f"FROM {joined} WHERE s.{column(model, 'session_key')} = %s "
                f"AND s.{column(model, 'expire_date')} > %s"
            )
            found = raw_instances(user_model, sql, [key, timezone.now()], using=using)
            if found:
                return found[0]
        self._session_key = None
        return None
