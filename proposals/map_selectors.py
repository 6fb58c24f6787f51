"""Proposals as plain records for geo's generic map and GeoJSON builders, and
the cached rendering of the proposal maps.

Only public fields leave this module: reference, title, category, status,
cost, zone, link and coordinates. Never the author or anything about them."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geo.cache import map_cache_key, map_cache_version
from geo.geojson import PointFeature
from geo.maps import Legend, LegendItem, MapPoint, choropleth_map, points_map, sqrt_radius
from geo.models import Area
from geo.selectors import areas_for_map

from .models import ELIGIBLE_OR_LATER, Call, Category, Proposal

logger = logging.getLogger(__name__)

MAP_CACHE_SECONDS = 24 * 3600
NAMESPACE = "proposals"

# Colour-blind-friendly palette (Okabe-Ito + two neutrals), one per category.
CATEGORY_COLOURS: dict[str, str] = {
    Category.MEDIU: "#009E73",
    Category.EDUCATIE: "#0072B2",
    Category.CULTURA: "#CC79A7",
    Category.SOCIAL: "#D55E00",
    Category.INFRASTRUCTURA: "#8C6D31",
    Category.SIGURANTA: "#E69F00",
    Category.SERVICII: "#56B4E9",
    Category.ALTELE: "#6B7280",
}

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


def proposal_rows(qs: QuerySet[Proposal]) -> list[dict[str, Any]]:
    """Public fields only, as dicts (no model instances: fast for thousands)."""
    return list(qs.values(*MAP_FIELDS))


def _detail_url_template() -> str:
    """reverse() once; the reference is substituted per row."""
    try:
        return reverse("proposals:detail", kwargs={"reference": "S6-0000-0000"}).replace(
            "S6-0000-0000", "{ref}"
        )
    except NoReverseMatch:  # the detail page is not wired (yet): no links
        return ""


def _ron(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    return _("%(amount)s RON") % {
        "amount": number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
    }


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    return {v: str(label) for v, label in Category.choices}, {
        v: str(label) for v, label in S.choices
    }


def _status_style(status: str) -> dict[str, Any]:
    if status in FUNDED:
        return {"stroke_colour": "#1d2430", "weight": 3.0, "fill_opacity": 0.95}
    if status in REJECTED:
        return {"stroke_colour": "#6b7280", "weight": 1.5, "fill_opacity": 0.3, "dash": "3 3"}
    if status in (S.ELIGIBLE, S.ON_BALLOT):
        return {"stroke_colour": "#1d2430", "weight": 1.5, "fill_opacity": 0.9}
    return {"stroke_colour": "#ffffff", "weight": 1.5, "fill_opacity": 0.85}


def proposal_points(
    rows: Iterable[dict[str, Any]], *, size_by_cost: bool = False
) -> list[MapPoint]:
    categories, statuses = _labels()
    url_tpl = _detail_url_template()
    located = [r for r in rows if r["latitude"] is not None and r["longitude"] is not None]
    max_cost = max((float(r["cost_estimate"] or 0) for r in located), default=0.0)
    points = []
    for r in located:
        details = [
            r["reference"],
            f"{categories.get(r['category'], r['category'])} · {statuses.get(r['status'], r['status'])}",
            _("Estimated cost: %(cost)s") % {"cost": _ron(r["cost_estimate"])},
        ]
        if r["zone__name"]:
            details.append(_("Zone: %(zone)s") % {"zone": r["zone__name"]})
        radius = (
            sqrt_radius(float(r["cost_estimate"] or 0), max_value=max_cost) if size_by_cost else 7.0
        )
        points.append(
            MapPoint(
                lat=r["latitude"],
                lon=r["longitude"],
                title=r["title"],
                url=url_tpl.format(ref=r["reference"]) if url_tpl and r["reference"] else "",
                link_label=_("View proposal"),
                details=details,
                colour=CATEGORY_COLOURS.get(r["category"], "#6B7280"),
                radius=radius,
                **_status_style(r["status"]),
            )
        )
    return points


def proposal_legend(categories_present: Iterable[str] | None = None) -> Legend:
    labels, _statuses = _labels()
    present = set(categories_present) if categories_present is not None else None
    items = [
        LegendItem(labels[c], colour, "circle")
        for c, colour in CATEGORY_COLOURS.items()
        if present is None or c in present
    ]
    items += [
        LegendItem(_("In assessment"), "#ffffff", "circle", stroke_colour="#9aa3ae"),
        LegendItem(_("Eligible / on the ballot"), "#ffffff", "circle", stroke_colour="#1d2430"),
        LegendItem(_("Funded"), "#1d2430", "ring"),
        LegendItem(_("Ineligible / not selected"), "#9aa3ae", "ring", dash=True),
    ]
    return Legend(title=_("Category and status"), items=items)


def proposal_features(rows: Iterable[dict[str, Any]]) -> list[PointFeature]:
    """GeoJSON records: public fields only."""
    url_tpl = _detail_url_template()
    out = []
    for r in rows:
        out.append(
            PointFeature(
                lat=r["latitude"],
                lon=r["longitude"],
                properties={
                    "reference": r["reference"],
                    "title": r["title"],
                    "category": r["category"],
                    "status": r["status"],
                    "cost_ron": str(r["cost_estimate"]) if r["cost_estimate"] is not None else None,
                    "whole_sector": r["whole_sector"],
                    "zone": r["zone__slug"],
                    "zone_name": r["zone__name"],
                    "call": r["call__slug"],
                    "url": url_tpl.format(ref=r["reference"]) if url_tpl else None,
                },
            )
        )
    return out


# --- participation per zone -------------------------------------------------------

METRICS = ("proposals", "eligible", "per_1000")


def metric_labels() -> dict[str, str]:
    return {
        "proposals": _("Proposals"),
        "eligible": _("Eligible proposals"),
        "per_1000": _("Proposals per 1,000 adults"),
    }


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


# --- cached rendering -------------------------------------------------------------


def _key(*parts: object) -> str:
    lang = get_language() or settings.LANGUAGE_CODE
    return map_cache_key(NAMESPACE, lang, f"a{map_cache_version('areas')}", *parts)


def _cached(key: str, build: Any) -> str:
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, MAP_CACHE_SECONDS)
    return str(html)


def proposals_map_render(filters: MapFilters, *, cluster: bool = True) -> str:
    def build() -> str:
        rows = proposal_rows(public_proposals(filters))
        present = {r["category"] for r in rows}
        located = sum(1 for r in rows if r["latitude"] is not None)
        return points_map(
            proposal_points(rows),
            areas=areas_for_map(),
            legend=proposal_legend(present or None),
            cluster=cluster,
            title=_("Proposals"),
            subtitle=_("%(count)d on the map") % {"count": located},
        )

    return _cached(_key("points", *filters.key_parts(), int(cluster)), build)


def results_rows(call: Call) -> list[dict[str, Any]]:
    return proposal_rows(
        Proposal.objects.filter(call=call, status__in=FUNDED).order_by("reference")
    )


def results_map_render(call: Call) -> str:
    def build() -> str:
        rows = results_rows(call)
        return points_map(
            proposal_points(rows, size_by_cost=True),
            areas=areas_for_map(),
            legend=Legend(
                title=_("Category (size: cost)"),
                items=proposal_legend({r["category"] for r in rows} or None).items[
                    : len(CATEGORY_COLOURS)
                ],
            ),
            cluster=False,
            title=_("Funded projects: %(call)s") % {"call": call.name},
            subtitle=_("%(count)d projects") % {"count": len(rows)},
        )

    return _cached(_key("results", call.slug), build)


def participation_map_render(call: Call, metric: str) -> str:
    def build() -> str:
        areas = areas_for_map()
        rows = zone_participation(call, areas)
        label = metric_labels()[metric]
        return choropleth_map(
            areas,
            {r.slug: r.values[metric] for r in rows},
            title=label,
            subtitle=call.name,
            legend=label,
            decimals=2 if metric == "per_1000" else 0,
        )

    return _cached(_key("participation", call.slug, metric), build)
