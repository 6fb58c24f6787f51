"""Point-in-area decisions and area writes. Generic: callers pass coordinates,
never a feature's model. Shapely/geopandas stay inside `geo/`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep

from .models import Area


class OutsideSectorError(ValidationError):
    """The point is not inside Sector 6."""


@dataclass(frozen=True)
class _Index:
    sector: PreparedGeometry | None
    zones: tuple[tuple[int, PreparedGeometry], ...]


@lru_cache(maxsize=1)
def _index(version: int) -> _Index:
    sector_area = Area.objects.filter(kind=Area.Kind.SECTOR).first()
    zones = tuple(
        (a.pk, prep(shape(a.geometry)))
        for a in Area.objects.filter(kind=Area.Kind.ZONE).order_by("pk")
    )
    return _Index(sector=prep(shape(sector_area.geometry)) if sector_area else None, zones=zones)


def areas_version() -> int:
    """Changes whenever an area is written (max pk + count is enough: areas are
    replaced, not edited in place, by the import service)."""
    from django.db.models import Count, Max

    agg = Area.objects.aggregate(n=Count("pk"), m=Max("pk"))
    return (agg["m"] or 0) * 100_003 + agg["n"]


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
