"""Writes on calls and proposals. Every function takes keyword arguments and an
explicit `actor`, runs in one transaction, validates with `full_clean()`, and
records an audit event. Views call these and nothing else to change data."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ciic.accounts.models import User
from ciic.accounts.predicates import is_administrator, is_assessor
from ciic.audit.services import event_record
from ciic.cache import content_changed
from ciic.links import site_url
from ciic.money import money_parse
from ciic.notifications.services import notify
from geo.models import Area
from geo.services import area_locate_point

from . import files
from .models import (
    LOCAL_TZ,
    Call,
    CallCategory,
    Phase,
    Proposal,
    ProposalAttachment,
    ProposalImage,
    ProposalVersion,
    ReferenceCounter,
    ZoneBudget,
)
from .predicates import participation_decision, proposal_is_editable_at

logger = logging.getLogger(__name__)
S = Proposal.Status

# --- transitions ---------------------------------------------------------------

AUTHOR = "author"
ASSESSOR = "assessor"
ADMINISTRATOR = "administrator"
SYSTEM = "system"

# (from, to) -> who may make it. The one table of the proposal lifecycle.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({AUTHOR}),
    (S.SUBMITTED, S.UNDER_ASSESSMENT): frozenset({ASSESSOR, ADMINISTRATOR, SYSTEM}),
    (S.RESUBMITTED, S.UNDER_ASSESSMENT): frozenset({ASSESSOR, ADMINISTRATOR, SYSTEM}),
    (S.UNDER_ASSESSMENT, S.CHANGES_REQUESTED): frozenset({ASSESSOR, ADMINISTRATOR}),
    (S.CHANGES_REQUESTED, S.RESUBMITTED): frozenset({AUTHOR}),
    (S.UNDER_ASSESSMENT, S.ELIGIBLE): frozenset({ASSESSOR, ADMINISTRATOR}),
    (S.UNDER_ASSESSMENT, S.INELIGIBLE): frozenset({ASSESSOR, ADMINISTRATOR}),
    (S.ELIGIBLE, S.ON_BALLOT): frozenset({ADMINISTRATOR, SYSTEM}),
    (S.ON_BALLOT, S.SELECTED): frozenset({ADMINISTRATOR, SYSTEM}),
    (S.ON_BALLOT, S.NOT_SELECTED): frozenset({ADMINISTRATOR, SYSTEM}),
    (S.SELECTED, S.IN_IMPLEMENTATION): frozenset({ADMINISTRATOR, SYSTEM}),
    (S.IN_IMPLEMENTATION, S.COMPLETED): frozenset({ADMINISTRATOR, SYSTEM}),
}
# Moves that must say why (shown to the author and on the public timeline).
NOTE_REQUIRED = frozenset({S.CHANGES_REQUESTED, S.INELIGIBLE})


def actor_capacities(actor: Any, proposal: Proposal) -> set[str]:
    """In which capacities `actor` may act on `proposal`. `None` is the system.
    Staff never decide on their own proposals (conflict of interest)."""
    if actor is None:
        return {SYSTEM}
    if not getattr(actor, "is_authenticated", False):
        return set()
    if proposal.author_id == actor.pk:
        return {AUTHOR}
    # The role predicates, so a staff session without its second factor acts in
    # no staff capacity (see ciic.accounts.second_factor).
    caps = set()
    if is_assessor(actor):
        caps.add(ASSESSOR)
    if is_administrator(actor):
        caps.add(ADMINISTRATOR)
    return caps


def transition_allowed(*, actor: Any, proposal: Proposal, to_status: str) -> bool:
    who = TRANSITIONS.get((proposal.status, to_status))
    return bool(who and who & actor_capacities(actor, proposal))


def transitions_available(*, actor: Any, proposal: Proposal) -> list[str]:
    """The statuses `actor` may move `proposal` to now (for staff pages)."""
    return [
        to
        for (frm, to), _who in TRANSITIONS.items()
        if frm == proposal.status
        and transition_allowed(actor=actor, proposal=proposal, to_status=to)
    ]


# --- calls ---------------------------------------------------------------------


@transaction.atomic
def call_create(
    *,
    actor: Any,
    name: str,
    slug: str,
    year: int,
    total_budget: Decimal,
    max_cost_per_proposal: Decimal,
    max_proposals_per_resident: int = 5,
    submission_start: dt.date,
    submission_end: dt.date,
    assessment_start: dt.date,
    assessment_end: dt.date,
    voting_start: dt.date,
    voting_end: dt.date,
    results_date: dt.date,
    implementation_start: dt.date,
    categories: Mapping[str, str],
    zone_budgets: Mapping[Area, Decimal] | None = None,
) -> Call:
    """Create a call with the categories it accepts ({category: what fits})."""
    call = Call(
        name=name,
        slug=slug,
        year=year,
        total_budget=total_budget,
        max_cost_per_proposal=max_cost_per_proposal,
        max_proposals_per_resident=max_proposals_per_resident,
        submission_start=submission_start,
        submission_end=submission_end,
        assessment_start=assessment_start,
        assessment_end=assessment_end,
        voting_start=voting_start,
        voting_end=voting_end,
        results_date=results_date,
        implementation_start=implementation_start,
    )
    call.full_clean()
    if not categories:
        raise ValidationError(_("A call must accept at least one category."), code="no_categories")
    call.save()
    for category, description in categories.items():
        cc = CallCategory(call=call, category=category, description=description)
        cc.full_clean()
        cc.save()
    total_zones = Decimal(0)
    for zone, amount in (zone_budgets or {}).items():
        zb = ZoneBudget(call=call, zone=zone, amount=amount)
        zb.full_clean()
        zb.save()
        total_zones += Decimal(amount)
    if total_zones > call.total_budget:
        raise ValidationError(
            _("The zone budgets add up to more than the total budget."), code="zone_budgets"
        )
    ReferenceCounter.objects.create(call=call)
    event_record(actor=actor, action="call.created", obj=call, after={"name": name}, public=False)
    content_changed("calls")
    return call


@transaction.atomic
def call_english_update(
    *, actor: Any, call: Call, name: str, categories: Mapping[str, str]
) -> Call:
    """Set the English version of a call's texts: its name and, per accepted
    category, what fits ({category: text}; categories the call does not accept
    are ignored). Empty texts fall back to the Romanian ones on English pages."""
    call.name_en = name
    call.full_clean()
    call.save(update_fields=["name_en"])
    for cc in call.categories.all():
        if cc.category in categories:
            cc.description_en = categories[cc.category]
            cc.full_clean()
            cc.save(update_fields=["description_en"])
    event_record(
        actor=actor, action="call.english_updated", obj=call, after={"name_en": name}, public=False
    )
    content_changed("calls")
    return call


# --- proposals: content ----------------------------------------------------------

CONTENT_FIELDS = ("title", "summary", "description", "category", "cost_estimate")
LOCATION_FIELDS = ("latitude", "longitude", "whole_sector")
CONSENT_FIELDS = ("consent_publication", "consent_image_rights")
EDITABLE_FIELDS = CONTENT_FIELDS + LOCATION_FIELDS + CONSENT_FIELDS


def _require_author(actor: Any, proposal: Proposal) -> None:
    if not getattr(actor, "is_authenticated", False) or proposal.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can change this proposal."))


def _require_editable(proposal: Proposal, now: dt.datetime) -> None:
    if not proposal_is_editable_at(proposal, now):
        raise PermissionDenied(_("This proposal can no longer be edited."))


def _eligibility_error(user: Any, now: dt.datetime) -> ValidationError | None:
    decision = participation_decision(user=user, on_date=now.astimezone(LOCAL_TZ).date())
    if decision.allowed:
        return None
    return ValidationError(str(decision.message), code=str(decision.reason))


def _phase_error(call: Call, now: dt.datetime) -> ValidationError | None:
    phase = call.phase_at(now)
    if phase == Phase.SUBMISSION:
        return None
    if phase == Phase.UPCOMING:
        return ValidationError(_("Submission for this call has not opened yet."), code="not_open")
    return ValidationError(_("Submission for this call has closed."), code="closed")


def _apply_content(proposal: Proposal, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Copy the given fields onto the proposal and check the call's own rules.
    Returns errors by field (empty when all is well); changes nothing in the DB."""
    errors: dict[str, list[str]] = {}
    call = proposal.call
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for field in ("title", "summary", "description"):
        if field in data:
            setattr(proposal, field, (data[field] or "").strip())
    if "category" in data:
        proposal.category = data["category"] or ""
        if proposal.category and proposal.category not in call.accepted_categories():
            errors["category"] = [_("This call does not accept proposals in this category.")]
    if "cost_estimate" in data:
        raw = data["cost_estimate"]
        try:
            cost = None if raw is None or raw == "" else money_parse(raw)
        except ValidationError as exc:
            errors["cost_estimate"] = list(exc.messages)
        else:
            if cost is not None and cost <= 0:
                errors["cost_estimate"] = [_("The cost must be more than 0 lei.")]
            elif cost is not None and cost > call.max_cost_per_proposal:
                errors["cost_estimate"] = [
                    _("The cost cannot exceed the call's maximum of %(max)s lei.")
                    % {"max": f"{call.max_cost_per_proposal:,.0f}".replace(",", ".")}
                ]
            else:
                proposal.cost_estimate = (
                    cost.quantize(Decimal("0.01")) if cost is not None else None
                )
    if any(f in data for f in LOCATION_FIELDS):
        whole = bool(data.get("whole_sector", proposal.whole_sector))
        lat = data.get("latitude", proposal.latitude)
        lon = data.get("longitude", proposal.longitude)
        if whole:
            proposal.whole_sector, proposal.latitude, proposal.longitude = True, None, None
            proposal.zone = None
        elif lat in (None, "") or lon in (None, ""):
            proposal.whole_sector, proposal.latitude, proposal.longitude = False, None, None
            proposal.zone = None
        else:
            try:
                zone = area_locate_point(latitude=lat, longitude=lon)
            except ValidationError as exc:
                errors["latitude"] = list(exc.messages)
            else:
                proposal.whole_sector = False
                proposal.latitude, proposal.longitude = float(lat), float(lon)
                proposal.zone = zone
    for field in CONSENT_FIELDS:
        if field in data:
            setattr(proposal, field, bool(data[field]))
    return errors


