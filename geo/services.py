"""Point-in-area decisions and area writes. Generic: callers pass coordinates,
never a feature's model. Shapely/geopandas stay inside `geo/`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep

from ciic.accounts.permissions import require

from .models import Area
from .registry import located_models


class OutsideSectorError(ValidationError):
    """The point is not inside Sector 6."""


@dataclass(frozen=True)
class _Index:
    sector: PreparedGeometry | None
    zones: tuple[tuple[int, PreparedGeometry], ...]


@lru_cache(maxsize=1)
def _index(version: str) -> _Index:
    sector_area = Area.objects.filter(kind=Area.Kind.SECTOR).first()
    zones = tuple(
        (a.pk, prep(shape(a.geometry)))
        for a in Area.objects.filter(kind=Area.Kind.ZONE).order_by("pk")
    )
    return _Index(sector=prep(shape(sector_area.geometry)) if sector_area else None, zones=zones)


def areas_version() -> str:
    """Changes whenever an area is written: areas are replaced (new pks) by the
    import service and every save touches `updated_at`."""
    from django.db.models import Count, Max

    agg = Area.objects.aggregate(n=Count("pk"), m=Max("pk"), u=Max("updated_at"))
    stamp = agg["u"].isoformat() if agg["u"] else "-"
    return f"{agg['n']}:{agg['m'] or 0}:{stamp}"


def area_locate_point(*, latitude: float, longitude: float) -> Area | None:
    """Return the planning zone containing the point (None if no zone covers it),
    or raise OutsideSectorError if the point is outside Sector 6 (or no sector
    boundary is loaded). Points on a boundary count as inside."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("The location is not a valid point."), code="invalid") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(_("The location is not a valid point."), code="invalid")
    idx = _index(areas_version())
    point = Point(lon, lat)
    if idx.sector is None or not idx.sector.covers(point):
        raise OutsideSectorError(
            _("This location is outside Sector 6. Choose a place inside the sector."),
            code="outside_sector",
        )
    for pk, geom in idx.zones:
        if geom.covers(point):
            return Area.objects.get(pk=pk)
    return None


# --- bulk assignment -------------------------------------------------------------

REASSIGN_CHUNK = 1000


def zones_assign_points(
    lons: Sequence[float] | np.ndarray,
    lats: Sequence[float] | np.ndarray,
    zones: Sequence[tuple[int, dict[str, Any]]],
) -> list[int | None]:
    """Vectorised point-in-zone: for each (lon, lat) the id of the zone that
    covers it (boundary counts as inside; on a shared edge the lowest id wins,
    as in `area_locate_point`), or None. `zones` is [(id, GeoJSON geometry)]."""
    import geopandas as gpd  # type: ignore[import-untyped]

    n = len(lons)
    if n == 0:
        return []
    if not zones:
        return [None] * n
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)),
        crs="EPSG:4326",
    )
    polys = gpd.GeoDataFrame(
        {"zone_id": [z for z, _g in zones]},
        geometry=[shape(g) for _z, g in zones],
        crs="EPSG:4326",
    )
    joined = gpd.sjoin(points, polys, how="inner", predicate="covered_by")
    best = np.full(n, -1, dtype=np.int64)
    if len(joined):
        point_idx = joined.index.to_numpy()
        zone_ids = joined["zone_id"].to_numpy(dtype=np.int64)
        order = np.argsort(-zone_ids, kind="stable")  # the smallest id is written last, so it wins
        best[point_idx[order]] = zone_ids[order]
    return [None if z < 0 else int(z) for z in best.tolist()]


def _zone_geometries() -> list[tuple[int, dict[str, Any]]]:
    return list(
        Area.objects.filter(kind=Area.Kind.ZONE).order_by("pk").values_list("pk", "geometry")
    )


@transaction.atomic
def located_records_reassign(*, actor: Any = None) -> dict[str, int]:
    """Recompute the zone of every record of every registered located model
    (`geo.registry.located_models`) from its coordinates, in bulk: one sjoin
    per model, then one UPDATE per (new zone, chunk of ids). Records without
    coordinates keep their zone. Returns {model label: records changed}."""
    from django.apps import apps

    require(actor, "geo.import_areas")

    zones = _zone_geometries()
    changed: dict[str, int] = {}
    for item in located_models:
        model = apps.get_model(item.label)
        zone_attr = f"{item.zone}_id"
        rows = list(
            model._default_manager.filter(
                **{f"{item.lat}__isnull": False, f"{item.lon}__isnull": False}
            ).values_list("pk", item.lat, item.lon, zone_attr)
        )
        if not rows:
            changed[item.label] = 0
            continue
        pks, lats, lons, current = zip(*rows, strict=True)
        new = zones_assign_points(lons, lats, zones)
        groups: dict[int | None, list[Any]] = {}
        for pk, old, zone_id in zip(pks, current, new, strict=True):
            if old != zone_id:
                groups.setdefault(zone_id, []).append(pk)
        count = 0
        for zone_id, ids in groups.items():
            for start in range(0, len(ids), REASSIGN_CHUNK):
                chunk = ids[start : start + REASSIGN_CHUNK]
                count += model._default_manager.filter(pk__in=chunk).update(**{zone_attr: zone_id})
        changed[item.label] = count
    return changed
