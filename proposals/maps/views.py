"""Public map pages (thin): parse the filters, pick the cached map, render.

Each page draws its map itself (`{% geo_map %}` + geo/static/geo/map.js, from
a cached configuration): one document, its scripts deferred and its data
preloaded. The /map/embed/... addresses still serve the same maps as whole
folium documents, for other sites' <iframe>s; every asset either loads comes
from /static/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from geo.defaults import ANCPI_ATTRIBUTION
from geo.geojson import feature_collection, point_columns, point_features
from geo.maps import with_script_nonce
from geo.selectors import areas_any_approximate, areas_for_map
from geo.views import geojson_response, json_data_response

from ..models import Call, Category
from . import rendering
from . import selectors as sel


class MapFilterForm(forms.Form):
    call = forms.ModelChoiceField(
        label=_("Call"),
        queryset=Call.objects.order_by("-year", "name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All calls"),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *Category.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *sel.PUBLIC_STATUSES], required=False
    )


def _filters(request: HttpRequest) -> tuple[MapFilterForm, sel.MapFilters]:
    """Valid fields filter; an invalid one is reported and ignored."""
    form = MapFilterForm(request.GET or None)
    values: dict[str, str] = {}
    if form.is_bound:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        if data.get("call"):
            values["call"] = data["call"].slug
        for name in ("category", "status"):
            if data.get(name):
                values[name] = data[name]
    return form, sel.MapFilters(**values)


def _map_document(request: HttpRequest, document: str) -> HttpResponse:
    """A folium map document (for an <iframe>), its inline scripts allowed by
    this response's CSP nonce."""
    return HttpResponse(with_script_nonce(document, str(request.csp_nonce)))  # type: ignore[attr-defined]


@require_safe
def proposals_map(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    counts = sel.proposal_counts(sel.public_proposals(filters))
    areas = areas_for_map()
    query = {
        "call": filters.call,
        "category": filters.category,
        "status": filters.status,
    }
    embed_src = reverse("maps:proposals_embed")
    if filters.call or filters.category or filters.status:
        embed_src += "?" + urlencode({k: v for k, v in query.items() if v})
    total, located, whole_sector = counts.total, counts.located, counts.whole_sector
    return render(
        request,
        "proposals/map_proposals.html",
        {
            "form": form,
            "filters": filters,
            "embed_src": embed_src,
            "map_config": rendering.proposals_map_config(filters),
            "total": total,
            "located": located,
            "whole_sector": whole_sector,
            "approximate": areas_any_approximate(areas),
            "ancpi_attribution": ANCPI_ATTRIBUTION,
            "geojson_url": reverse("maps:proposals_geojson")
            + (
                "?" + urlencode({k: v for k, v in query.items() if v})
                if any(query.values())
                else ""
            ),
        },
    )


@require_safe
@xframe_options_sameorigin
@gzip_page  # public data only (no token, nothing personal): safe from BREACH
def proposals_map_embed(request: HttpRequest) -> HttpResponse:
    _form, filters = _filters(request)
    cluster = request.GET.get("cluster", "1") != "0"
    return _map_document(request, rendering.proposals_map_render(filters, cluster=cluster))


@require_safe
def results_map(request: HttpRequest, call: str) -> HttpResponse:
    call_obj = get_object_or_404(Call, slug=call)
    labels = dict(Category.choices)
    rows = [
        dict(r, category_label=labels.get(r["category"], r["category"]))
        for r in sel.results_rows(call_obj)
    ]
    return render(
        request,
        "proposals/map_results.html",
        {
            "call": call_obj,
            "rows": rows,
            "total_cost": sum((r["cost_estimate"] or 0) for r in rows),
            "map_config": rendering.results_map_config(call_obj),
            "approximate": areas_any_approximate(areas_for_map()),
            "ancpi_attribution": ANCPI_ATTRIBUTION,
        },
    )


@require_safe
@xframe_options_sameorigin
@gzip_page  # public data only (no token, nothing personal): safe from BREACH
def results_map_embed(request: HttpRequest, call: str) -> HttpResponse:
    call_obj = get_object_or_404(Call, slug=call)
    return _map_document(request, rendering.results_map_render(call_obj))


def _metric(request: HttpRequest) -> tuple[str, str]:
    metric = request.GET.get("metric", "proposals")
    if metric not in sel.METRICS:
        return "proposals", str(_("Unknown measure; showing the number of proposals."))
    return metric, ""


@require_safe
def participation_map(request: HttpRequest, call: str) -> HttpResponse:
    call_obj = get_object_or_404(Call, slug=call)
    metric, error = _metric(request)
    areas = areas_for_map()
    rows = sel.zone_participation(call_obj, areas)
    labels = rendering.metric_labels()
    context: dict[str, Any] = {
        "call": call_obj,
        "metric": metric,
        "metric_error": error,
        "metrics": [(m, labels[m]) for m in sel.METRICS],
        "rows": [
            {
                "name": r.name,
                "population": r.adult_population,
                "values": [r.values[m] for m in sel.METRICS],
            }
            for r in rows
        ],
        "approximate": areas_any_approximate(areas),
        "has_population": any(r.adult_population for r in rows),
        "ancpi_attribution": ANCPI_ATTRIBUTION,
        "map_config": rendering.participation_map_config(call_obj, metric),
        "embed_src": reverse("maps:participation_embed", args=[call_obj.slug])
        + "?"
        + urlencode({"metric": metric}),
    }
    return render(request, "proposals/map_participation.html", context)


@require_safe
@xframe_options_sameorigin
@gzip_page  # public data only (no token, nothing personal): safe from BREACH
def participation_map_embed(request: HttpRequest, call: str) -> HttpResponse:
    call_obj = get_object_or_404(Call, slug=call)
    metric, _error = _metric(request)
    return _map_document(request, rendering.participation_map_render(call_obj, metric))


@require_safe
def proposals_geojson(request: HttpRequest) -> HttpResponse:
    """The located public proposals with what the map shows (cached and
    compressed by ciic.public_pages; the map pages load their points here)."""
    _form, filters = _filters(request)
    rows = sel.proposal_map_rows(sel.public_proposals(filters))
    data = feature_collection(point_features(rendering.proposal_features(rows)), name="proposals")
    return geojson_response(data, filename="proposals.geojson")


@require_safe
def proposals_points(request: HttpRequest) -> HttpResponse:
    """The same proposals as `proposals_geojson`, in columns (a third of the
    size, no object per point): what the map pages draw (cached and
    compressed by ciic.public_pages)."""
    _form, filters = _filters(request)
    rows = sel.proposal_map_rows(sel.public_proposals(filters))
    return json_data_response(point_columns(rendering.proposal_features(rows)))
