"""Reads on workshops, already joined for the pages that show them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from geo.models import Area
from proposals.models import ELIGIBLE_OR_LATER, Proposal

from .models import ACTIVE_STATUSES, Idea, Programme, Registration, Workshop

S = Workshop.Status
R = Registration.Status


def programme_current() -> Programme | None:
    """The programme whose period includes today, else the latest one."""
    today = timezone.localdate()
    return (
        Programme.objects.filter(period_start__lte=today, period_end__gte=today)
        .order_by("-period_start")
        .first()
        or Programme.objects.order_by("-period_start").first()
    )


def _with_counts(qs: QuerySet[Workshop]) -> QuerySet[Workshop]:
    return qs.select_related("zone", "programme").annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=R.CONFIRMED)),
        waiting_count=Count("registrations", filter=Q(registrations__status=R.WAITING)),
        attended_count=Count(
            "registrations",
            filter=Q(registrations__status=R.CONFIRMED, registrations__checked_in_at__isnull=False),
        ),
        idea_count=Count("ideas", distinct=True),
    )


def workshops_upcoming(*, programme: Programme | None = None) -> QuerySet[Workshop]:
    qs = Workshop.objects.filter(status__in=ACTIVE_STATUSES, ends_at__gt=timezone.now())
    if programme is not None:
        qs = qs.filter(programme=programme)
    return _with_counts(qs).order_by("starts_at", "number")


def workshops_past(*, programme: Programme | None = None) -> QuerySet[Workshop]:
    """Held workshops (with their public summaries) and cancelled ones."""
    qs = Workshop.objects.filter(Q(status=S.HELD) | Q(status=S.CANCELLED))
    if programme is not None:
        qs = qs.filter(programme=programme)
    return _with_counts(qs).order_by("-starts_at")


def workshops_all() -> QuerySet[Workshop]:
    return Workshop.objects.select_related("zone", "programme").order_by("starts_at", "number")


def workshop_get(*, pk: int) -> Workshop:
    return (
        _with_counts(Workshop.objects.filter(pk=pk))
        .prefetch_related("facilitators", "photos")
        .get()
    )


def workshops_for_staff(*, user: Any, mine_only: bool = False) -> QuerySet[Workshop]:
    qs = Workshop.objects.all()
    if mine_only:
        qs = qs.filter(facilitators=user)
    return _with_counts(qs).prefetch_related("facilitators").order_by("starts_at", "number")


def registration_of(*, user: Any, workshop: Workshop) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Registration.objects.filter(workshop=workshop, user=user)
        .exclude(status=R.CANCELLED)
        .first()
    )


def waiting_position(*, registration: Registration) -> int | None:
    if registration.status != R.WAITING:
        return None
    ahead = Registration.objects.filter(
        workshop_id=registration.workshop_id, status=R.WAITING
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, id__lt=registration.pk)
    )
    return ahead.count() + 1


def registrations_of(*, user: Any) -> QuerySet[Registration]:
    """A person's registrations (not cancelled), soonest first, for `/me/`."""
    return (
        Registration.objects.filter(user=user)
        .exclude(status=R.CANCELLED)
        .select_related("workshop", "workshop__zone")
        .order_by("workshop__starts_at")
    )


def attendees(*, workshop: Workshop) -> QuerySet[Registration]:
    """Who is registered (confirmed first, then the waiting list), for check-in."""
    return (
        workshop.registrations.exclude(status=R.CANCELLED)
        .select_related("user", "user__resident_profile")
        .order_by("status", "created_at", "id")
    )


def ideas_of(*, workshop: Workshop) -> QuerySet[Idea]:
    return workshop.ideas.select_related("zone", "resident", "proposal").order_by("created_at")


def seats_left(workshop: Workshop) -> int:
    confirmed = getattr(workshop, "confirmed_count", None)
    if confirmed is None:
        confirmed = workshop.registrations.filter(status=R.CONFIRMED).count()
    return max(0, workshop.capacity - confirmed)


