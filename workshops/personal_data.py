"""What the workshops app holds about a person (see ciic.personal_data)."""

from __future__ import annotations

from typing import Any

from .models import Idea, Registration


def export(user: Any) -> Any:
    regs = Registration.objects.filter(user=user).select_related("workshop")
    ideas = Idea.objects.filter(resident=user).select_related("workshop", "proposal")
    return {
        "registrations": [
            {
                "workshop": str(r.workshop),
                "starts_at": r.workshop.starts_at.isoformat(),
                "status": r.status,
                "registered_at": r.created_at.isoformat(),
                "checked_in_at": r.checked_in_at.isoformat() if r.checked_in_at else None,
            }
            for r in regs
        ],
        "ideas_carried": [
            {
                "workshop": str(i.workshop),
                "title": i.title,
                "consent_at": i.consent_at.isoformat() if i.consent_at else None,
                "proposal": i.proposal.reference or i.proposal.title if i.proposal else None,
            }
            for i in ideas
        ],
    }


def erase(user: Any) -> None:
    """Registrations go (a held workshop's attendance then counts one fewer);
    ideas stay with the workshop, without the person."""
    Registration.objects.filter(user=user).delete()
    Idea.objects.filter(resident=user).update(resident=None)
    Idea.objects.filter(consent_recorded_by=user).update(consent_recorded_by=None)
    Idea.objects.filter(created_by=user).update(created_by=None)