def _full_clean(proposal: Proposal, errors: dict[str, list[str]]) -> None:
    try:
        proposal.full_clean(exclude=["author", "call", "zone"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _completeness_errors(proposal: Proposal) -> dict[str, list[str]]:
    """What a proposal still lacks before it can be submitted."""
    errors: dict[str, list[str]] = {}
    required = _("This field is required before you submit.")
    for field in ("title", "summary", "category"):
        if not getattr(proposal, field):
            errors[field] = [required]
    if proposal.category and proposal.category not in proposal.call.accepted_categories():
        errors["category"] = [_("This call does not accept proposals in this category.")]
    if proposal.cost_estimate is None:
        errors["cost_estimate"] = [required]
    elif proposal.cost_estimate > proposal.call.max_cost_per_proposal:
        errors["cost_estimate"] = [_("The cost exceeds the call's maximum.")]
    if not proposal.whole_sector and proposal.latitude is None:
        errors["latitude"] = [_("Choose a place on the map or mark the proposal as sector-wide.")]
    if not proposal.consent_publication:
        errors["consent_publication"] = [_("You must agree to the publication of your proposal.")]
    if proposal.images.exists() and not proposal.consent_image_rights:
        errors["consent_image_rights"] = [
            _("Confirm that you hold the rights to the images, or remove them.")
        ]
    return errors


def proposal_missing_fields(*, proposal: Proposal) -> dict[str, list[str]]:
    """What the author still has to fill in before submitting (for the review step)."""
    return _completeness_errors(proposal)


def _bump_maps_on_commit() -> None:
    content_changed("proposals")


@transaction.atomic
def proposal_draft_create(
    *,
    actor: Any,
    call: Call,
    title: str,
    summary: str,
    description: str = "",
    category: str,
    now: dt.datetime | None = None,
) -> Proposal:
    """Start a proposal (a private draft). Only while the call accepts
    submissions and only for a resident who may take part."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to propose a project."))
    for err in (_phase_error(call, now), _eligibility_error(actor, now)):
        if err is not None:
            raise err
    proposal = Proposal(call=call, author=actor, status=S.DRAFT)
    errors = _apply_content(
        proposal,
        {"title": title, "summary": summary, "description": description, "category": category},
    )
    _full_clean(proposal, errors)
    proposal.save()
    event_record(actor=actor, action="proposal.draft_created", obj=proposal, public=False)
    return proposal


@transaction.atomic
def proposal_update(
    *, actor: Any, proposal: Proposal, data: Mapping[str, Any], now: dt.datetime | None = None
) -> Proposal:
    """Change the author-editable fields given in `data`. After submission
    each edit is kept as a new version and appears on the public timeline."""
    now = now or timezone.now()
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
    )
    _require_author(actor, proposal)
    _require_editable(proposal, now)
    before = proposal.snapshot()
    errors = _apply_content(proposal, data)
    _full_clean(proposal, errors)
    after = proposal.snapshot()
    proposal.save()
    if proposal.is_public and before != after:
        changed = sorted(k for k in after if after[k] != before.get(k))
        _version_record(actor=actor, proposal=proposal)
        event_record(
            actor=actor,
            action="proposal.edited",
            obj=proposal,
            before={k: before.get(k) for k in changed},
            after={k: after[k] for k in changed},
            public=True,
        )
        _bump_maps_on_commit()
    return proposal


def _version_record(*, actor: Any, proposal: Proposal) -> ProposalVersion:
    last = proposal.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ProposalVersion.objects.create(
        proposal=proposal,
        number=last + 1,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        status=proposal.status,
        data=proposal.snapshot(),
    )


@transaction.atomic
def proposal_image_add(
    *, actor: Any, proposal: Proposal, upload: UploadedFile, alt_text: str = ""
) -> ProposalImage:
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
    )
    _require_author(actor, proposal)
    _require_editable(proposal, timezone.now())
    if proposal.images.count() >= files.MAX_IMAGES:
        raise ValidationError(
            _("A proposal can have at most %(n)d images.") % {"n": files.MAX_IMAGES},
            code="too_many_images",
        )
    clean = files.image_clean(upload)
    image = ProposalImage(
        proposal=proposal, width=clean.width, height=clean.height, alt_text=alt_text[:200]
    )
    image.file.save(clean.name, clean.content, save=False)
    image.save()
    if proposal.is_public:
        event_record(actor=actor, action="proposal.image_added", obj=proposal, public=True)
    return image


@transaction.atomic
def proposal_attachment_add(
    *, actor: Any, proposal: Proposal, upload: UploadedFile
) -> ProposalAttachment:
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
    )
    _require_author(actor, proposal)
    _require_editable(proposal, timezone.now())
    if proposal.attachments.count() >= files.MAX_ATTACHMENTS:
        raise ValidationError(
            _("A proposal can have at most %(n)d documents.") % {"n": files.MAX_ATTACHMENTS},
            code="too_many_attachments",
        )
    content = files.pdf_clean(upload)
    original = (upload.name or "document.pdf").rsplit("/", 1)[-1][:200]
    attachment = ProposalAttachment(proposal=proposal, original_name=original, size=content.size)
    attachment.file.save(f"{uuid.uuid4().hex}.pdf", content, save=False)
    attachment.save()
    if proposal.is_public:
        event_record(actor=actor, action="proposal.attachment_added", obj=proposal, public=True)
    return attachment


@transaction.atomic
def proposal_file_remove(
    *, actor: Any, proposal: Proposal, image_id: int | None = None, attachment_id: int | None = None
) -> None:
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
    )
    _require_author(actor, proposal)
    _require_editable(proposal, timezone.now())
    obj: ProposalImage | ProposalAttachment | None = None
    if image_id is not None:
        obj = proposal.images.filter(pk=image_id).first()
    elif attachment_id is not None:
        obj = proposal.attachments.filter(pk=attachment_id).first()
    if obj is None:
        raise PermissionDenied(_("This file does not belong to this proposal."))
    name = obj.file.name or ""
    storage = obj.file.storage
    obj.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    if proposal.is_public:
        event_record(actor=actor, action="proposal.file_removed", obj=proposal, public=True)


@transaction.atomic
def proposal_draft_delete(*, actor: Any, proposal: Proposal) -> None:
    """The author withdraws a draft: it is deleted with its files."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require_author(actor, proposal)
    if proposal.status != S.DRAFT:
        raise PermissionDenied(_("Only a draft can be deleted."))
    names = [img.file.name or "" for img in proposal.images.all()]
    names += [doc.file.name or "" for doc in proposal.attachments.all()]
    event_record(actor=actor, action="proposal.draft_deleted", obj=proposal, public=False)
    proposal.delete()

    def _delete_files() -> None:
        from django.core.files.storage import default_storage

        for name in names:
            default_storage.delete(name)

    transaction.on_commit(_delete_files)


# --- proposals: lifecycle ----------------------------------------------------------


@transaction.atomic
def proposal_submit(*, actor: Any, proposal: Proposal, now: dt.datetime | None = None) -> Proposal:
    """Submit a draft: the author must be eligible today, the call open for
    submissions at this instant, and the author under the call's limit. The
    reference number is allocated here, under a lock, so it is gapless."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to submit a proposal."))
    # Lock order everywhere: author, then proposal, then the call's counter.
    User.objects.select_for_update().only("pk").get(pk=actor.pk)
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
    )
    _require_author(actor, proposal)
    if proposal.status != S.DRAFT:
        raise ValidationError(_("This proposal has already been submitted."), code="not_draft")
    call = proposal.call
    for err in (_phase_error(call, now), _eligibility_error(actor, now)):
        if err is not None:
            raise err
    used = Proposal.objects.filter(call=call, author=actor).exclude(status=S.DRAFT).count()
    if used >= call.max_proposals_per_resident:
        raise ValidationError(
            _("You have already submitted %(n)d proposals, the most this call allows.")
            % {"n": call.max_proposals_per_resident},
            code="limit_reached",
        )
    if proposal.latitude is not None:
        _apply_content(
            proposal, {"latitude": proposal.latitude, "longitude": proposal.longitude}
        )  # refresh the zone
    errors = _completeness_errors(proposal)
    _full_clean(proposal, errors)

    ReferenceCounter.objects.bulk_create([ReferenceCounter(call=call)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(call=call)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])

    proposal.number = counter.last_number
    proposal.reference = f"S6-{call.year}-{counter.last_number:04d}"
    proposal.status = S.SUBMITTED
    proposal.submitted_at = now
    proposal.full_clean(exclude=["author", "call", "zone"])
    proposal.save()
    _version_record(actor=actor, proposal=proposal)
    _status_change_record(actor=actor, proposal=proposal, before=S.DRAFT, note="")
    return proposal


@transaction.atomic
def proposal_transition(
    *, actor: Any, proposal: Proposal, to_status: str, note: str = ""
) -> Proposal:
    """Move a proposal along its lifecycle (see TRANSITIONS). `actor=None` is
    the system (e.g. the voting module putting proposals on the ballot)."""
    if proposal.status == S.DRAFT and to_status == S.SUBMITTED:
        return proposal_submit(actor=actor, proposal=proposal)
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("call", "author")
        .get(pk=proposal.pk)
    )
    if to_status not in S.values:
        raise ValidationError(_("Unknown status."), code="unknown_status")
    if (proposal.status, to_status) not in TRANSITIONS:
        raise ValidationError(
            _("A proposal cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(proposal.status).label, "to": S(to_status).label},
            code="invalid_transition",
        )
    if not transition_allowed(actor=actor, proposal=proposal, to_status=to_status):
        raise PermissionDenied(_("You may not make this change of status."))
    note = (note or "").strip()
    if to_status in NOTE_REQUIRED and not note:
        raise ValidationError(
            {"note": [_("Explain the reason to the author.")]}, code="note_required"
        )
    if len(note) > 2000:
        raise ValidationError({"note": [_("Keep the note under 2000 characters.")]})
    before = proposal.status
    proposal.status = to_status
    proposal.full_clean(exclude=["author", "call", "zone"])
    proposal.save(update_fields=["status", "updated_at"])
    _status_change_record(actor=actor, proposal=proposal, before=before, note=note)
    return proposal


def _status_change_record(*, actor: Any, proposal: Proposal, before: str, note: str) -> None:
    event = event_record(
        actor=actor,
        action="proposal.status_changed",
        obj=proposal,
        before={"status": before},
        after={"status": proposal.status, "note": note},
        public=True,
    )
    _status_change_notify(proposal=proposal, event_id=event.pk, note=note)
    _bump_maps_on_commit()


# --- notifications -------------------------------------------------------------------


def _status_change_notify(*, proposal: Proposal, event_id: int, note: str) -> None:
    """Email the author about one status change, in their language; one email
    per status-change event (the event's id is the outbox key)."""
    notify(
        user=proposal.author,
        template="proposals/email/status_changed",
        context={
            "proposal": proposal,
            "status": proposal.status,
            "status_label": S(proposal.status).label,
            "note": note,
            "url": site_url(proposal.get_absolute_url()),
        },
        key=f"proposal-status:{event_id}",
    )