# --- reporting ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeReport:
    programme: Programme
    held: int
    planned: int
    cancelled: int
    held_over_time: list[tuple[dt.date, int]]
    per_workshop: list[dict[str, Any]]
    attendance_per_zone: list[tuple[str, int]]
    zones_not_covered: list[str]
    funnel: list[tuple[str, int]]


def programme_report(*, programme: Programme) -> ProgrammeReport:
    """Everything the dashboard and its exports show, in a few queries."""
    workshops = list(_with_counts(programme.workshops.all()).order_by("starts_at", "number"))
    held = [w for w in workshops if w.status == S.HELD]
    cumulative: list[tuple[dt.date, int]] = []
    for i, w in enumerate(sorted(held, key=lambda w: w.starts_at), start=1):
        day = timezone.localdate(w.starts_at)
        if cumulative and cumulative[-1][0] == day:
            cumulative[-1] = (day, i)
        else:
            cumulative.append((day, i))
    per_workshop = [
        {
            "workshop": w,
            "number": w.number,
            "theme": w.theme,
            "zone": w.zone.name if w.zone else "",
            "starts_at": w.starts_at,
            "status": w.get_status_display(),
            "capacity": w.capacity,
            "registered": w.confirmed_count,  # type: ignore[attr-defined]
            "waiting": w.waiting_count,  # type: ignore[attr-defined]
            "attended": w.attended_count + w.walk_ins if w.status == S.HELD else 0,  # type: ignore[attr-defined]
            "walk_ins": w.walk_ins,
            "ideas": w.idea_count,  # type: ignore[attr-defined]
        }
        for w in workshops
    ]
    zone_attendance: Counter[str] = Counter()
    for row in per_workshop:
        if row["zone"] and row["workshop"].status == S.HELD:
            zone_attendance[row["zone"]] += row["attended"]
    zones = list(Area.objects.filter(kind=Area.Kind.ZONE).order_by("name"))
    covered = {w.zone_id for w in held}
    attendance_per_zone = [(z.name, zone_attendance.get(z.name, 0)) for z in zones]
    proposal_ids = list(
        Idea.objects.filter(workshop__programme=programme, proposal__isnull=False).values_list(
            "proposal_id", flat=True
        )
    )
    proposals = Proposal.objects.filter(pk__in=proposal_ids)
    ps = Proposal.Status
    funnel = [
        ("ideas", Idea.objects.filter(workshop__programme=programme).count()),
        ("proposals", proposals.exclude(status=ps.DRAFT).count()),
        ("eligible", proposals.filter(status__in=ELIGIBLE_OR_LATER).count()),
        (
            "on_ballot",
            proposals.filter(
                status__in=(ps.ON_BALLOT, ps.SELECTED, ps.NOT_SELECTED, *_funded())
            ).count(),
        ),
        ("selected", proposals.filter(status__in=(ps.SELECTED, *_funded())).count()),
    ]
    return ProgrammeReport(
        programme=programme,
        held=len(held),
        planned=sum(1 for w in workshops if w.status in ACTIVE_STATUSES),
        cancelled=sum(1 for w in workshops if w.status == S.CANCELLED),
        held_over_time=cumulative,
        per_workshop=per_workshop,
        attendance_per_zone=attendance_per_zone,
        zones_not_covered=[z.name for z in zones if z.pk not in covered],
        funnel=funnel,
    )


def _funded() -> tuple[str, ...]:
    return (Proposal.Status.IN_IMPLEMENTATION, Proposal.Status.COMPLETED)


def ideas_with_proposals(*, workshop: Workshop) -> QuerySet[Idea]:
    return workshop.ideas.filter(proposal__isnull=False).select_related("proposal")


def workshop_for_proposal(*, proposal: Proposal) -> Workshop | None:
    idea = Idea.objects.filter(proposal=proposal).select_related("workshop").first()
    return idea.workshop if idea else None
