"""Reads for eligibility. `participation_check` is *the* function every feature
calls at the moment of an action (submitting a proposal, casting a ballot):

    decision = participation_check(user=request.user, on_date=timezone.localdate())
    if not decision.allowed:
        ...  # show decision.message

It checks the verification that is in force on `on_date`, residence in Sector 6
and age on `on_date` (never only at verification time). One query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ciic.accounts.models import User
from ciic.audit.models import Event
from ciic.sql import raw_instances

from .age import anniversary, is_at_least
from .models import (
    EndKind,
    IdentityConflict,
    RegisterEntry,
    RegisterImport,
    ResidentProfile,
    RetainedIdentity,
    Verification,
)

REASON_MESSAGES: dict[str, Promise] = {
    "ok": _("You may take part."),
    "anonymous": _("Log in to take part."),
    "unverified": _(
        "Your residence has not been verified yet. Bring your identity card (or residence "
        "visa) to the CIIC desk, or check yourself against the residents' register."
    ),
    "revoked": _(
        "Your verification was revoked. Please contact the CIIC desk if you think this is a mistake."
    ),
    "expired": _(
        "Your verification has expired. Bring your identity card (or residence visa) to the "
        "CIIC desk to renew it."
    ),
    "not_resident": _(
        "Only residents of Sector 6 may take part: the document checked does not show "
        "an address in Sector 6."
    ),
    "under_18": _("You may take part from the day you turn %(age)d."),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    verification: Verification | None = None
    eligible_from: date | None = None  # for "under_18": the day the person reaches the age
    # Read with `participation_check(..., for_ballot=True)` only:
    residence_zone_id: int | None = None  # the planning zone on the profile, as stored now
    # The verified identity is kept from a deleted account (`personal_data.identity_retained`).
    identity_retained: bool = False

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def message(self) -> str:
        text = REASON_MESSAGES[self.reason]
        if self.reason == "under_18":
            return str(text) % {"age": minimum_age()}
        return str(text)


def minimum_age() -> int:
    return int(getattr(settings, "PARTICIPATION_MINIMUM_AGE", 18))


def _local_date(moment: datetime) -> date:
    return timezone.localdate(moment)


def verification_in_force(verifications: list[Verification], on_date: date) -> Verification | None:
    """The verification that had started and had not ended by `on_date`."""
    for v in verifications:  # newest first
        started = _local_date(v.verified_at) <= on_date
        ended = v.ended_at is not None and _local_date(v.ended_at) <= on_date
        if started and not ended:
            return v
    return None


@lru_cache(maxsize=1)
def _for_ballot_sql() -> str:
    """The verifications of a user (newest first) with the residence zone on
    the profile and whether the identity is kept from a deleted account: what
    `participation_check(for_ballot=True)` reads in one query. Written out
    (names from the models' metadata) because the ORM took 0.8 ms of CPU per
    ballot more to build the same query (a join and an EXISTS) on voting day's
    hot path. Parameters: the date, the user id."""
    qn = connection.ops.quote_name

    def col(model: Any, name: str) -> str:
        return qn(str(model._meta.get_field(name).column))

    v, p, r = (qn(str(m._meta.db_table)) for m in (Verification, ResidentProfile, RetainedIdentity))
    zone, user = col(ResidentProfile, "residence_zone"), col(ResidentProfile, "user")
    same = f"r.{col(RetainedIdentity, 'cnp_hash')} = v.{col(Verification, 'cnp_hash')}"
    kept = f"r.{col(RetainedIdentity, 'keep_until')} >= %s"
    retained = f"EXISTS (SELECT 1 FROM {r} r WHERE {same} AND {kept})"  # noqa: S608
    joined = f"{v} v LEFT JOIN {p} p ON p.{user} = v.{col(Verification, 'user')}"
    order = f"v.{col(Verification, 'verified_at')} DESC, v.{col(Verification, 'id')} DESC"
    # No value in the text: the date and the user id are parameters.
    sql = f"SELECT v.*, p.{zone} AS residence_zone, {retained} AS retained FROM {joined}"  # noqa: S608
    return f"{sql} WHERE v.{col(Verification, 'user')} = %s ORDER BY {order}"


def participation_check(*, user: Any, on_date: date, for_ballot: bool = False) -> Decision:
    """May `user` take part on `on_date`? Verified (not revoked, not expired),
    living in Sector 6, and at least 18 years old *on that date*.

    `for_ballot`: also read, in the same query, what casting a ballot needs
    (voting day's hot path): the residence zone on the profile and whether
    the verified identity is kept from a deleted account."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Decision(False, "anonymous")
    if for_ballot:
        verifications = raw_instances(Verification, _for_ballot_sql(), [on_date, user.pk])
    else:
        verifications = list(
            Verification.objects.filter(user_id=user.pk).order_by("-verified_at", "-id")
        )
    current = verification_in_force(verifications, on_date)
    if current is None:
        started = [v for v in verifications if _local_date(v.verified_at) <= on_date]
        if started and started[0].end_kind == EndKind.REVOKED:
            return Decision(False, "revoked", started[0])
        return Decision(False, "unverified")
    if current.valid_until < on_date:
        return Decision(False, "expired", current)
    if not current.sector6_resident:
        return Decision(False, "not_resident", current)
    if not is_at_least(current.birth_date, minimum_age(), on_date):
        return Decision(
            False,
            "under_18",
            current,
            eligible_from=anniversary(current.birth_date, minimum_age()),
        )
    if for_ballot:
        return Decision(
            True,
            "ok",
            current,
            residence_zone_id=getattr(current, "residence_zone", None),
            identity_retained=bool(getattr(current, "retained", False)),
        )
    return Decision(True, "ok", current)


def verification_history(*, user: User) -> QuerySet[Verification]:
    return Verification.objects.filter(user=user).select_related(
        "verified_by", "ended_by", "register_import"
    )


def verification_open_for_user(*, user: User) -> Verification | None:
    return Verification.objects.filter(user=user, ended_at__isnull=True).first()


def resident_events(*, user: User, verifications: list[Verification]) -> list[Event]:
    """Audit events about a resident's profile and verifications, newest first."""
    profile_ids = list(ResidentProfile.objects.filter(user=user).values_list("pk", flat=True))
    q = Q(object_type="eligibility.verification", object_id__in=[str(v.pk) for v in verifications])
    q |= Q(object_type="eligibility.residentprofile", object_id__in=[str(p) for p in profile_ids])
    q |= Q(object_type=user._meta.label_lower, object_id=str(user.pk))
    return list(
        Event.objects.filter(q).select_related("actor").order_by("-created_at", "-id")[:100]
    )


def residents_search(*, query: str = "", limit: int = 50) -> QuerySet[User]:
    """Accounts matching an email or a name (for the desk), with profile joined."""
    qs = User.objects.select_related("resident_profile").order_by("email")
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(email__icontains=query)
            | Q(resident_profile__full_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    return qs[:limit]


def conflicts_list(*, include_resolved: bool = False) -> QuerySet[IdentityConflict]:
    qs = IdentityConflict.objects.select_related(
        "existing_user", "attempting_user", "attempted_by", "resolved_by"
    )
    if not include_resolved:
        qs = qs.filter(resolved_at__isnull=True)
    return qs


def conflicts_open_count() -> int:
    return IdentityConflict.objects.filter(resolved_at__isnull=True).count()


def register_imports_list(*, limit: int = 20) -> QuerySet[RegisterImport]:
    return RegisterImport.objects.select_related("imported_by")[:limit]


def register_size() -> int:
    return RegisterEntry.objects.count()


def verifications_due_for_expiry(*, today: date) -> QuerySet[Verification]:
    """Open verifications past `valid_until` whose expiry has no audit event yet."""
    return Verification.objects.filter(
        ended_at__isnull=True, expiry_recorded_at__isnull=True, valid_until__lt=today
    ).select_related("user")


def default_valid_until(*, verified_on: date) -> date:
    return verified_on + timedelta(days=int(getattr(settings, "VERIFICATION_VALIDITY_DAYS", 730)))
