"""Writes of the assessment. Keyword-only arguments, an explicit `actor`, one
transaction, the same named rule as the views (PermissionDenied), an audit
event for every step. Status changes of proposals go through
`proposals.services.proposal_transition` (the author's email and the public
timeline entry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ciic.accounts.models import Role
from ciic.audit import events
from ciic.audit.services import event_record
from ciic.cache import content_changed
from ciic.jobs import enqueue_at
from ciic.links import site_url
from ciic.money import money_parse
from ciic.notifications.services import notify
from proposals.models import LOCAL_TZ, Call, Proposal, local_day_start
from proposals.services import proposal_transition

from .models import (
    Appeal,
    Assessment,
    CallAssessmentSettings,
    CompetenceNote,
    Decision,
    Department,
    Message,
    Outcome,
    Reason,
)
from .predicates import AWAITING_DECISION, open_appeal, pending_decision
from .selectors import call_assessment_settings, due_date_default

S = Proposal.Status

RECORD_FIELDS = (
    "competence",
    "competence_basis",
    "competence_notes",
    "land_controlled",
    "land_notes",
    "legally_feasible",
    "legal_notes",
    "technically_feasible",
    "technical_notes",
    "cost_estimate",
    "maintenance_cost",
    "cost_notes",
    "months",
    "months_notes",
    "duplicate_of",
    "duplicate_notes",
)
# Values of these may go into (staff-only) audit rows; notes are named, not copied.
AUDITED_VALUES = (
    "competence",
    "competence_basis",
    "land_controlled",
    "legally_feasible",
    "technically_feasible",
    "cost_estimate",
    "maintenance_cost",
    "months",
    "duplicate_of",
)


def _check(actor: Any, perm: str, proposal: Proposal) -> None:
    if actor is None or not actor.has_perm(perm, proposal):
        raise PermissionDenied(_("You may not do this on this proposal now."))


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("call", "author")
        .get(pk=proposal.pk)
    )


def _assessment_for(proposal: Proposal) -> Assessment:
    assessment, _created = Assessment.objects.select_for_update().get_or_create(proposal=proposal)
    return assessment


def _start_assessment(*, actor: Any, proposal: Proposal) -> Proposal:
    """Submitted or resubmitted proposals go under assessment on the first step."""
    if proposal.status in (S.SUBMITTED, S.RESUBMITTED):
        proposal = proposal_transition(actor=actor, proposal=proposal, to_status=S.UNDER_ASSESSMENT)
    return proposal


def _proposal_url(proposal: Proposal) -> str:
    return site_url(proposal.get_absolute_url())


# --- settings of a call -------------------------------------------------------------------


@transaction.atomic
def call_assessment_configure(
    *,
    actor: Any,
    call: Call,
    four_eyes: bool,
    appeal_days: int | None = None,
    due_working_days: int | None = None,
    competence_notes: Mapping[str, str] | None = None,
) -> CallAssessmentSettings:
    """Set how a call's proposals are assessed (administrators)."""
    from ciic.accounts.predicates import is_administrator

    if actor is not None and not is_administrator(actor):
        raise PermissionDenied(_("Only an administrator can change the assessment settings."))
    current = call_assessment_settings(call=call)
    obj, _created = CallAssessmentSettings.objects.get_or_create(call=call)
    obj.four_eyes = four_eyes
    obj.appeal_days = appeal_days or current.appeal_days
    obj.due_working_days = due_working_days or current.due_working_days
    obj.full_clean()
    obj.save()
    for category, note in (competence_notes or {}).items():
        if note.strip():
            cn = CompetenceNote.objects.filter(call=call, category=category).first() or (
                CompetenceNote(call=call, category=category)
            )
            cn.note = note.strip()
            cn.full_clean()
            cn.save()
        else:
            CompetenceNote.objects.filter(call=call, category=category).delete()
    event_record(
        actor=actor,
        action=events.ASSESSMENT_SETTINGS_CHANGED,
        obj=call,
        after={
            "four_eyes": obj.four_eyes,
            "appeal_days": obj.appeal_days,
            "due_working_days": obj.due_working_days,
        },
    )
    return obj


# --- assignment -----------------------------------------------------------------------------


