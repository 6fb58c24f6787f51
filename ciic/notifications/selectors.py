"""Reads of the outbox (the staff page)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import OutgoingEmail


def outbox_list(*, status: str = "") -> QuerySet[OutgoingEmail]:
    """Messages, newest first, optionally of one status."""
    rows = OutgoingEmail.objects.select_related("user").defer("body", "html")
    if status in OutgoingEmail.Status.values:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def outbox_counts() -> dict[str, int]:
    """How many messages of each status ({"pending": 2, "sent": 40, ...})."""
    counts = {value: 0 for value in OutgoingEmail.Status.values}
    for row in OutgoingEmail.objects.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
