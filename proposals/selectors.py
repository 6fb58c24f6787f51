"""Reads on calls and proposals, already joined for the pages that use them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ciic.audit import events
from ciic.audit.models import Event
from ciic.audit.selectors import events_for_object
from geo.models import Area

from .models import (
    ELIGIBLE_OR_LATER,
    Call,
    Category,
    Phase,
    Proposal,
    ProposalAttachment,
    ProposalImage,
    ProposalVersion,
    ZoneBudget,
)
from .predicates import Check, proposal_is_editable_at, submit_decision
from .search import search_filter

SORTS = {
    "newest": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "cost": ("cost_estimate", "id"),
    "-cost": ("-cost_estimate", "-id"),
    "title": ("title", "id"),
    "reference": ("call_id", "number"),
}
PAGE_SIZE = 20


def call_current(*, now: dt.datetime | None = None) -> Call | None:
    """The call whose phases are in force now (the latest that has started),
    else the next one to start."""
    today = timezone.localdate(now) if now else timezone.localdate()
    started = Call.objects.filter(submission_start__lte=today).order_by("-submission_start").first()
    return started or Call.objects.order_by("submission_start").first()


def calls_with_results(*, now: dt.datetime | None = None) -> QuerySet[Call]:
    """Calls whose results are public (results day reached), newest first."""
    today = timezone.localdate(now) if now else timezone.localdate()
    return Call.objects.filter(results_date__lte=today).order_by("-results_date")


def call_get(*, slug: str) -> Call:
    return Call.objects.prefetch_related("categories").get(slug=slug)


def calls_all() -> QuerySet[Call]:
    return Call.objects.prefetch_related("categories").order_by("-year", "-submission_start")


def calls_for_staff() -> QuerySet[Call]:
    """Every call, newest first, with its categories and zone budgets."""
    return Call.objects.prefetch_related(
        "categories", Prefetch("zone_budgets", queryset=ZoneBudget.objects.select_related("zone"))
    ).order_by("-year", "-submission_start")


def call_categories(*, call: Call) -> list[Any]:
    """The call's accepted categories, in the council's order."""
    order = list(Category.values)
    return sorted(call.categories.all(), key=lambda c: order.index(c.category))


@dataclass(frozen=True)
class CallCounters:
    submitted: int
    eligible: int


def call_counters(*, call: Call) -> CallCounters:
    agg = (
        Proposal.objects.public()
        .filter(call=call)
        .aggregate(
            submitted=Count("pk"), eligible=Count("pk", filter=Q(status__in=ELIGIBLE_OR_LATER))
        )
    )
    return CallCounters(submitted=agg["submitted"], eligible=agg["eligible"])


# "May this visitor start a proposal in this call now, and if not, why?"
SubmitStatus = Check


def call_submit_status(*, call: Call, user: Any, now: dt.datetime | None = None) -> Check:
    """May this visitor start a proposal in `call` now, and if not, why
    (the decision behind the rule `proposals.submit_to_call`)."""
    return submit_decision(user=user, call=call, now=now)


def call_timeline(*, call: Call, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The call's phases for display: label, first and last day, state."""
    now = now or timezone.now()
    current = call.phase_at(now)
    rows = []
    for phase, start, end in call.phase_windows():
        last_day = (end - dt.timedelta(days=1)).date() if end is not None else None
        if phase == current:
            state = "current"
        elif end is not None and end <= now:
            state = "past"
        else:
            state = "future"
        rows.append(
            {
                "phase": phase,
                "label": Phase(phase).label,
                "start": start.date(),
                "end": last_day,
                "state": state,
            }
        )
    return rows


# --- public listing -------------------------------------------------------------------


def _search(qs: QuerySet[Proposal], q: str) -> QuerySet[Proposal]:
    """Proposals containing every word of `q` in any form, accents and
    diacritics ignored (see proposals.search); indexed on PostgreSQL."""
    return search_filter(qs, q)  # type: ignore[no-any-return]


def proposal_list(
    *,
    call: Call | None = None,
    category: str = "",
    zone_slug: str = "",
    status: str = "",
    q: str = "",
    sort: str = "newest",
) -> QuerySet[Proposal]:
    """Public proposals (never drafts) with the list page's filters."""
    qs: QuerySet[Proposal] = Proposal.objects.public().select_related("zone", "call")
    if call is not None:
        qs = qs.filter(call=call)
    if category in Category.values:
        qs = qs.filter(category=category)
    if zone_slug:
        qs = qs.filter(zone__slug=zone_slug)
    if status in Proposal.Status.values and status != Proposal.Status.DRAFT:
        qs = qs.filter(status=status)
    if q.strip():
        qs = _search(qs, q)
        if sort == "relevance" and "search_rank" in qs.query.annotations:
            return qs.order_by("-search_rank", "-id")  # type: ignore[misc]
    return qs.order_by(*SORTS.get(sort, SORTS["newest"]))


def proposal_public_get(*, reference: str) -> Proposal:
    return (
        Proposal.objects.public()
        .select_related("call", "zone", "author")
        .prefetch_related("images", "attachments")
        .get(reference=reference)
    )


def proposal_get_any(*, reference: str) -> Proposal:
    """Any proposal by reference, drafts excluded (they have none)."""
    return Proposal.objects.select_related("call", "zone", "author").get(reference=reference)


def proposal_for_edit_qs() -> QuerySet[Proposal]:
    return Proposal.objects.select_related("call", "zone", "author").prefetch_related(
        "images", "attachments", "call__categories"
    )


