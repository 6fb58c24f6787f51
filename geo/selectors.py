"""Reads for maps and downloads."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Area, Place
from .registry import PlaceHit, place_providers
from .text import fold, query_words


def areas_for_map() -> list[Area]:
    """The sector and its zones, sector first, zones by name."""
    return list(Area.objects.order_by("kind", "name"))


def zones_list() -> QuerySet[Area]:
    return Area.objects.filter(kind=Area.Kind.ZONE).order_by("name")


def areas_any_approximate(areas: list[Area]) -> bool:
    return any(a.is_approximate for a in areas if a.kind == Area.Kind.ZONE)


# --- the gazetteer ------------------------------------------------------------------

SEARCH_LIMIT = 8
SEARCH_MAX_LIMIT = 20
SEARCH_MAX_CHARS = 100
_CANDIDATES = 300
_KIND_ORDER = {"coordinates": -2, "proposal": -1, "zone": 0, "metro_station": 1, "park": 2}
_COORDS_RE = re.compile(
    r"^\s*(?P<a>-?\d{1,3}(?:[.,]\d+)?)\s*(?:[,;]\s*|\s+)(?P<b>-?\d{1,3}(?:[.,]\d+)?)\s*$"
)


def _coordinates(query: str) -> tuple[float, float] | None:
    """(lat, lon) if the query is a pair of numbers. Accepts "44.43, 26.02",
    "44,43 26,02" (decimal commas) and the lon-first order near Bucharest."""
    match = _COORDS_RE.match(query)
    if not match:
        return None
    try:
        a = float(match["a"].replace(",", "."))
        b = float(match["b"].replace(",", "."))
    except ValueError:
        return None
    if 20 <= a <= 30 and 40 <= b <= 50:  # "26.02, 44.43": longitude first
        a, b = b, a
    if not (-90 <= a <= 90 and -180 <= b <= 180):
        return None
    return a, b


def _coordinates_hit(lat: float, lon: float) -> PlaceHit:
    from .services import OutsideSectorError, area_locate_point

    detail, inside = "", True
    try:
        area_locate_point(latitude=lat, longitude=lon)
    except OutsideSectorError:
        inside = False
    if inside:
        where = place_describe(latitude=lat, longitude=lon)
        detail = " · ".join(part for part in (where.text, where.zone) if part)
    else:
        detail = str(_("outside Sector 6"))
    return PlaceHit(
        name=f"{lat:.6f}, {lon:.6f}",
        kind="coordinates",
        kind_label=str(_("Coordinates")),
        lat=lat,
        lon=lon,
        detail=detail,
        inside_sector=inside,
    )


def _score(place: Place, words: list[str], folded_query: str) -> tuple[Any, ...]:
    name = fold(place.name)
    name_words = name.split()
    if name == folded_query:
        quality = 0
    elif name.startswith(folded_query) or f" {folded_query}" in f" {name}":
        quality = 1
    elif all(any(nw.startswith(w) for nw in name_words) for w in words):
        quality = 2
    else:
        quality = 3  # matched through an alias or a kind word
    return (quality, _KIND_ORDER.get(place.kind, 3), place.rank, len(place.name), place.name)


def places_search(query: str, *, limit: int = SEARCH_LIMIT) -> list[PlaceHit]:
    """Places whose name (or alias) has a word starting with each word of the
    query, ignoring case and diacritics (ș = ş = s), best first: exact names,
    then names starting with the query, then zones, landmarks and streets by
    importance. Coordinates typed as a query come back as one hit; the
    registered providers (e.g. proposals' references) answer first."""
    query = (query or "").strip()[:SEARCH_MAX_CHARS]
    limit = max(1, min(int(limit), SEARCH_MAX_LIMIT))
    coords = _coordinates(query)
    if coords is not None:
        return [_coordinates_hit(*coords)]
    words = query_words(query)
    if not words or len("".join(words)) < 2:
        return []
    hits: list[PlaceHit] = []
    for provider in place_providers:
        hits.extend(provider(query, limit=limit))
    qs = Place.objects.all()
    for word in words:
        qs = qs.filter(search_key__contains=f" {word}")
    folded_query = " ".join(words)
    candidates = sorted(
        qs.only(
            "name",
            "kind",
            "rank",
            "latitude",
            "longitude",
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
            "area_id",
        )[:_CANDIDATES],
        key=lambda p: _score(p, words, folded_query),
    )
    labels = dict(Place.Kind.choices)
    for place in candidates[: max(0, limit - len(hits))]:
        bbox = (
            (place.min_lon, place.min_lat, place.max_lon, place.max_lat)
            if place.min_lon is not None
            and place.min_lat is not None
            and place.max_lon is not None
            and place.max_lat is not None
            else None
        )
        hits.append(
            PlaceHit(
                name=place.name,
                kind=place.kind,
                kind_label=str(labels.get(place.kind, place.kind)),
                lat=place.latitude,
                lon=place.longitude,
                bbox=bbox,
            )
        )
    return hits[:limit]


# --- what is at a point ---------------------------------------------------------------

NEAR_STREET_M = 25
STREET_RADIUS_M = 400
LANDMARK_RADIUS_M = 600


@dataclass(frozen=True)
class PlaceDescription:
    """Where a point is, in words: the nearest named street (or landmark) and
    its distance, and the planning zone."""

    near: str = ""
    near_kind: str = ""
    distance_m: int = 0
    zone: str = ""

    @property
    def text(self) -> str:
        if not self.near:
            return ""
        if self.near_kind == Place.Kind.STREET and self.distance_m <= NEAR_STREET_M:
            return self.near
        if self.near_kind == Place.Kind.METRO_STATION:
            place = _("metro station %(name)s") % {"name": self.near}
        else:
            place = self.near
        return _("about %(distance)d m from %(place)s") % {
            "distance": self.distance_m,
            "place": place,
        }


def _gazetteer_version() -> str:
    from django.db.models import Count, Max

    agg = Place.objects.aggregate(n=Count("pk"), m=Max("pk"), u=Max("updated_at"))
    stamp = agg["u"].isoformat() if agg["u"] else "-"
    return f"{agg['n']}:{agg['m'] or 0}:{stamp}"


# Metres per degree around Sector 6 (44.43° N): good to a few metres over the sector.
_M_PER_DEG_LAT = 111_130.0
_M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(44.43))


