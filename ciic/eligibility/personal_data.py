"""The resident's profile and verifications, for their copy of their data and
for the deletion of their account (`ciic.personal_data`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from ciic.audit.services import events_redact
from ciic.personal_data import identity_hold_until

from .models import ResidentProfile, RetainedIdentity, Verification


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(user: Any) -> dict[str, Any]:
    """The profile and the verification history; never the CNP or its hash."""
    profile = ResidentProfile.objects.filter(user=user).select_related("residence_zone").first()
    verifications = Verification.objects.filter(user=user).order_by("verified_at", "id")
    return {
        "profile": None
        if profile is None
        else {
            "full_name": profile.full_name,
            "date_of_birth": _iso(profile.date_of_birth),
            "address": profile.address,
            "phone": profile.phone,
            "zone_of_residence": profile.residence_zone.name if profile.residence_zone else None,
            "created": _iso(profile.created_at),
            "updated": _iso(profile.updated_at),
        },
        "verifications": [
            {
                "verified_at": _iso(v.verified_at),
                "method": v.get_method_display(),
                "document_checked": v.get_document_type_display() if v.document_type else "",
                "date_of_birth": _iso(v.birth_date),
                "lives_in_sector_6": v.sector6_resident,
                "valid_until": _iso(v.valid_until),
                "ended_at": _iso(v.ended_at),
                "ended_by": v.get_end_kind_display() if v.end_kind else "",
                "reason": v.end_reason,
            }
            for v in verifications
        ],
    }


def erase(user: Any) -> None:
    """Delete the profile and the verifications. When a call the person voted
    in still needs it, only the keyed CNP hash is kept apart, until that call
    allows, then purged by a scheduled job."""
    from ciic.jobs import enqueue_at

    verifications = list(Verification.objects.filter(user=user))
    hold = identity_hold_until(user)
    if hold is not None:
        for cnp_hash in sorted({v.cnp_hash for v in verifications}):
            RetainedIdentity.objects.create(cnp_hash=cnp_hash, keep_until=hold)
        when = dt.datetime.combine(
            hold + dt.timedelta(days=1), dt.time(3, 0), tzinfo=timezone.get_current_timezone()
        )
        enqueue_at(
            when,
            retained_identities_purge,
            key=f"retained-identities-purge:{hold.isoformat()}",
        )
    objects = [("eligibility.verification", str(v.pk)) for v in verifications]
    objects += [
        ("eligibility.residentprofile", str(pk))
        for pk in ResidentProfile.objects.filter(user=user).values_list("pk", flat=True)
    ]
    events_redact(objects=objects)
    Verification.objects.filter(user=user).delete()
    ResidentProfile.objects.filter(user=user).delete()


def identity_retained(cnp_hash: str, *, on: dt.date | None = None) -> bool:
    """Was this person's account deleted while a call they voted in still
    needed their identity (for a ballot check on a new account)?"""
    on = on or timezone.localdate()
    return RetainedIdentity.objects.filter(cnp_hash=cnp_hash, keep_until__gte=on).exists()


@transaction.atomic
def retained_identities_purge() -> int:
    """Delete the kept identities whose time is over (a scheduled job; idempotent)."""
    deleted, _ = RetainedIdentity.objects.filter(keep_until__lt=timezone.localdate()).delete()
    return deleted