def zones_all() -> QuerySet[Area]:
    return Area.objects.filter(kind=Area.Kind.ZONE).only("pk", "name", "slug").order_by("name")


def proposal_timeline(*, proposal: Proposal) -> QuerySet[Event]:
    return events_for_object(proposal, public_only=True).order_by("created_at", "id")


TIMELINE_LABELS = {
    events.PROPOSAL_EDITED: _("Edited by the author"),
    events.PROPOSAL_IMAGE_ADDED: _("Image added by the author"),
    events.PROPOSAL_ATTACHMENT_ADDED: _("Document added by the author"),
    events.PROPOSAL_FILE_REMOVED: _("File removed by the author"),
    # The council's assessment (proposals.assessment); "note" is public.
    events.ASSESSMENT_APPEAL_LODGED: _("Appeal lodged by the author"),
    events.ASSESSMENT_APPEAL_DECIDED: _("Appeal decided"),
    events.ASSESSMENT_MERGED_INTO: _("Merged into another proposal"),
    events.ASSESSMENT_MERGED_FROM: _("Another proposal was merged into this one"),
}


def proposal_timeline_entries(*, proposal: Proposal) -> list[dict[str, Any]]:
    """The public history: status changes (with the public note) and edits.
    Who acted is not shown: staff act for the council, residents stay private."""
    entries = []
    for event in proposal_timeline(proposal=proposal):
        after = event.after or {}
        if event.action == events.PROPOSAL_STATUS_CHANGED:
            status = after.get("status", "")
            label = Proposal.Status(status).label if status in Proposal.Status.values else status
            entries.append(
                {
                    "at": event.created_at,
                    "label": label,
                    "status": status,
                    "note": after.get("note", ""),
                }
            )
        elif event.action in TIMELINE_LABELS:
            after = event.after or {}
            entries.append(
                {
                    "at": event.created_at,
                    "label": TIMELINE_LABELS[event.action],
                    "note": after.get("note") or after.get("reference") or "",
                }
            )
    return entries


def proposals_of_author(*, user: Any) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(author=user)
        .select_related("call", "zone")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class AuthorRow:
    """One of the author's proposals, with what they may do with it now."""

    proposal: Proposal
    can_edit: bool


def author_proposal_rows(*, user: Any, now: dt.datetime | None = None) -> list[AuthorRow]:
    """The author's proposals for "my proposals", each with `can_edit` (the
    same question the rule `proposals.change_proposal` asks)."""
    now = now or timezone.now()
    return [
        AuthorRow(p, p.author_id == user.pk and proposal_is_editable_at(p, now))
        for p in proposals_of_author(user=user)
    ]


def proposal_count_submitted(*, user: Any, call: Call) -> int:
    return Proposal.objects.public().filter(author=user, call=call).count()


def proposal_versions(*, proposal: Proposal) -> QuerySet[ProposalVersion]:
    return proposal.versions.select_related("created_by").order_by("number")


def proposal_staff_list(
    *, status: str = "", call: Call | None = None, q: str = ""
) -> QuerySet[Proposal]:
    qs: QuerySet[Proposal] = (
        Proposal.objects.public()
        .select_related("call", "zone", "author")
        .prefetch_related(
            Prefetch("versions", queryset=ProposalVersion.objects.only("pk", "proposal_id"))
        )
    )
    if call is not None:
        qs = qs.filter(call=call)
    if status in Proposal.Status.values:
        qs = qs.filter(status=status)
    if q.strip():
        qs = _search(qs, q)
    return qs.order_by("call_id", "number")


VERSION_FIELD_LABELS = {
    "title": _("Title"),
    "summary": _("Summary"),
    "description": _("Description"),
    "category": _("Category"),
    "cost_estimate": _("Estimated cost (lei)"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
    "whole_sector": _("Whole sector"),
    "zone": _("Zone"),
}


def version_diffs(*, proposal: Proposal) -> list[dict[str, Any]]:
    """Each version with the fields that changed from the one before."""
    out: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for version in proposal_versions(proposal=proposal):
        changes = []
        for field, value in version.data.items():
            old = previous.get(field) if previous is not None else None
            if previous is None or old != value:
                changes.append(
                    {
                        "field": field,
                        "label": VERSION_FIELD_LABELS.get(field, field),
                        "old": _display(field, old),
                        "new": _display(field, value),
                    }
                )
        out.append({"version": version, "changes": changes, "first": previous is None})
        previous = version.data
    return out


def _display(field: str, value: Any) -> Any:
    if field == "category" and value in Category.values:
        return Category(value).label
    if field == "whole_sector":
        return _("yes") if value else _("no")
    return value


@dataclass(frozen=True)
class StoredFile:
    """An image or PDF of a proposal, found by its name in storage."""

    proposal: Proposal
    name: str
    download_name: str
    content_type: str


_IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def proposal_file_get(*, name: str) -> StoredFile | None:
    """The proposal file stored under `name`, with its proposal; None if no
    image or attachment of any proposal has that name."""
    image = ProposalImage.objects.select_related("proposal").filter(file=name).first()
    if image is not None:
        ext = name.rsplit(".", 1)[-1].lower()
        content_type = _IMAGE_TYPES.get(ext)
        if content_type is None:
            return None
        return StoredFile(image.proposal, name, name.rsplit("/", 1)[-1], content_type)
    doc = ProposalAttachment.objects.select_related("proposal").filter(file=name).first()
    if doc is not None:
        return StoredFile(doc.proposal, name, doc.original_name, "application/pdf")
    return None
