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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, models, router
from django.utils import timezone


def insert_from(
    model: type[models.Model], values: Mapping[str, Any], *, source: str
) -> tuple[str, list[Any]]:
    """`INSERT INTO <model's table> (...) SELECT ... FROM <source>`: one row of
    `values` ({field name: Python value}; fields left out take their model
    default) for each row of `source` (a CTE's name: the row is written only if
    the statement `source` stands for wrote one). Returns (sql, params)."""
    head, fields = _insert_select(model, connection.vendor)
    # The values as `model(**values)` then each field's `pre_save` would give
    # them, without building the instance (its __init__ sets every field: the
    # larger part of this function's CPU on voting day's hot path).
    unknown = values.keys() - _field_names(model)
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    now = None
    params = []
    for f in fields:
        if f.attname in values:
            value = values[f.attname]
        elif f.name in values:
            value = values[f.name]
            if f.is_relation and isinstance(value, models.Model):
                value = value.pk
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            now = now or timezone.now()
            value = now.date() if type(f) is models.DateField else now
        else:
            value = f.get_default()
        params.append(f.get_db_prep_save(value, connection))
    return f"{head} FROM {source}", params


@functools.cache
def _field_names(model: type[models.Model]) -> frozenset[str]:
    """The names `insert_from` accepts: each concrete field's name and attname."""
    return frozenset(name for f in model._meta.concrete_fields for name in (f.name, f.attname))


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


# --- model instances from a written-out SELECT -----------------------------------------------


@dataclass(frozen=True)
class _RowPlan:
    """How to turn a row of given columns into a model instance: the columns
    that are the model's fields (their position, the field's attname, its
    converters), and the others (annotations, set as attributes)."""

    fields: tuple[tuple[int, str, tuple[tuple[Any, Any], ...]], ...]
    attnames: tuple[str, ...]
    extra: tuple[tuple[int, str], ...]


_PLANS: dict[tuple[Any, ...], _RowPlan] = {}
_PLANS_KEPT = 64


def _row_plan(model: type[models.Model], names: tuple[str, ...], connection: Any) -> _RowPlan:
    key = (model, names, id(connection))
    plan = _PLANS.get(key)
    if plan is None:
        by_column = {str(f.column): f for f in model._meta.concrete_fields}
        order = {f.attname: n for n, f in enumerate(model._meta.concrete_fields)}
        fields = []
        extra = []
        for i, name in enumerate(names):
            field = by_column.get(name)
            if field is None:
                extra.append((i, name))
                continue
            col = field.get_col(str(model._meta.db_table))
            converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            fields.append((i, field.attname, tuple((c, col) for c in converters)))
        fields.sort(key=lambda f: order[f[1]])  # the model's order, as `from_db` wants
        plan = _RowPlan(tuple(fields), tuple(f[1] for f in fields), tuple(extra))
        if len(_PLANS) >= _PLANS_KEPT:
            _PLANS.pop(next(iter(_PLANS)))
        _PLANS[key] = plan
    return plan


def raw_instances(
    model: type[models.Model], sql: str, params: Sequence[Any], *, using: str | None = None
) -> list[Any]:
    """`model.objects.raw(sql, params)`, with what the ORM works out for each
    query (which column is which field, their converters) worked out once per
    process: the hot paths' written-out SELECTs (a session's account, a
    ballot's eligibility) cost half the Python. Columns that are not the
    model's fields become attributes; fields missing from the row are deferred."""
    using = using or router.db_for_read(model)
    connection = connections[using]
    adapt = connection.ops.adapt_unknown_value  # as the ORM's raw queries do
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(p) for p in params])
        names = tuple(str(d[0]) for d in cursor.description)
        rows = cursor.fetchall()
    plan = _row_plan(model, names, connection)
    found = []
    for row in rows:
        values = []
        for i, _attname, converters in plan.fields:
            value = row[i]
            for converter, col in converters:
                value = converter(value, col, connection)
            values.append(value)
        instance = model.from_db(using, list(plan.attnames), values)
        for i, name in plan.extra:
            setattr(instance, name, row[i])
        found.append(instance)
    return found
