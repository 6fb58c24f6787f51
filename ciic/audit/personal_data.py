"""Audit events about a person: what they did and what was done to their
account (`ciic.personal_data`). The log is append-only: on deletion, the
person's events lose their name, not their existence."""

from __future__ import annotations

from typing import Any

from .services import events_about, events_redact


def _objects(user: Any) -> list[tuple[str, str]]:
    """The person's own records that events may be about (not their proposals:
    those have their own section, and a public proposal's history is public)."""
    from ciic.eligibility.models import ResidentProfile, Verification

    objects = [(user._meta.label_lower, str(user.pk))]
    objects += [
        ("eligibility.verification", str(pk))
        for pk in Verification.objects.filter(user=user).values_list("pk", flat=True)
    ]
    objects += [
        ("eligibility.residentprofile", str(pk))
        for pk in ResidentProfile.objects.filter(user=user).values_list("pk", flat=True)
    ]
    return objects


def export(user: Any) -> list[dict[str, Any]]:
    """Events done by the person or about their account, profile and
    verifications. Who else acted shows as "staff" (their names are theirs)."""
    rows = []
    for event in events_about(user=user, objects=_objects(user)):
        by_them = event.actor_id == user.pk
        rows.append(
            {
                "time": event.created_at.isoformat(),
                "action": event.action,
                "by": "you" if by_them else ("system" if event.actor_id is None else "staff"),
                "object": event.object_type,
                "before": event.before,
                "after": event.after,
            }
        )
    return rows


def erase(user: Any) -> None:
    """The person's name leaves every event they did; events about their
    account lose their content."""
    events_redact(actor=user, objects=[(user._meta.label_lower, str(user.pk))])
