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


# Coordinates of `point_columns`: 5 decimals, about 1 m, as integers.
COLUMN_DECIMALS = 5
# A property with at most this many distinct values is sent as a list of them
# and a code per point.
MAX_CODED_VALUES = 255


def point_columns(records: Iterable[PointFeature]) -> dict[str, Any]:
    """The located records in columns, for a map to draw (geo/point_layer.js),
    not for downloading: one list per coordinate (integers, the degrees times
    10**decimals) and per property, a repeated property as its distinct
    values and a code per point. The same points and properties as
    `point_features` (without those that have no point), about a third of the
    size, read by a browser without an object per point. Records without a
    point are left out."""
    scale = 10**COLUMN_DECIMALS
    lons: list[int] = []
    lats: list[int] = []
    rows: list[Mapping[str, Any]] = []
    for rec in records:
        if rec.lat is None or rec.lon is None:
            continue
        lat, lon = float(rec.lat), float(rec.lon)
        if not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        lons.append(round(lon * scale))
        lats.append(round(lat * scale))
        rows.append(rec.properties)
    names: list[str] = []
    for props in rows:
        names.extend(k for k in props if k not in names)
    columns: dict[str, Any] = {}
    for name in names:
        values = [props.get(name) for props in rows]
        distinct = list(dict.fromkeys(values))
        if len(distinct) <= MAX_CODED_VALUES and len(distinct) * 4 <= len(values):
            code = {v: i for i, v in enumerate(distinct)}
            columns[name] = {"values": distinct, "codes": [code[v] for v in values]}
        else:
            columns[name] = values
    return {
        "type": "PointColumns",
        "count": len(rows),
        "decimals": COLUMN_DECIMALS,
        "lon": lons,
        "lat": lats,
        "properties": columns,
    }


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
