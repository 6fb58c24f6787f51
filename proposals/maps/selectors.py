"""Map data of proposals: which proposals and which public fields, the
participation figures per zone. Queries only: building and caching map HTML
is in `rendering`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from geo.models import Area

from ..models import ELIGIBLE_OR_LATER, Call, Proposal

S = Proposal.Status
IN_PROGRESS = (S.SUBMITTED, S.UNDER_ASSESSMENT, S.CHANGES_REQUESTED, S.RESUBMITTED)
FUNDED = (S.SELECTED, S.IN_IMPLEMENTATION, S.COMPLETED)
REJECTED = (S.INELIGIBLE, S.NOT_SELECTED)
PUBLIC_STATUSES = [(v, label) for v, label in S.choices if v != S.DRAFT]

MAP_FIELDS = (
    "reference",
    "title",
    "category",
    "status",
    "cost_estimate",
    "latitude",
    "longitude",
    "whole_sector",
    "zone__name",
    "zone__slug",
    "call__slug",
)


@dataclass(frozen=True)
class MapFilters:
    call: str = ""  # call slug
    category: str = ""
    status: str = ""

    def key_parts(self) -> tuple[str, str, str]:
        return (self.call or "-", self.category or "-", self.status or "-")

    def is_default(self) -> bool:
        return not (self.call or self.category or self.status)


# --- queries ---------------------------------------------------------------------


def public_proposals(filters: MapFilters | None = None) -> QuerySet[Proposal]:
    qs = Proposal.objects.public()
    if filters:
        if filters.call:
            qs = qs.filter(call__slug=filters.call)
        if filters.category:
            qs = qs.filter(category=filters.category)
        if filters.status:
            qs = qs.filter(status=filters.status)
    return qs.order_by("reference")


@dataclass(frozen=True)
class MapCounts:
    total: int
    located: int
    whole_sector: int


def proposal_counts(qs: QuerySet[Proposal]) -> MapCounts:
    """How many match, are on the map, concern the whole sector: one query."""
    agg = qs.order_by().aggregate(
        total=Count("pk"),
        located=Count("pk", filter=Q(latitude__isnull=False)),
        whole_sector=Count("pk", filter=Q(whole_sector=True)),
    )
    return MapCounts(**agg)


# What the map shows of a proposal (and all the GeoJSON download carries).
GEOJSON_FIELDS = ("reference", "title", "category", "status", "cost_estimate", "zone__name")


def proposal_map_rows(qs: QuerySet[Proposal]) -> list[dict[str, Any]]:
    """The located proposals, with what the map shows only."""
    return list(qs.filter(latitude__isnull=False).values(*GEOJSON_FIELDS, "latitude", "longitude"))


def proposal_rows(qs: QuerySet[Proposal]) -> list[dict[str, Any]]:
    """Public fields only, as dicts (no model instances: fast for thousands)."""
    return list(qs.values(*MAP_FIELDS))


# --- participation per zone -------------------------------------------------------

METRICS = ("proposals", "eligible", "per_1000")


@dataclass(frozen=True)
class ZoneRow:
    slug: str
    name: str
    adult_population: int | None
    values: dict[str, float | None]


def zone_participation(call: Call, zones: Iterable[Area]) -> list[ZoneRow]:
    """One row per zone with every metric. Later issues add columns (ballots,
    workshop attendance) by adding keys to `values` and to `metric_labels`."""
    counts = Counter(
        Proposal.objects.public()
        .filter(call=call, zone__isnull=False)
        .values_list("zone_id", flat=True)
    )
    eligible = Counter(
        Proposal.objects.filter(
            call=call, zone__isnull=False, status__in=ELIGIBLE_OR_LATER
        ).values_list("zone_id", flat=True)
    )
    rows = []
    for z in zones:
        if z.kind != Area.Kind.ZONE:
            continue
        n = counts.get(z.pk, 0)
        per_1000 = round(n * 1000 / z.adult_population, 2) if z.adult_population else None
        rows.append(
            ZoneRow(
                slug=z.slug,
                name=z.name,
                adult_population=z.adult_population,
                values={
                    "proposals": float(n),
                    "eligible": float(eligible.get(z.pk, 0)),
                    "per_1000": per_1000,
                },
            )
        )
    return rows


def results_rows(call: Call) -> list[dict[str, Any]]:
    return proposal_rows(
        Proposal.objects.filter(call=call, status__in=FUNDED).order_by("reference")
    )