@transaction.atomic
def assessment_assign(
    *,
    actor: Any,
    proposals: Iterable[Proposal],
    assessor: Any = None,
    department: Department | None = None,
    due_date: dt.date | None = None,
) -> list[Assessment]:
    """Assign proposals (one or many) to an assessor and/or a department. The
    due date defaults to the call's working days after submission."""
    if assessor is None and department is None:
        raise ValidationError(_("Choose an assessor or a department."), code="no_assignee")
    if assessor is not None and not (
        assessor.is_active
        and (assessor.has_role(Role.ASSESSOR) or assessor.has_role(Role.ADMINISTRATOR))
    ):
        raise ValidationError(_("This person is not an assessor."), code="not_assessor")
    out = []
    now = timezone.now()
    for item in proposals:
        proposal = _locked(item)
        _check(actor, "assessment.assign", proposal)
        if assessor is not None and proposal.author_id == assessor.pk:
            raise ValidationError(
                _("%(ref)s: no one assesses a proposal they wrote.") % {"ref": proposal.reference},
                code="own_proposal",
            )
        assessment = _assessment_for(proposal)
        before = {
            "assessor": assessment.assessor_id,
            "department": assessment.department_id,
            "due_date": assessment.due_date,
        }
        assessment.assessor = assessor
        assessment.department = department
        assessment.assigned_at = now
        assessment.due_date = due_date or assessment.due_date or due_date_default(proposal=proposal)
        assessment.full_clean(exclude=["proposal"])
        assessment.save()
        event_record(
            actor=actor,
            action=events.ASSESSMENT_ASSIGNED,
            obj=proposal,
            before=before,
            after={
                "assessor": assessment.assessor_id,
                "department": assessment.department_id,
                "due_date": assessment.due_date,
            },
        )
        out.append(assessment)
    return out


# --- the assessment record --------------------------------------------------------------------


def _coerce(field: str, value: Any) -> Any:
    if field in ("cost_estimate", "maintenance_cost"):
        if value is None or value == "":
            return None
        amount = money_parse(value) if not isinstance(value, Decimal | int) else Decimal(value)
        return amount.quantize(Decimal("0.01"))
    if field.endswith("_notes") or field == "competence_basis":
        return (value or "").strip()
    if field == "land_controlled":
        return value or ""
    return value


@transaction.atomic
def assessment_record(*, actor: Any, proposal: Proposal, data: Mapping[str, Any]) -> Assessment:
    """Record (part of) the findings. The council's cost estimate becomes the
    proposal's assessed cost, which ballots and tallies use."""
    proposal = _locked(proposal)
    _check(actor, "assessment.record", proposal)
    unknown = set(data) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not assessment fields: {sorted(unknown)}")
    assessment = _assessment_for(proposal)
    changed = []
    for field, raw in data.items():
        value = _coerce(field, raw)
        current = assessment.duplicate_of if field == "duplicate_of" else getattr(assessment, field)
        if value != current:
            setattr(assessment, field, value)
            changed.append(field)
    dup = assessment.duplicate_of
    if dup is not None and (dup.pk == proposal.pk or dup.call_id != proposal.call_id):
        raise ValidationError(
            {"duplicate_of": [_("Choose another proposal of the same call.")]}, code="duplicate"
        )
    assessment.full_clean(exclude=["proposal", "assessor", "department", "duplicate_of"])
    if not changed:
        return assessment
    assessment.save()
    proposal = _start_assessment(actor=actor, proposal=proposal)
    if "cost_estimate" in changed:
        proposal.assessed_cost = assessment.cost_estimate
        proposal.full_clean(exclude=["author", "call", "zone"])
        proposal.save(update_fields=["assessed_cost", "updated_at"])
        content_changed("proposals")
    event_record(
        actor=actor,
        action=events.ASSESSMENT_RECORDED,
        obj=proposal,
        after={
            "fields": changed,
            **{
                f: (
                    getattr(assessment, f + "_id")
                    if f == "duplicate_of"
                    else getattr(assessment, f)
                )
                for f in changed
                if f in AUDITED_VALUES
            },
        },
    )
    return assessment


# --- changes requested --------------------------------------------------------------------------


