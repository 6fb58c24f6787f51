"""Django's database sessions, loaded with one plain query.

Every request of a logged-in visitor loads its session; through the ORM that
cost more Python (building and compiling the query, a model instance) than the
query itself, on voting day's hot path too. The session data are read with a
written-out SELECT instead; everything else (saving, expiry, keys, the
`Session` model) is Django's. Settings: SESSION_ENGINE = "ciic.accounts.sessions"."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DbSessionStore):
    def load(self) -> dict[str, Any]:
        data = self._session_data_from_db()
        return self.decode(data) if data is not None else {}

    def _session_data_from_db(self) -> str | None:
        """The stored (encoded) data of this session if it has not expired,
        else None (and the key dropped, as Django's own `load` does)."""
        key = self.session_key
        if key is not None:
            model = self.model
            connection = connections[router.db_for_read(model)]
            qn = connection.ops.quote_name
            fields = {f.name: qn(str(f.column)) for f in model._meta.concrete_fields}
            sql = (
                f"SELECT {fields['session_data']} FROM {qn(str(model._meta.db_table))} "  # noqa: S608 - names from the model
                f"WHERE {fields['session_key']} = %s AND {fields['expire_date']} > %s"
            )
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            with connection.cursor() as cursor:
                cursor.execute(sql, [key, now])
                row = cursor.fetchone()
            if row is not None:
                return str(row[0])
        self._session_key = None
        return None