def _to_metres(geom: Any) -> Any:
    import shapely

    return shapely.transform(geom, lambda xy: xy * [_M_PER_DEG_LON, _M_PER_DEG_LAT])


@dataclass(frozen=True)
class _NearIndex:
    streets: Any  # shapely STRtree or None
    street_rows: tuple[tuple[str, str], ...]  # (name, kind) per tree entry
    landmarks: Any
    landmark_rows: tuple[tuple[str, str], ...]


@lru_cache(maxsize=1)
def _near_index(version: str) -> _NearIndex:
    from shapely import STRtree
    from shapely.geometry import Point, shape

    street_geoms, street_names, marks, mark_rows = [], [], [], []
    for p in Place.objects.exclude(kind=Place.Kind.ZONE).only(
        "name", "kind", "geometry", "latitude", "longitude"
    ):
        geom = shape(p.geometry) if p.geometry else Point(p.longitude, p.latitude)
        geom = _to_metres(geom)
        if p.kind == Place.Kind.STREET:
            street_geoms.append(geom)
            street_names.append(p.name)
        else:
            marks.append(geom)
            mark_rows.append((p.name, p.kind))
    return _NearIndex(
        streets=STRtree(street_geoms) if street_geoms else None,
        street_rows=tuple((name, str(Place.Kind.STREET)) for name in street_names),
        landmarks=STRtree(marks) if marks else None,
        landmark_rows=tuple(mark_rows),
    )


def place_describe(*, latitude: float, longitude: float) -> PlaceDescription:
    """The nearest named street within STREET_RADIUS_M (else the nearest
    metro station or park within LANDMARK_RADIUS_M) and the zone of a point."""
    from shapely.geometry import Point

    from .services import OutsideSectorError, area_locate_point

    try:
        zone = area_locate_point(latitude=latitude, longitude=longitude)
    except (OutsideSectorError, ValidationError):
        zone = None
    zone_name = zone.name if zone else ""
    idx = _near_index(_gazetteer_version())
    point = _to_metres(Point(float(longitude), float(latitude)))
    for tree, rows, radius in (
        (idx.streets, idx.street_rows, STREET_RADIUS_M),
        (idx.landmarks, idx.landmark_rows, LANDMARK_RADIUS_M),
    ):
        if tree is None:
            continue
        indices, distances = tree.query_nearest(point, max_distance=radius, return_distance=True)
        if len(indices):
            name, kind = rows[int(indices[0])]
            dist = float(distances[0])
            rounded = int(round(dist / 10.0) * 10) if dist > NEAR_STREET_M else int(round(dist))
            return PlaceDescription(near=name, near_kind=kind, distance_m=rounded, zone=zone_name)
    return PlaceDescription(zone=zone_name)
