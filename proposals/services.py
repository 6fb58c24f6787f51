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
from ciic.accounts.permissions import allowed, require
from ciic.audit import events
from ciic.audit.services import event_record
from ciic.cache import content_changed
from ciic.links import site_url
from ciic.money import money_parse
from ciic.notifications.services import notify
from geo.models import Area
from geo.services import area_locate_point

from . import files
from . import rules as proposal_rules
from .calls import CALL_FIELDS, call_change_errors
from .models import (
    Call,
    CallCategory,
    Proposal,
    ProposalAttachment,
    ProposalImage,
    ProposalVersion,
    ReferenceCounter,
    ZoneBudget,
)
from .predicates import edit_decision, image_limit_check, image_rights_check, submit_decision
from .search import search_index

logger = logging.getLogger(__name__)
S = Proposal.Status

# --- transitions ---------------------------------------------------------------

# (from, to) -> the rule that allows it: the one table of the proposal lifecycle
# (see proposals.rules). Moves that must say why are shown to the author and on
# the public timeline.
TRANSITIONS = proposal_rules.TRANSITIONS
NOTE_REQUIRED = frozenset({S.CHANGES_REQUESTED, S.INELIGIBLE})


def transition_rule(*, from_status: str, to_status: str) -> str | None:
    """The name of the rule that allows the move, None if it is no transition."""
    return TRANSITIONS.get((from_status, to_status))


def transition_allowed(*, actor: Any, proposal: Proposal, to_status: str) -> bool:
    """May `actor` (a user, or None for the system) make this move now?"""
    rule = transition_rule(from_status=proposal.status, to_status=to_status)
    return rule is not None and allowed(actor, rule, proposal)


