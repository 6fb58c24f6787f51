"""Reads of the assessment: settings of a call, due dates, the console's
queue, the public outcome of a proposal, the thread, the dashboard, exports."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ciic.audit.models import Event
from proposals.models import LOCAL_TZ, Call, Proposal

from .models import Appeal, Assessment, CallAssessmentSettings, CompetenceNote, Decision, Message
from .workdays import add_working_days

S = Proposal.Status
UNDECIDED = (S.SUBMITTED, S.UNDER_ASSESSMENT, S.RESUBMITTED, S.CHANGES_REQUESTED)


def call_assessment_settings(*, call: Call) -> CallAssessmentSettings:
    """The call's settings, or (unsaved) the project's defaults."""
    try:
        return call.assessment_settings  # type: ignore[attr-defined,no-any-return]
    except CallAssessmentSettings.DoesNotExist:
        return CallAssessmentSettings(
            call=call,
            four_eyes=False,
            appeal_days=settings.ASSESSMENT_APPEAL_DAYS,
            due_working_days=settings.ASSESSMENT_DUE_WORKING_DAYS,
        )


def extra_holidays() -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(d) for d in settings.ASSESSMENT_EXTRA_HOLIDAYS if d)


def due_date_default(*, proposal: Proposal) -> dt.date:
    """The call's working days to assess, counted after the later of the
    proposal's submission and the close of submissions (nothing is assessed
    before), with Romanian public holidays as non-working days."""
    submitted = (proposal.submitted_at or timezone.now()).astimezone(LOCAL_TZ).date()
    start = max(submitted, proposal.call.submission_end)
    days = call_assessment_settings(call=proposal.call).due_working_days
    return add_working_days(start, days, extra_holidays())


def competence_notes(*, call: Call) -> dict[str, str]:
    return dict(CompetenceNote.objects.filter(call=call).values_list("category", "note"))


def today_local() -> dt.date:
    return timezone.now().astimezone(LOCAL_TZ).date()


# --- the queue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    zone: str = ""  # a zone's slug
    category: str = ""
    status: str = ""
    mine: bool = False
    overdue: bool = False
    assessor: int | None = None


def assessment_queue(
    *, call: Call, user: Any, filters: QueueFilters | None = None
) -> QuerySet[Proposal]:
    """The call's public proposals with their assessment, oldest first."""
    f = filters or QueueFilters()
    today = today_local()
    qs = (
        Proposal.objects.public()
        .filter(call=call)
        .select_related("call", "zone", "assessment__assessor", "assessment__department")
        .annotate(
            pending=Exists(Decision.objects.filter(proposal=OuterRef("pk"), state="pending")),
            appealed=Exists(Appeal.objects.filter(proposal=OuterRef("pk"), state="open")),
            overdue=Q(assessment__due_date__lt=today, status__in=UNDECIDED),
        )
        .order_by("submitted_at", "id")
    )
    if f.zone:
        qs = qs.filter(zone__slug=f.zone)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.status == "unassigned":
        qs = qs.filter(status__in=UNDECIDED).filter(
            Q(assessment__isnull=True)
            | Q(assessment__assessor__isnull=True, assessment__department__isnull=True)
        )
    elif f.status == "pending":
        qs = qs.filter(pending=True)
    elif f.status == "appealed":
        qs = qs.filter(appealed=True)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.mine:
        qs = qs.filter(assessment__assessor=user)
    if f.assessor:
        qs = qs.filter(assessment__assessor_id=f.assessor)
    if f.overdue:
        qs = qs.filter(assessment__due_date__lt=today, status__in=UNDECIDED)
    return qs


def is_overdue(
    *, proposal: Proposal, assessment: Assessment | None, today: dt.date | None = None
) -> bool:
    today = today or today_local()
    return bool(
        assessment is not None
        and assessment.due_date is not None
        and assessment.due_date < today
        and proposal.status in UNDECIDED
    )


def assessors_all() -> QuerySet[Any]:
    from ciic.accounts.models import Role, User

    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.ASSESSOR, Role.ADMINISTRATOR])
        .distinct()
        .order_by("email")
    )


# --- one proposal -----------------------------------------------------------------------------


def assessment_get(*, proposal: Proposal) -> Assessment | None:
    return (
        Assessment.objects.filter(proposal=proposal)
        .select_related("assessor", "department", "duplicate_of")
        .first()
    )


def decisions_of(*, proposal: Proposal) -> QuerySet[Decision]:
    return proposal.decisions.select_related(
        "proposed_by", "confirmed_by", "duplicate_of"
    ).order_by("proposed_at", "id")