@transaction.atomic
def assessment_request_changes(
    *, actor: Any, proposal: Proposal, message: str, deadline: dt.date
) -> Proposal:
    """Ask the author for changes until `deadline` (a local day, inclusive).
    What to change goes to the private thread; the public timeline and the
    author's email say that changes were asked for and until when. After the
    deadline the proposal is assessed as it stands (a scheduled job)."""
    proposal = _locked(proposal)
    _check(actor, "assessment.request_changes", proposal)
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": [_("Tell the author what to change.")]})
    today = timezone.now().astimezone(LOCAL_TZ).date()
    if deadline <= today:
        raise ValidationError({"deadline": [_("The deadline must be after today.")]})
    if local_day_start(deadline) >= local_day_start(proposal.call.assessment_end):
        raise ValidationError(
            {"deadline": [_("The deadline must leave time to assess before the phase ends.")]}
        )
    proposal = _start_assessment(actor=actor, proposal=proposal)
    Message.objects.create(proposal=proposal, sender=actor, from_staff=True, body=message)
    with override(getattr(proposal.author, "preferred_language", None) or "ro"):
        note = _(
            "The council asked the author for changes, by %(date)s. "
            "The details are in the messages on the proposal's page."
        ) % {"date": deadline.strftime("%d.%m.%Y")}
    proposal = proposal_transition(
        actor=actor, proposal=proposal, to_status=S.CHANGES_REQUESTED, note=note
    )
    assessment = _assessment_for(proposal)
    assessment.changes_deadline = local_day_start(deadline + dt.timedelta(days=1))
    assessment.save(update_fields=["changes_deadline", "updated_at"])
    from . import tasks

    enqueue_at(
        assessment.changes_deadline,
        tasks.changes_deadline_pass,
        proposal.pk,
        key=f"assessment-changes:{proposal.pk}",
    )
    event_record(
        actor=actor,
        action=events.ASSESSMENT_CHANGES_REQUESTED,
        obj=proposal,
        after={"deadline": deadline},
    )
    return proposal


