"""Rows written as parts of one SQL statement (PostgreSQL's data-modifying CTEs).

Voting day's hot path writes a ballot, its choices, the audit row and the
receipt email in one statement instead of four (each statement costs a round
trip and, through the ORM, about as much Python as the database's own work):

    WITH b AS (INSERT INTO voting_ballot ... ON CONFLICT DO NOTHING RETURNING id),
         c AS (INSERT INTO voting_ballotchoice ... SELECT b.id, ... FROM b, (VALUES ...)),
         e AS (INSERT INTO audit_event (...) SELECT ... FROM b),
         o AS (INSERT INTO notifications_outgoingemail (...) SELECT ... FROM b)
    SELECT id FROM b

Each app builds the part for its own table (`ciic.audit.services.event_insert_sql`,
`ciic.notifications.services.email_insert_sql`) with `insert_from` below, so no
app writes another's table. Names come from the models' metadata; values go as
parameters, each cast to its column's type (an untyped parameter in a SELECT
list would be text)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from django.db import connection, models


def insert_from(
    model: type[models.Model], values: Mapping[str, Any], *, source: str
) -> tuple[str, list[Any]]:
    """`INSERT INTO <model's table> (...) SELECT ... FROM <source>`: one row of
    `values` ({field name: Python value}; fields left out take their model
    default) for each row of `source` (a CTE's name: the row is written only if
    the statement `source` stands for wrote one). Returns (sql, params)."""
    head, fields = _insert_select(model, connection.vendor)
    instance = model(**values)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    return f"{head} FROM {source}", params


@functools.cache
def _insert_select(model: type[models.Model], vendor: str) -> tuple[str, list[models.Field]]:
    """The statement of `insert_from` up to its FROM, and the fields it writes
    (per process: the columns' types cost more to look up than to keep)."""
    meta = model._meta
    qn = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(qn(str(f.column)) for f in fields)
    casts = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    head = f"INSERT INTO {qn(str(meta.db_table))} ({columns}) SELECT {casts}"  # noqa: S608 - names from the model, values as parameters
    return head, fields


def data_modifying_ctes() -> bool:
    """Whether the database can write in a WITH clause (PostgreSQL; SQLite cannot)."""
    return connection.vendor == "postgresql"
