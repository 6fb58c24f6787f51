"""Thin jobs: take ids, load, call a service or notify. Idempotent (each
email has an outbox key)."""

from __future__ import annotations

from django.utils import timezone

from ciic.links import site_url
from ciic.notifications.services import notify

from .models import REGISTRATION_STATUSES, Registration, Workshop


def workshop_reminders_send(workshop_id: int) -> int:
    """The reminder a day before: one email to each confirmed person, in their
    language. Nothing for a workshop that was cancelled, postponed or has
    started meanwhile. Returns how many were queued."""
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    if workshop is None or workshop.status not in REGISTRATION_STATUSES:
        return 0
    if workshop.starts_at <= timezone.now():
        return 0
    regs = workshop.registrations.filter(status=Registration.Status.CONFIRMED).select_related(
        "user"
    )
    n = 0
    for reg in regs:
        notify(
            user=reg.user,
            template="workshops/email/reminder",
            context={"workshop": workshop, "url": site_url(workshop.get_absolute_url())},
            key=f"workshop-reminder:{workshop.pk}:{reg.pk}:{workshop.starts_at.isoformat()}",
        )
        n += 1
    return n