@transaction.atomic
def changes_deadline_pass(*, proposal_id: int, now: dt.datetime | None = None) -> bool:
    """The system, once the author's deadline has passed: a proposal still
    waiting for changes is assessed as it stands. Idempotent."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("call", "author")
    proposal_obj = proposal.filter(pk=proposal_id).first()
    if proposal_obj is None or proposal_obj.status != S.CHANGES_REQUESTED:
        return False
    assessment = Assessment.objects.filter(proposal=proposal_obj).first()
    if (
        assessment is None
        or assessment.changes_deadline is None
        or now < assessment.changes_deadline
    ):
        return False
    with override(getattr(proposal_obj.author, "preferred_language", None) or "ro"):
        note = _("The deadline for changes passed; the proposal is assessed as it stands.")
    proposal_transition(actor=None, proposal=proposal_obj, to_status=S.UNDER_ASSESSMENT, note=note)
    return True


# --- decisions -------------------------------------------------------------------------------------


@transaction.atomic
def assessment_decide(
    *,
    actor: Any,
    proposal: Proposal,
    outcome: str,
    reason: str = "",
    explanation: str = "",
    duplicate_of: Proposal | None = None,
) -> Decision:
    """Decide: eligible, or ineligible with a reason from the fixed list and a
    public explanation. With the call's four-eyes rule the decision waits for a
    second assessor (`decision_confirm`); otherwise it takes effect now. A
    duplicate names the proposal it is merged into."""
    proposal = _locked(proposal)
    _check(actor, "assessment.decide", proposal)
    explanation = (explanation or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome.")]
    if outcome == Outcome.ELIGIBLE:
        reason, duplicate_of = "", None
    elif outcome == Outcome.INELIGIBLE:
        if reason not in Reason.values:
            errors["reason"] = [_("Choose the reason.")]
        if not explanation:
            errors["explanation"] = [_("Explain the decision to the public.")]
        if reason == Reason.DUPLICATE:
            if duplicate_of is None:
                errors["duplicate_of"] = [_("Choose the proposal this one duplicates.")]
            elif duplicate_of.pk == proposal.pk or duplicate_of.call_id != proposal.call_id:
                errors["duplicate_of"] = [_("Choose another proposal of the same call.")]
            elif not duplicate_of.is_public:
                errors["duplicate_of"] = [_("Choose another proposal of the same call.")]
        else:
            duplicate_of = None
    if len(explanation) > 2000:
        errors["explanation"] = [_("Keep the explanation under 2000 characters.")]
    if errors:
        raise ValidationError(errors)
    proposal = _start_assessment(actor=actor, proposal=proposal)
    decision = Decision(
        proposal=proposal,
        outcome=outcome,
        reason=reason,
        explanation=explanation,
        duplicate_of=duplicate_of,
        proposed_by=actor,
        proposed_at=timezone.now(),
    )
    decision.full_clean(exclude=["proposal", "duplicate_of"])
    decision.save()
    if duplicate_of is not None:
        assessment = _assessment_for(proposal)
        assessment.duplicate_of = duplicate_of
        assessment.save(update_fields=["duplicate_of", "updated_at"])
    event_record(
        actor=actor,
        action=events.ASSESSMENT_DECISION_PROPOSED,
        obj=proposal,
        after={"decision": decision.pk, "outcome": outcome, "reason": reason},
    )
    if not call_assessment_settings(call=proposal.call).four_eyes:
        _decision_apply(actor=actor, decision=decision, proposal=proposal)
    return decision


@transaction.atomic
def decision_confirm(*, actor: Any, proposal: Proposal, approve: bool, note: str = "") -> Decision:
    """The second assessor confirms the pending decision (it takes effect) or
    sends it back with an internal note (the proposal stays under assessment)."""
    proposal = _locked(proposal)
    _check(actor, "assessment.confirm", proposal)
    decision = Decision.objects.select_for_update().get(
        pk=pending_decision(proposal).pk  # type: ignore[union-attr]
    )
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": [_("Say why the decision goes back.")]})
    decision.review_note = note
    decision.confirmed_by = actor
    decision.confirmed_at = timezone.now()
    if approve:
        _decision_apply(actor=actor, decision=decision, proposal=proposal)
    else:
        decision.state = Decision.State.RETURNED
        decision.save()
        event_record(
            actor=actor,
            action=events.ASSESSMENT_DECISION_RETURNED,
            obj=proposal,
            after={"decision": decision.pk},
        )
    return decision


def _decision_apply(*, actor: Any, decision: Decision, proposal: Proposal) -> None:
    decision.state = Decision.State.CONFIRMED
    decision.effective_at = timezone.now()
    decision.save()
    target = S.ELIGIBLE if decision.outcome == Outcome.ELIGIBLE else S.INELIGIBLE
    note = decision.explanation
    if decision.outcome == Outcome.INELIGIBLE:
        with override(getattr(proposal.author, "preferred_language", None) or "ro"):
            note = f"{Reason(decision.reason).label}: {decision.explanation}"
    proposal_transition(actor=actor, proposal=proposal, to_status=target, note=note)
    event_record(
        actor=actor,
        action=events.ASSESSMENT_DECISION_IN_EFFECT,
        obj=proposal,
        after={"decision": decision.pk, "outcome": decision.outcome, "reason": decision.reason},
    )
    if decision.duplicate_of is not None:
        _merge_record(actor=actor, proposal=proposal, into=decision.duplicate_of)


def _merge_record(*, actor: Any, proposal: Proposal, into: Proposal) -> None:
    """A duplicate merged into another proposal: both timelines say so (each
    linking the other), both authors are told."""
    event_record(
        actor=actor,
        action=events.ASSESSMENT_MERGED_INTO,
        obj=proposal,
        after={"reference": into.reference},
        public=True,
    )
    event_record(
        actor=actor,
        action=events.ASSESSMENT_MERGED_FROM,
        obj=into,
        after={"reference": proposal.reference},
        public=True,
    )
    for recipient, mine, other in (
        (proposal.author, proposal, into),
        (into.author, into, proposal),
    ):
        notify(
            user=recipient,
            template="assessment/email/merged",
            context={
                "proposal": mine,
                "other": other,
                "merged_away": mine.pk == proposal.pk,
                "url": _proposal_url(mine),
                "other_url": _proposal_url(other),
            },
            key=f"assessment-merged:{proposal.pk}:{mine.pk}",
        )
    content_changed("proposals")


# --- appeals -------------------------------------------------------------------------------------


@transaction.atomic
def appeal_lodge(*, actor: Any, proposal: Proposal, argument: str) -> Appeal:
    """The author appeals an ineligibility, within the call's days to appeal."""
    proposal = _locked(proposal)
    _check(actor, "assessment.appeal", proposal)
    argument = (argument or "").strip()
    if not argument:
        raise ValidationError({"argument": [_("Write why the decision should change.")]})
    from .predicates import effective_decision

    decision = effective_decision(proposal)
    if decision is None:  # the rule checked it; a concurrent change
        raise PermissionDenied(_("You may not do this on this proposal now."))
    appeal = Appeal(
        decision=decision, proposal=proposal, argument=argument, lodged_at=timezone.now()
    )
    appeal.full_clean(exclude=["decision", "proposal"])
    appeal.save()
    event_record(actor=actor, action=events.ASSESSMENT_APPEAL_LODGED, obj=proposal, public=True)
    content_changed("proposals")
    return appeal


