"""Thin views: the public areas download and the staff import page."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import FormView

from ciic.accounts.mixins import RulesPermissionMixin

from .defaults import ANCPI_ATTRIBUTION
from .forms import AreaImportForm
from .geojson import area_features, feature_collection
from .importers import AreaImportError, areas_import
from .selectors import SEARCH_LIMIT, SEARCH_MAX_CHARS, areas_for_map, places_search

GEOJSON_CONTENT_TYPE = "application/geo+json"


def geojson_response(data: dict[str, Any], *, filename: str) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type=f"{GEOJSON_CONTENT_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def json_data_response(data: dict[str, Any]) -> HttpResponse:
    """Plain JSON data for the site's own scripts (e.g. `point_columns`)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@require_safe
def areas_geojson(request: HttpRequest) -> HttpResponse:
    areas = areas_for_map()
    data = feature_collection(
        area_features(areas),
        name="areas",
        attribution=ANCPI_ATTRIBUTION,
        approximate_zones=any(a.is_approximate for a in areas if a.kind == "zone"),
    )
    return geojson_response(data, filename="areas.geojson")


@require_safe
def places_api(request: HttpRequest) -> JsonResponse:
    """The place search of the maps: `?q=` (a name, a proposal's reference or
    coordinates), at most `limit` answers (default 8, at most 20)."""
    query = request.GET.get("q", "")[:SEARCH_MAX_CHARS]
    try:
        limit = int(request.GET.get("limit", SEARCH_LIMIT))
    except ValueError:
        limit = SEARCH_LIMIT
    hits = places_search(query, limit=limit)
    response = JsonResponse(
        {"query": query, "count": len(hits), "results": [h.as_json() for h in hits]},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    response["Cache-Control"] = "private, max-age=60"
    return response


class AreaImportView(RulesPermissionMixin, FormView):
    permission_required = "geo.import_areas"
    template_name = "geo/area_import.html"
    form_class = AreaImportForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["areas"] = areas_for_map()
        return ctx

    def form_valid(self, form: AreaImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory(prefix="ciic-areas-") as tmp:
            target = Path(tmp) / f"upload{suffix}"
            with target.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            try:
                report = areas_import(
                    actor=self.request.user,
                    path=target,
                    kind=form.cleaned_data["kind"],
                    name_field=form.cleaned_data["name_field"].strip(),
                    population_field=form.cleaned_data["population_field"].strip() or None,
                    source=form.cleaned_data["source"]
                    or _("Upload: %(name)s") % {"name": upload.name},
                    attribution=form.cleaned_data["attribution"],
                )
            except AreaImportError as exc:
                return self.render_to_response(
                    self.get_context_data(form=form, import_errors=exc.report.errors)
                )
        messages.success(self.request, report.as_text())
        for warning in report.warnings:
            messages.warning(self.request, warning)
        return redirect("geo:area_import")
