"""Proposal maps as configurations drawn in the page (`{% geo_map %}`), as
HTML documents (folium, offline: the /map/embed/ addresses) and as GeoJSON
records, and their cache: one rendering per filter set, language and zone
version, re-rendered by `tasks.proposal_maps_rebuild` after a content change."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geo.cache import map_cache_key, map_cache_version
from geo.geojson import PointFeature
from geo.maps import (
    Legend,
    LegendItem,
    MapPoint,
    choropleth_map,
    choropleth_map_config,
    points_map,
    points_map_config,
    sqrt_radius,
)
from geo.selectors import areas_for_map

from ..models import Call, Category
from .selectors import (
    FUNDED,
    REJECTED,
    MapFilters,
    S,
    proposal_counts,
    public_proposals,
    results_rows,
    zone_participation,
)

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
    """GeoJSON records of located proposals: what the map shows, nothing more
    (the page's link is built from the reference)."""
    return [
        PointFeature(
            lat=r["latitude"],
            lon=r["longitude"],
            properties={
                "reference": r["reference"],
                "title": r["title"],
                "category": r["category"],
                "status": r["status"],
                "cost_ron": str(r["cost_estimate"]) if r["cost_estimate"] is not None else None,
                "zone_name": r["zone__name"],
            },
        )
        for r in rows
    ]


def proposal_points_config(data_url: str) -> dict[str, Any]:
    """How the browser draws the points of `data_url` (geo/point_layer.js):
    the same colours, strokes and words as `proposal_points`."""
    categories, statuses = _labels()
    styles = {}
    for status, label in statuses.items():
        st = _status_style(status)
        styles[status] = [
            label,
            st["stroke_colour"],
            st["weight"],
            st["fill_opacity"],
            st.get("dash", ""),
        ]
    url_tpl = _detail_url_template()
    return {
        "url": data_url,
        "colour": {
            "property": "category",
            "values": {c: [categories[c], colour] for c, colour in CATEGORY_COLOURS.items()},
            "fallback": "#6B7280",
        },
        "style": {"property": "status", "values": styles},
        "lines": [
            ["cost_ron", _("Estimated cost: %(cost)s") % {"cost": "%s"}, "money"],
            ["zone_name", _("Zone: %(zone)s") % {"zone": "%s"}],
        ],
        "link": {
            "property": "reference",
            "url": url_tpl.replace("{ref}", "{value}") if url_tpl else "",
            "label": _("View proposal"),
        },
        "locale": get_language() or settings.LANGUAGE_CODE,
        "radius": 7,
    }


def metric_labels() -> dict[str, str]:
    return {
        "proposals": _("Proposals"),
        "eligible": _("Eligible proposals"),
        "per_1000": _("Proposals per 1,000 adults"),
    }


# --- cached rendering -------------------------------------------------------------


def _key(*parts: object) -> str:
    lang = get_language() or settings.LANGUAGE_CODE
    return map_cache_key(NAMESPACE, lang, f"a{map_cache_version('areas')}", *parts)


def _cached(key: str, build: Any) -> Any:
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, MAP_CACHE_SECONDS)
    return value


def _proposals_map_args(filters: MapFilters) -> dict[str, Any]:
    counts = proposal_counts(public_proposals(filters))
    present = set(
        public_proposals(filters).order_by().values_list("category", flat=True).distinct()
    )
    query = {
        k: v
        for k, v in (
            ("call", filters.call),
            ("category", filters.category),
            ("status", filters.status),
        )
        if v
    }
    # the points in columns (the GeoJSON, with the same filters, is the download)
    data_url = reverse("maps:proposals_points") + (f"?{urlencode(query)}" if query else "")
    return {
        "areas": areas_for_map(),
        "legend": proposal_legend(present or None),
        "title": _("Proposals"),
        "subtitle": _("%(count)d on the map") % {"count": counts.located},
        "points_from": proposal_points_config(data_url),
    }


def proposals_map_render(filters: MapFilters, *, cluster: bool = True) -> str:
    """The map document: streets, zones and the legend; the browser loads the
    points from the (cached, compressed) GeoJSON with the same filters."""
    return str(
        _cached(
            _key("points", *filters.key_parts(), int(cluster)),
            lambda: points_map([], cluster=cluster, **_proposals_map_args(filters)),
        )
    )


def proposals_map_config(filters: MapFilters) -> dict[str, Any]:
    """The same map, drawn in the page (`{% geo_map %}`)."""
    return dict(
        _cached(
            _key("page-points", *filters.key_parts()),
            lambda: points_map_config([], **_proposals_map_args(filters)),
        )
    )


def _results_map_args(call: Call) -> dict[str, Any]:
    rows = results_rows(call)
    return {
        "areas": areas_for_map(),
        "legend": Legend(
            title=_("Category (size: cost)"),
            items=proposal_legend({r["category"] for r in rows} or None).items[
                : len(CATEGORY_COLOURS)
            ],
        ),
        "title": _("Funded projects: %(call)s") % {"call": call.display_name},
        "subtitle": _("%(count)d projects") % {"count": len(rows)},
        "records": proposal_points(rows, size_by_cost=True),
    }


def results_map_render(call: Call) -> str:
    return str(
        _cached(
            _key("results", call.slug),
            lambda: points_map(cluster=False, **_results_map_args(call)),
        )
    )


def results_map_config(call: Call) -> dict[str, Any]:
    return dict(
        _cached(
            _key("page-results", call.slug),
            lambda: points_map_config(**_results_map_args(call)),
        )
    )


def _participation_map_args(call: Call, metric: str) -> dict[str, Any]:
    areas = areas_for_map()
    rows = zone_participation(call, areas)
    label = metric_labels()[metric]
    return {
        "areas": areas,
        "values": {r.slug: r.values[metric] for r in rows},
        "title": label,
        "subtitle": call.display_name,
        "legend": label,
        "decimals": 2 if metric == "per_1000" else 0,
    }


def participation_map_render(call: Call, metric: str) -> str:
    return str(
        _cached(
            _key("participation", call.slug, metric),
            lambda: choropleth_map(**_participation_map_args(call, metric)),
        )
    )


def participation_map_config(call: Call, metric: str) -> dict[str, Any]:
    return dict(
        _cached(
            _key("page-participation", call.slug, metric),
            lambda: choropleth_map_config(**_participation_map_args(call, metric)),
        )
    )
