"""GeoJSON (RFC 7946) builders from plain records: lon/lat order, WGS84,
coordinates rounded to 7 decimals (about 1 cm). Generic: callers choose the
public properties; nothing here reads a feature's models."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .maps import AreaLike

COORD_DECIMALS = 7


@dataclass(frozen=True)
class PointFeature:
    lat: float | None
    lon: float | None
    properties: Mapping[str, Any] = field(default_factory=dict)


def _round(coords: Any) -> Any:
    if isinstance(coords, list | tuple):
        if coords and isinstance(coords[0], int | float):
            return [round(float(c), COORD_DECIMALS) for c in coords]
        return [_round(c) for c in coords]
    return coords


def geometry_rounded(geometry: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


def feature_collection(features: Sequence[dict[str, Any]], **meta: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", **meta, "features": list(features)}


def point_features(records: Iterable[PointFeature]) -> list[dict[str, Any]]:
    """One Feature per record; records without a point get `"geometry": null`
    (valid GeoJSON), e.g. a proposal for the whole sector."""
    out = []
    for rec in records:
        geometry = None
        if rec.lat is not None and rec.lon is not None:
            lat, lon = float(rec.lat), float(rec.lon)
            if math.isfinite(lat) and math.isfinite(lon):
                geometry = {
                    "type": "Point",
                    "coordinates": [round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)],
                }
        out.append({"type": "Feature", "geometry": geometry, "properties": dict(rec.properties)})
    return out


def area_features(areas: Iterable[AreaLike]) -> list[dict[str, Any]]:
    out = []
    for a in areas:
        out.append(
            {
                "type": "Feature",
                "id": f"{a.kind}:{a.slug}",
                "geometry": geometry_rounded(a.geometry),
                "bbox": [a.min_lon, a.min_lat, a.max_lon, a.max_lat],
                "properties": {
                    "name": a.name,
                    "slug": a.slug,
                    "kind": a.kind,
                    "approximate": a.is_approximate,
                    "adult_population": getattr(a, "adult_population", None),
                    "attribution": a.attribution,
                },
            }
        )
    return out
