"""Emails sent to a person (`ciic.personal_data`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from .models import OutgoingEmail


def _messages(user: Any) -> list[OutgoingEmail]:
    """Messages to the account, and those sent to its address without an
    account link (allauth's confirmation and password emails)."""
    rows = OutgoingEmail.objects.filter(Q(user=user) | Q(user__isnull=True))
    if user.date_joined:
        rows = rows.filter(created_at__gte=user.date_joined.replace(hour=0, minute=0, second=0))
    email = user.email.lower()
    return [
        m
        for m in rows.order_by("created_at", "id")
        if m.user_id == user.pk or email in {str(a).lower() for a in m.to}
    ]


def _shown(message: OutgoingEmail) -> OutgoingEmail:
    """A message rendered at delivery and not sent yet, as it will be sent."""
    from .services import email_rendered

    try:
        email_rendered(message)
    except Exception:  # noqa: S110 - unrenderable: exported without its text
        pass
    return message


def export(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "created": m.created_at.isoformat(),
            "subject": m.subject,
            "text": m.body,
            "status": m.get_status_display(),
            "sent": m.sent_at.isoformat() if m.sent_at else None,
        }
        for m in map(_shown, _messages(user))
    ]


def erase(user: Any) -> None:
    OutgoingEmail.objects.filter(pk__in=[m.pk for m in _messages(user)]).delete()
