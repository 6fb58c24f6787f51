"""A resident's proposals (`ciic.personal_data`): drafts are theirs and go
with the account; submitted proposals are public documents of the
participatory budget and stay, under "a Sector 6 resident"."""

from __future__ import annotations

from typing import Any

from ciic.audit.services import events_redact

from .models import Proposal
from .services import proposal_draft_delete


def export(user: Any) -> list[dict[str, Any]]:
    rows = []
    for p in (
        Proposal.objects.filter(author=user)
        .select_related("call", "zone")
        .prefetch_related("images", "attachments")
        .order_by("created_at", "id")
    ):
        rows.append(
            {
                "reference": p.reference,
                "call": p.call.name,
                "status": p.get_status_display(),
                "title": p.title,
                "summary": p.summary,
                "description": p.description,
                "category": p.get_category_display(),
                "estimated_cost": str(p.cost_estimate) if p.cost_estimate is not None else None,
                "whole_sector": p.whole_sector,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "zone": p.zone.name if p.zone else None,
                "images": [
                    {"file": i.file.name, "description": i.alt_text} for i in p.images.all()
                ],
                "documents": [d.original_name for d in p.attachments.all()],
                "created": p.created_at.isoformat(),
                "submitted": p.submitted_at.isoformat() if p.submitted_at else None,
            }
        )
    return rows


def erase(user: Any) -> None:
    """Drafts are deleted with their files and their events' content; public
    proposals lose their author (and keep their public history)."""
    for draft in Proposal.objects.filter(author=user, status=Proposal.Status.DRAFT):
        pk = draft.pk
        proposal_draft_delete(actor=user, proposal=draft)
        events_redact(objects=[("proposals.proposal", str(pk))])
    Proposal.objects.filter(author=user).update(author=None)
