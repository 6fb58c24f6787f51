"""Writing audit events. Services call `event_record` inside their transaction."""

from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction

from ciic.sql import insert_from

from .events import event_kind
from .models import Event

# What a deleted account's events show as their actor.
DELETED_ACTOR_LABEL = "deleted account"


def event_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    public: bool | None = None,
) -> Event:
    """Append one event of kind `action` (a constant of `ciic.audit.events`).
    `actor` may be None (the system) or an anonymous user. `public` defaults
    to the kind's own flag."""
    return Event.objects.create(
        **_event_values(
            actor=actor, action=action, obj=obj, before=before, after=after, public=public
        )
    )


def _event_values(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    public: bool | None,
) -> dict[str, Any]:
    if public is None:
        found = event_kind(action)
        public = found.public if found is not None else False
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return {
        "actor": real_actor,
        "actor_label": str(real_actor) if real_actor else "system",
        "action": action,
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
        "before": before,
        "after": after,
        "public": public,
    }


def event_insert_sql(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    source: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    public: bool | None = None,
) -> tuple[str, list[Any]]:
    """The row `event_record` writes, as a part of a caller's single statement
    (see `ciic.sql`): `INSERT INTO <events> ... SELECT ... FROM <source>`,
    written only if the CTE `source` wrote a row. Returns (sql, params)."""
    return insert_from(
        Event,
        _event_values(
            actor=actor, action=action, obj=obj, before=before, after=after, public=public
        ),
        source=source,
    )


def event_record_anonymous(
    *, action: str, object_type: str, object_id: str, after: dict[str, Any] | None = None
) -> Event:
    """Append an event that names no person (e.g. "an account was deleted")."""
    return Event.objects.create(
        actor=None,
        actor_label="system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr="",
        after=after,
    )


def events_about(*, user: Any, objects: Iterable[tuple[str, str]] = ()) -> models.QuerySet[Event]:
    """Events done by `user` or about the given (object_type, object_id) pairs."""
    q = models.Q(actor_id=user.pk)
    by_type: dict[str, list[str]] = {}
    for object_type, object_id in objects:
        by_type.setdefault(object_type, []).append(str(object_id))
    for object_type, ids in by_type.items():
        q |= models.Q(object_type=object_type, object_id__in=ids)
    return Event.objects.filter(q).order_by("created_at", "id")


@transaction.atomic
def events_redact(
    *, actor: Any = None, objects: Iterable[tuple[str, str]] = (), keep_content: bool = False
) -> int:
    """Remove a deleted person's data from the append-only log: events done by
    `actor` lose the actor; events about `objects` lose their description and
    before/after content (unless `keep_content`: public objects, such as a
    submitted proposal, keep what the public already saw). What happened, to
    which object and when stay. The only UPDATE the log allows (see the
    trigger in migration 0003)."""
    count = 0
    with _redaction_allowed():
        if actor is not None:
            count += models.QuerySet.update(
                Event.objects.filter(actor_id=actor.pk),
                actor=None,
                actor_label=DELETED_ACTOR_LABEL,
            )
        if not keep_content:
            by_type: dict[str, list[str]] = {}
            for object_type, object_id in objects:
                by_type.setdefault(object_type, []).append(str(object_id))
            for object_type, ids in by_type.items():
                count += models.QuerySet.update(
                    Event.objects.filter(object_type=object_type, object_id__in=ids),
                    object_repr="",
                    before=None,
                    after=None,
                )
    return count


class _redaction_allowed:
    def __enter__(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET LOCAL ciic.audit_redaction = 'on'")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None and connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET LOCAL ciic.audit_redaction = 'off'")