def appeals_of(*, proposal: Proposal) -> QuerySet[Appeal]:
    return proposal.appeals.select_related("decided_by", "decision").order_by("lodged_at", "id")


def thread(*, proposal: Proposal) -> QuerySet[Message]:
    return proposal.assessment_messages.select_related("sender").order_by("created_at", "id")


def internal_history(*, proposal: Proposal) -> QuerySet[Event]:
    """Every audit event of the proposal (staff only)."""
    return Event.objects.for_object(proposal).select_related("actor").order_by("created_at", "id")


def public_outcome(*, proposal: Proposal) -> dict[str, Any] | None:
    """What residents may read about the assessment: the decision in force
    (outcome, reason, public explanation), the appeal's outcome, the assessed
    cost, and the merges (each reference links the other). Never notes or
    messages."""
    decision = (
        proposal.decisions.filter(state=Decision.State.CONFIRMED)
        .select_related("duplicate_of")
        .order_by("-effective_at", "-id")
        .first()
    )
    merged_from = list(
        Decision.objects.filter(duplicate_of=proposal, state=Decision.State.CONFIRMED)
        .order_by("effective_at", "id")
        .values_list("proposal__reference", "proposal__title")
    )
    if decision is None and not merged_from:
        return None
    appeal = (
        proposal.appeals.order_by("-lodged_at", "-id").first() if decision is not None else None
    )
    out: dict[str, Any] = {"merged_from": merged_from, "decision": decision, "appeal": appeal}
    if decision is not None:
        final_eligible = decision.outcome == "eligible" or (
            appeal is not None and appeal.state == Appeal.State.UPHELD
        )
        out.update(
            outcome_label=decision.get_outcome_display(),
            reason_label=decision.get_reason_display() if decision.reason else "",
            public_reasoning=decision.explanation,
            revised_cost=proposal.assessed_cost,
            merged_into=decision.duplicate_of,
            final_eligible=final_eligible,
        )
    return out


# --- the dashboard ------------------------------------------------------------------------------


def dashboard_stats(*, call: Call) -> dict[str, Any]:
    today = today_local()
    public = Proposal.objects.public().filter(call=call)
    by_status = dict(
        public.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    overdue = public.filter(assessment__due_date__lt=today, status__in=UNDECIDED).count()
    first_decisions: dict[int, dt.datetime] = {}
    for pid, at in (
        Decision.objects.filter(proposal__call=call, state="confirmed")
        .order_by("effective_at")
        .values_list("proposal_id", "effective_at")
    ):
        if at is not None:
            first_decisions.setdefault(pid, at)
    submitted = dict(public.filter(pk__in=first_decisions).values_list("id", "submitted_at"))
    days = [
        (first_decisions[pid] - at).total_seconds() / 86400
        for pid in first_decisions
        if (at := submitted.get(pid)) is not None
    ]
    load = list(
        Assessment.objects.filter(proposal__call=call, assessor__isnull=False)
        .values("assessor__email")
        .annotate(
            total=Count("proposal"),
            open=Count("proposal", filter=Q(proposal__status__in=UNDECIDED)),
            overdue=Count("proposal", filter=Q(proposal__status__in=UNDECIDED, due_date__lt=today)),
        )
        .order_by("assessor__email")
    )
    return {
        "by_status": by_status,
        "overdue": overdue,
        "decided": len(days),
        "median_days": round(statistics.median(days), 1) if days else None,
        "load": load,
        "pending": Decision.objects.filter(proposal__call=call, state="pending").count(),
        "appeals_open": Appeal.objects.filter(proposal__call=call, state="open").count(),
    }


# --- personal data ------------------------------------------------------------------------------


def personal_data_export(user: Any) -> Any:
    """The messages a person sent about their proposals, and their appeals."""
    return {
        "messages": [
            {
                "proposal": m.proposal.reference,
                "sent": m.created_at.isoformat(),
                "body": m.body,
            }
            for m in Message.objects.filter(sender=user, from_staff=False).select_related(
                "proposal"
            )
        ],
        "appeals": [
            {
                "proposal": a.proposal.reference,
                "lodged": a.lodged_at.isoformat(),
                "argument": a.argument,
                "state": a.state,
            }
            for a in Appeal.objects.filter(proposal__author=user).select_related("proposal")
        ],
    }


def proposals_prefetch_for_export(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return qs.prefetch_related(
        Prefetch(
            "decisions",
            queryset=Decision.objects.filter(state="confirmed").order_by("effective_at", "id"),
            to_attr="confirmed_decisions",
        )
    )
