"""Proposals as answers of geo's place search: a resident who types a
proposal's reference ("S6-2026-0007", "s6 2026 7") on a map finds its place.
Registered with `geo.registry.place_providers` in `ProposalsConfig.ready()`;
public proposals with a point only, and public fields only."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from geo.registry import PlaceHit

from .models import Proposal

_REFERENCE_RE = re.compile(
    r"^\s*s\s*6\s*[-\s/]*(?P<year>\d{4})?(?:\s*[-\s/]+\s*(?P<num>\d{1,6}))?\s*$", re.I
)


def _reference_prefix(query: str) -> tuple[str, bool] | None:
    """("S6-2026-0007", True) for a full reference, ("S6-2026-", False) or
    ("S6-", False) for its beginning, None if the query is no reference."""
    match = _REFERENCE_RE.match(query)
    if not match:
        return None
    year, num = match["year"], match["num"]
    if year and num:
        return f"S6-{year}-{int(num):04d}", True
    if year:
        return f"S6-{year}", False
    return "S6-", False


def proposal_places(query: str, *, limit: int) -> list[PlaceHit]:
    parsed = _reference_prefix(query)
    if parsed is None:
        return []
    reference, exact = parsed
    qs = Proposal.objects.public().filter(latitude__isnull=False, longitude__isnull=False)
    qs = qs.filter(reference=reference) if exact else qs.filter(reference__startswith=reference)
    rows = qs.select_related("zone").order_by("-submitted_at", "-id")[:limit]
    return [
        PlaceHit(
            name=f"{p.reference} — {p.title}",
            kind="proposal",
            kind_label=_("Proposal"),
            lat=float(p.latitude),
            lon=float(p.longitude),
            detail=p.zone.name if p.zone else "",
            url=p.get_absolute_url(),
        )
        for p in rows
        if p.latitude is not None and p.longitude is not None
    ]