@transaction.atomic
def appeal_decide(*, actor: Any, proposal: Proposal, upheld: bool, explanation: str) -> Appeal:
    """Another assessor (not one who took the decision) decides the appeal.
    Upheld: the proposal becomes eligible. Rejected: the ineligibility stands.
    The outcome and its explanation are public."""
    proposal = _locked(proposal)
    _check(actor, "assessment.decide_appeal", proposal)
    explanation = (explanation or "").strip()
    if not explanation:
        raise ValidationError({"explanation": [_("Explain the outcome of the appeal.")]})
    appeal = Appeal.objects.select_for_update().get(pk=open_appeal(proposal).pk)  # type: ignore[union-attr]
    appeal.state = Appeal.State.UPHELD if upheld else Appeal.State.REJECTED
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.explanation = explanation
    appeal.full_clean(exclude=["decision", "proposal"])
    appeal.save()
    event_record(
        actor=actor,
        action=events.ASSESSMENT_APPEAL_DECIDED,
        obj=proposal,
        after={"state": appeal.state, "note": explanation},
        public=True,
    )
    if upheld:
        proposal_transition(actor=actor, proposal=proposal, to_status=S.ELIGIBLE, note=explanation)
    else:
        notify(
            user=proposal.author,
            template="assessment/email/appeal_rejected",
            context={
                "proposal": proposal,
                "explanation": explanation,
                "url": _proposal_url(proposal),
            },
            key=f"assessment-appeal:{appeal.pk}",
        )
        content_changed("proposals")
    return appeal


# --- the thread -------------------------------------------------------------------------------------


@transaction.atomic
def message_post(*, actor: Any, proposal: Proposal, body: str) -> Message:
    """A message in the private thread. From the author: the assigned assessor
    (if any) is emailed; from the council: the author is emailed."""
    proposal = _locked(proposal)
    _check(actor, "assessment.post_message", proposal)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message.")]})
    if len(body) > 4000:
        raise ValidationError({"body": [_("Keep the message under 4000 characters.")]})
    from_staff = proposal.author_id != actor.pk
    message = Message.objects.create(
        proposal=proposal, sender=actor, from_staff=from_staff, body=body
    )
    # Audit without the content: messages are private.
    event_record(
        actor=actor,
        action=events.ASSESSMENT_MESSAGE_POSTED,
        obj=proposal,
        after={"message": message.pk, "from_staff": from_staff},
    )
    recipient = proposal.author if from_staff else _assigned_assessor(proposal)
    if recipient is not None:
        from django.urls import reverse

        url = (
            _proposal_url(proposal) + "#thread"
            if from_staff
            else site_url(reverse("assessment:detail", kwargs={"reference": proposal.reference}))
        )
        notify(
            user=recipient,
            template="assessment/email/message",
            context={"proposal": proposal, "body": body, "from_staff": from_staff, "url": url},
            key=f"assessment-message:{message.pk}",
        )
    return message


def _assigned_assessor(proposal: Proposal) -> Any:
    assessment = Assessment.objects.filter(proposal=proposal).select_related("assessor").first()
    return assessment.assessor if assessment is not None else None


__all__ = [
    "AWAITING_DECISION",
    "appeal_decide",
    "appeal_lodge",
    "assessment_assign",
    "assessment_decide",
    "assessment_record",
    "assessment_request_changes",
    "call_assessment_configure",
    "changes_deadline_pass",
    "decision_confirm",
    "message_post",
]


def personal_data_erase(user: Any) -> None:
    """Account deletion: the person's own messages go (they are private);
    appeals stay with the proposal, as part of the council's decision record,
    and staff messages lose their sender (SET_NULL)."""
    Message.objects.filter(sender=user, from_staff=False).delete()