def transitions_available(*, actor: Any, proposal: Proposal) -> list[str]:
    """The statuses `actor` may move `proposal` to now (for staff pages)."""
    return [
        to
        for (frm, to), rule in TRANSITIONS.items()
        if frm == proposal.status and allowed(actor, rule, proposal)
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
    require(actor, "proposals.manage_calls")
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
    _call_parts_check(call, categories, zone_budgets or {})
    call.save()
    _call_parts_write(call, categories, zone_budgets or {})
    ReferenceCounter.objects.create(call=call)
    event_record(
        actor=actor, action=events.CALL_CREATED, obj=call, after={"name": name}, public=False
    )
    content_changed("calls")
    return call


def _call_parts_check(
    call: Call, categories: Mapping[str, str], zone_budgets: Mapping[Area, Decimal]
) -> None:
    """What a call needs besides its own fields: a category, zone budgets
    that fit in the total budget."""
    if not categories:
        raise ValidationError(
            {"categories": [_("A call must accept at least one category.")]}, code="no_categories"
        )
    if sum((Decimal(a) for a in zone_budgets.values()), Decimal(0)) > call.total_budget:
        raise ValidationError(
            {"zone_budgets": [_("The zone budgets add up to more than the total budget.")]},
            code="zone_budgets",
        )


def _call_parts_write(
    call: Call, categories: Mapping[str, str], zone_budgets: Mapping[Area, Decimal]
) -> None:
    """Make the call's categories and zone budgets exactly these."""
    call.categories.exclude(category__in=list(categories)).delete()
    have = {c.category: c for c in call.categories.all()}
    for category, description in categories.items():
        cc = have.get(category) or CallCategory(call=call, category=category)
        cc.description = description
        cc.full_clean()
        cc.save()
    call.zone_budgets.exclude(zone__in=list(zone_budgets)).delete()
    budgets = {zb.zone_id: zb for zb in call.zone_budgets.all()}
    for zone, amount in zone_budgets.items():
        zb = budgets.get(zone.pk) or ZoneBudget(call=call, zone=zone)
        zb.amount = Decimal(amount)
        zb.full_clean()
        zb.save()


def _call_state(call: Call) -> dict[str, Any]:
    state: dict[str, Any] = {f: str(getattr(call, f)) for f in CALL_FIELDS}
    state["categories"] = {c.category: c.description for c in call.categories.all()}
    state["zone_budgets"] = {
        zb.zone.name: str(zb.amount) for zb in call.zone_budgets.select_related("zone")
    }
    return state


@transaction.atomic
def call_update(
    *,
    actor: Any,
    call: Call,
    data: Mapping[str, Any],
    categories: Mapping[str, str] | None = None,
    zone_budgets: Mapping[Area, Decimal] | None = None,
    now: dt.datetime | None = None,
) -> Call:
    """Change a call: the fields in `data` (see CALL_FIELDS), and, when given,
    exactly these categories ({category: what fits}) and zone budgets. Checked
    as `call_create` checks a new call, and by the phase the call is in (see
    `proposals.calls.call_change_errors`: what may change once submission has
    opened). Every refusal comes back as one ValidationError, by field."""
    require(actor, "proposals.manage_calls")
    unknown = set(data) - set(CALL_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a call: {sorted(unknown)}")
    now = now or timezone.now()
    call = Call.objects.select_for_update().get(pk=call.pk)
    before = _call_state(call)
    old_categories = {c.category: c.description for c in call.categories.all()}
    old_zones = {zb.zone_id: zb.amount for zb in call.zone_budgets.all()}
    new_categories = dict(categories) if categories is not None else old_categories
    zone_rows = (
        dict(zone_budgets)
        if zone_budgets is not None
        else {zb.zone: zb.amount for zb in call.zone_budgets.select_related("zone")}
    )
    changed = {f: v for f, v in data.items() if getattr(call, f) != v}
    errors = call_change_errors(
        call=call,
        changed=changed,
        categories_changed=set(new_categories) != set(old_categories),
        zone_budgets_changed={z.pk: Decimal(a) for z, a in zone_rows.items()} != old_zones,
        today=timezone.localdate(now),
    )
    for field, value in changed.items():
        setattr(call, field, value)
    for check in (call.full_clean, lambda: _call_parts_check(call, new_categories, zone_rows)):
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(
                    m for m in messages if m not in errors.get(field, [])
                )
    if errors:
        raise ValidationError(errors)
    call.save()
    _call_parts_write(call, new_categories, zone_rows)
    after = _call_state(call)
    diff = sorted(k for k in after if after[k] != before[k])
    if diff:
        event_record(
            actor=actor,
            action=events.CALL_UPDATED,
            obj=call,
            before={k: before[k] for k in diff},
            after={k: after[k] for k in diff},
            public=False,
        )
        content_changed("calls")
    return call


@transaction.atomic
def call_english_update(
    *, actor: Any, call: Call, name: str, categories: Mapping[str, str]
) -> Call:
    """Set the English version of a call's texts: its name and, per accepted
    category, what fits ({category: text}; categories the call does not accept
    are ignored). Empty texts fall back to the Romanian ones on English pages."""
    require(actor, "proposals.manage_calls")
    call.name_en = name
    call.full_clean()
    call.save(update_fields=["name_en"])
    for cc in call.categories.all():
        if cc.category in categories:
            cc.description_en = categories[cc.category]
            cc.full_clean()
            cc.save(update_fields=["description_en"])
    event_record(
        actor=actor,
        action=events.CALL_ENGLISH_UPDATED,
        obj=call,
        after={"name_en": name},
        public=False,
    )
    content_changed("calls")
    return call


# --- proposals: content ----------------------------------------------------------

CONTENT_FIELDS = ("title", "summary", "description", "category", "cost_estimate")
LOCATION_FIELDS = ("latitude", "longitude", "whole_sector")
CONSENT_FIELDS = ("consent_publication", "consent_image_rights")
EDITABLE_FIELDS = CONTENT_FIELDS + LOCATION_FIELDS + CONSENT_FIELDS


def _require_editable(actor: Any, proposal: Proposal, now: dt.datetime) -> None:
    decision = edit_decision(user=actor, proposal=proposal, now=now)
    if not decision.allowed:
        raise PermissionDenied(decision.message)
    require(actor, "proposals.change_proposal", proposal)


def _require_submit(actor: Any, call: Call, now: dt.datetime) -> None:
    """The resident may start or submit a proposal in `call` now; else the
    reason, as a ValidationError with its code (PermissionDenied if anonymous)."""
    decision = submit_decision(user=actor, call=call, now=now)
    if decision.code == "anonymous":
        raise PermissionDenied(decision.message)
    if not decision.allowed:
        raise ValidationError(decision.message, code=decision.code)


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
    rights = image_rights_check(
        has_images=proposal.images.exists(), consent=proposal.consent_image_rights
    )
    if not rights.allowed:
        errors["consent_image_rights"] = [rights.message]
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
    _require_submit(actor, call, now)
    require(actor, "proposals.submit_to_call", call)
    proposal = Proposal(call=call, author=actor, status=S.DRAFT)
    errors = _apply_content(
        proposal,
        {"title": title, "summary": summary, "description": description, "category": category},
    )
    _full_clean(proposal, errors)
    proposal.save()
    search_index([proposal])
    event_record(actor=actor, action=events.PROPOSAL_DRAFT_CREATED, obj=proposal, public=False)
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
    _require_editable(actor, proposal, now)
    before = proposal.snapshot()
    errors = _apply_content(proposal, data)
    _full_clean(proposal, errors)
    after = proposal.snapshot()
    proposal.save()
    if any(after.get(k) != before.get(k) for k in ("title", "summary", "description")):
        search_index([proposal])
    if proposal.is_public and before != after:
        changed = sorted(k for k in after if after[k] != before.get(k))
        _version_record(actor=actor, proposal=proposal)
        event_record(
            actor=actor,
            action=events.PROPOSAL_EDITED,
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
    _require_editable(actor, proposal, timezone.now())
    limit = image_limit_check(existing=proposal.images.count())
    if not limit.allowed:
        raise ValidationError(limit.message, code=limit.code)
    clean = files.image_clean(upload)
    image = ProposalImage(
        proposal=proposal, width=clean.width, height=clean.height, alt_text=alt_text[:200]
    )
    image.file.save(clean.name, clean.content, save=False)
    image.save()
    if proposal.is_public:
        event_record(actor=actor, action=events.PROPOSAL_IMAGE_ADDED, obj=proposal, public=True)
        _bump_maps_on_commit()  # the public page shows its files and timeline
    return image


@transaction.atomic
def proposal_attachment_add(
    *, actor: Any, proposal: Proposal, upload: UploadedFile
) -> ProposalAttachment:
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
    )
    _require_editable(actor, proposal, timezone.now())
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
        event_record(
            actor=actor, action=events.PROPOSAL_ATTACHMENT_ADDED, obj=proposal, public=True
        )
        _bump_maps_on_commit()  # the public page shows its files and timeline
    return attachment


@transaction.atomic
def proposal_files_save(
    *,
    actor: Any,
    proposal: Proposal,
    consent_publication: bool,
    consent_image_rights: bool,
    images: list[UploadedFile],
    attachments: list[UploadedFile],
) -> Proposal:
    """The "images and documents" step: the consents and the new files, all
    or nothing (a bad third image leaves the first two unsaved too). Raises
    one ValidationError with every file's errors, by field."""
    proposal = proposal_update(
        actor=actor,
        proposal=proposal,
        data={
            "consent_publication": consent_publication,
            "consent_image_rights": consent_image_rights,
        },
    )
    errors: dict[str, list[str]] = {}
    for upload in images:
        try:
            proposal_image_add(actor=actor, proposal=proposal, upload=upload)
        except ValidationError as exc:
            errors.setdefault("images", []).extend(exc.messages)
    for upload in attachments:
        try:
            proposal_attachment_add(actor=actor, proposal=proposal, upload=upload)
        except ValidationError as exc:
            errors.setdefault("attachments", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)  # leaving the transaction rolls it all back
    return proposal


@transaction.atomic
def proposal_file_remove(
    *, actor: Any, proposal: Proposal, image_id: int | None = None, attachment_id: int | None = None
) -> None:
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
    )
    _require_editable(actor, proposal, timezone.now())
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
        event_record(actor=actor, action=events.PROPOSAL_FILE_REMOVED, obj=proposal, public=True)
        _bump_maps_on_commit()  # the public page shows its files and timeline


@transaction.atomic
def proposal_draft_delete(*, actor: Any, proposal: Proposal) -> None:
    """The author withdraws a draft: it is deleted with its files."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not getattr(actor, "is_authenticated", False) or proposal.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can change this proposal."))
    require(actor, "proposals.delete_proposal", proposal, message=_("Only a draft can be deleted."))
    names = [img.file.name or "" for img in proposal.images.all()]
    names += [doc.file.name or "" for doc in proposal.attachments.all()]
    event_record(actor=actor, action=events.PROPOSAL_DRAFT_DELETED, obj=proposal, public=False)
    proposal.delete()

    def _delete_files() -> None:
        from django.core.files.storage import default_storage

        for name in names:
            default_storage.delete(name)

    transaction.on_commit(_delete_files)


# --- proposals: lifecycle ----------------------------------------------------------


@transaction.atomic
def proposal_submit(*, actor: Any, proposal: Proposal, now: dt.datetime | None = None) -> Proposal:
    """The author sends their proposal to the council: a draft is submitted,
    a proposal the assessors asked to change is sent again (resubmitted).

    Submitting a draft: the author must be eligible today, the call open for
    submissions at this instant, and the author under the call's limit. The
    reference number is allocated here, under a lock, so it is gapless."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to submit a proposal."))
    if proposal.status == S.CHANGES_REQUESTED:
        return proposal_transition(actor=actor, proposal=proposal, to_status=S.RESUBMITTED)
    # Lock order everywhere: author, then proposal, then the call's counter.
    User.objects.select_for_update().only("pk").get(pk=actor.pk)
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
    )
    if proposal.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can change this proposal."))
    if proposal.status != S.DRAFT:
        raise ValidationError(_("This proposal has already been submitted."), code="not_draft")
    call = proposal.call
    _require_submit(actor, call, now)
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
    require(actor, "proposals.submit_proposal", proposal)

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
    search_index([proposal])  # the reference is searchable from now on
    _version_record(actor=actor, proposal=proposal)
    _status_change_record(actor=actor, proposal=proposal, before=S.DRAFT, note="")
    return proposal


@transaction.atomic
def proposal_transition(
    *, actor: Any, proposal: Proposal, to_status: str, note: str = ""
) -> Proposal:
    """Move a proposal along its lifecycle: the move must be in TRANSITIONS and
    its rule must allow `actor`. `actor=None` is the system (e.g. the voting
    module putting proposals on the ballot)."""
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
    require(
        actor,
        TRANSITIONS[(proposal.status, to_status)],
        proposal,
        message=_("You may not make this change of status."),
    )
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
        action=events.PROPOSAL_STATUS_CHANGED,
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
    if proposal.author is None:  # the author deleted their account
        return
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
