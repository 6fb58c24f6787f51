"""Predicates (django-rules) about workshops, plus the plain checks the
services share with them, so a rule and a service never disagree."""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from ciic.accounts.predicates import is_administrator, is_facilitator, is_staff_member

from .models import REGISTRATION_STATUSES, Registration, Workshop

S = Workshop.Status


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_authenticated(user: Any) -> bool:
    return _authenticated(user)


@rules.predicate
def facilitates(user: Any, workshop: Workshop | None) -> bool:
    """A facilitator (second factor in this session) named on this workshop."""
    if workshop is None or not is_facilitator(user):
        return False
    return workshop.facilitators.filter(pk=user.pk).exists()


@rules.predicate
def accepts_registrations(user: Any, workshop: Workshop | None) -> bool:
    return (
        workshop is not None
        and workshop.status in REGISTRATION_STATUSES
        and workshop.starts_at > timezone.now()
    )


@rules.predicate
def has_active_registration(user: Any, workshop: Workshop | None) -> bool:
    if workshop is None or not _authenticated(user):
        return False
    return (
        Registration.objects.filter(workshop=workshop, user=user)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    )


@rules.predicate
def not_started(user: Any, workshop: Workshop | None) -> bool:
    return workshop is not None and workshop.starts_at > timezone.now()


@rules.predicate
def is_cancelled(user: Any, workshop: Workshop | None) -> bool:
    return workshop is not None and workshop.status == S.CANCELLED


@rules.predicate
def is_held(user: Any, workshop: Workshop | None) -> bool:
    return workshop is not None and workshop.status == S.HELD


@rules.predicate
def has_started(user: Any, workshop: Workshop | None) -> bool:
    return workshop is not None and workshop.starts_at <= timezone.now()


# Who manages one workshop: its own facilitators and the administrators.
manages = facilitates | is_administrator

__all__ = [
    "accepts_registrations",
    "facilitates",
    "has_active_registration",
    "has_started",
    "is_administrator",
    "is_authenticated",
    "is_cancelled",
    "is_facilitator",
    "is_held",
    "is_staff_member",
    "manages",
    "not_started",
]
