"""Writing audit events. Services call `event_record` inside their transaction."""

from typing import Any

from django.db import models

from .events import event_kind
from .models import Event


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
    if public is None:
        found = event_kind(action)
        public = found.public if found is not None else False
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return Event.objects.create(
        actor=real_actor,
        actor_label=str(real_actor) if real_actor else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        public=public,
    )
