"""Thin background jobs for eligibility (django-rq or in-process)."""

from .services import verification_expiry_sweep


def verifications_expire() -> int:
    """Record the expiry (audit event + email) of verifications past valid_until.
    Schedule daily; correctness never depends on it (see participation_check)."""
    return verification_expiry_sweep()
