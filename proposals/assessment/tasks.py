"""Thin jobs: take ids, call a service."""

from __future__ import annotations


def changes_deadline_pass(proposal_id: int) -> None:
    """Scheduled at the author's deadline for changes (key `assessment-changes:<id>`)."""
    from .services import changes_deadline_pass as service

    service(proposal_id=proposal_id)
