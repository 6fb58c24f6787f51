"""The gazetteer: the names a resident can type to move a map.

Filled from three sources, each replaceable on its own:
- OpenStreetMap (`Place.Source.OSM`): the named streets, metro stations and
  parks of the shipped street layer (`geo/static/geo/osm/`), loaded by
  `gazetteer_osm_load` (after `migrate` on an empty table, by `seed_demo`, by
  `manage.py build_gazetteer`);
- the planning zones (`Place.Source.ZONES`), kept in step with the areas by
  `gazetteer_zones_sync` (called by the default areas and the areas import);
- a register imported by staff (`Place.Source.REGISTER`, `manage.py
  import_gazetteer`): the council's street register with coordinates, as CSV
  or GeoJSON, all or nothing. It replaces the open data of the kinds it holds
  (a street register replaces the OSM streets and keeps the metro stations).

Proposals' references are not stored here: the proposals app answers them
through `geo.registry.place_providers`."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ciic.accounts.permissions import require

from .models import Area, Place
from .streets import PLACES_FILE, STREETS_FILE, read_layer
from .text import fold, search_key

# Words added to a place's search key, by kind (folded, Romanian and English).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    Place.Kind.METRO_STATION: ("metrou", "metroul", "metro", "statia", "statie", "station"),
    Place.Kind.PARK: ("parc", "parcul", "park", "gradina"),
    Place.Kind.ZONE: ("zona", "cartier", "cartierul"),
    Place.Kind.STREET: (),
    Place.Kind.LANDMARK: (),
}
KIND_RANK = {
    Place.Kind.ZONE: 0,
    Place.Kind.METRO_STATION: 1,
    Place.Kind.PARK: 2,
    Place.Kind.STREET: 3,
    Place.Kind.LANDMARK: 4,
}
# Importance of a street by its best drawing class (lower first).
_CLASS_RANK = {"motorway": 1, "primary": 1, "secondary": 2, "tertiary": 3, "minor": 4}


# --- building rows -------------------------------------------------------------------


def _line_anchor(geom: Any) -> tuple[float, float]:
    """(lat, lon) of the middle of the longest chain of a (multi)line."""
    import shapely

    merged = shapely.line_merge(geom) if geom.geom_type == "MultiLineString" else geom
    parts = list(getattr(merged, "geoms", [merged]))
    longest = max(parts, key=lambda p: p.length)
    pt = longest.interpolate(0.5, normalized=True)
    return pt.y, pt.x


def _anchor(geom: Any) -> tuple[float, float]:
    if geom.geom_type in {"LineString", "MultiLineString"}:
        return _line_anchor(geom)
    if geom.geom_type == "Point":
        return geom.y, geom.x
    if geom.geom_type == "MultiPoint":
        centre = geom.centroid
        nearest = min(geom.geoms, key=lambda p: p.distance(centre))
        return nearest.y, nearest.x
    pt = geom.representative_point()
    return pt.y, pt.x


def _place_fields(
    *, name: str, kind: str, geom: Any, rank: int, aliases: Iterable[str] = ()
) -> dict[str, Any]:
    from shapely.geometry import mapping

    lat, lon = _anchor(geom)
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    has_extent = (max_lon - min_lon) > 1e-6 or (max_lat - min_lat) > 1e-6
    keep_geometry = geom.geom_type not in {"Polygon", "MultiPolygon"}
    return {
        "name": name,
        "kind": kind,
        "search_key": search_key(name, *aliases, *KIND_WORDS.get(kind, ())),
        "latitude": round(lat, 6),
        "longitude": round(lon, 6),
        "min_lon": round(min_lon, 6) if has_extent else None,
        "min_lat": round(min_lat, 6) if has_extent else None,
        "max_lon": round(max_lon, 6) if has_extent else None,
        "max_lat": round(max_lat, 6) if has_extent else None,
        "geometry": mapping(geom) if keep_geometry else None,
        "rank": rank,
    }


@lru_cache(maxsize=1)
def _osm_rows() -> tuple[dict[str, Any], ...]:
    """Place rows from the shipped street layer (pure, cached per process)."""
    from shapely.geometry import MultiLineString, Point, shape

    by_name: dict[str, list[Any]] = {}
    best_class: dict[str, int] = {}
    for feature in read_layer(STREETS_FILE)["features"]:
        name = (feature["properties"].get("name") or "").strip()
        if not name:
            continue
        cls = feature["properties"].get("class", "minor")
        by_name.setdefault(name, []).extend(shape(feature["geometry"]).geoms)
        best_class[name] = min(best_class.get(name, 99), _CLASS_RANK.get(cls, 4))
    rows = [
        _place_fields(
            name=name,
            kind=Place.Kind.STREET,
            geom=MultiLineString(parts),
            rank=best_class[name],
        )
        for name, parts in sorted(by_name.items())
    ]
    for feature in read_layer(PLACES_FILE)["features"]:
        kind, name = feature["properties"]["kind"], feature["properties"]["name"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        rows.append(_place_fields(name=name, kind=kind, geom=Point(lon, lat), rank=2))
    return tuple(rows)


def _create(rows: Iterable[dict[str, Any]], *, source: str) -> list[Place]:
    places = []
    for row in rows:
        place = Place(source=source, **row)
        place.full_clean(validate_unique=False, validate_constraints=False)
        places.append(place)
    return Place.objects.bulk_create(places, batch_size=500)


@transaction.atomic
def gazetteer_osm_load() -> int:
    """(Re)load the OpenStreetMap entries, except for the kinds an imported
    register already provides. Returns the number of entries written."""
    registered = set(
        Place.objects.filter(source=Place.Source.REGISTER).values_list("kind", flat=True)
    )
    Place.objects.filter(source=Place.Source.OSM).delete()
    rows = [r for r in _osm_rows() if r["kind"] not in registered]
    return len(_create(rows, source=Place.Source.OSM))


@transaction.atomic
def gazetteer_zones_sync() -> int:
    """Make the zone entries match the planning zones (names, label points)."""
    from shapely.geometry import shape

    from .maps import label_point

    Place.objects.filter(source=Place.Source.ZONES).delete()
    places = []
    for area in Area.objects.filter(kind=Area.Kind.ZONE).order_by("name"):
        pt = label_point(shape(area.geometry))
        places.append(
            Place(
                source=Place.Source.ZONES,
                kind=Place.Kind.ZONE,
                name=area.name,
                search_key=search_key(area.name, *KIND_WORDS[Place.Kind.ZONE]),
                latitude=round(pt.y, 6),
                longitude=round(pt.x, 6),
                min_lon=area.min_lon,
                min_lat=area.min_lat,
                max_lon=area.max_lon,
                max_lat=area.max_lat,
                rank=0,
                area=area,
            )
        )
    return len(Place.objects.bulk_create(places))


def gazetteer_fill_if_empty() -> None:
    """After `migrate` (and after a test flush): an empty gazetteer gets the
    open data and the current zones. Never touches a filled one."""
    if Place.objects.exists():
        return
    gazetteer_osm_load()
    gazetteer_zones_sync()


# --- importing a register ------------------------------------------------------------

MAX_ROWS = 20_000
MAX_ERRORS_LISTED = 20
MAX_FILE_BYTES = 20 * 1024 * 1024
SECTOR_MARGIN_M = 300.0  # registers list border streets that run along the limit

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "denumire", "nume", "denumirea"),
    "type": ("type", "tip", "tip artera", "tipul"),
    "kind": ("kind", "categorie", "fel"),
    "lat": ("lat", "latitude", "latitudine"),
    "lon": ("lon", "lng", "long", "longitude", "longitudine"),
    "x": ("x", "est", "easting"),
    "y": ("y", "nord", "northing"),
    "alt_names": ("alt names", "alt_names", "aliases", "alias", "alte denumiri"),
}
KIND_VALUES: dict[str, str] = {
    "street": Place.Kind.STREET,
    "strada": Place.Kind.STREET,
    "artera": Place.Kind.STREET,
    "metro station": Place.Kind.METRO_STATION,
    "metro_station": Place.Kind.METRO_STATION,
    "statie metrou": Place.Kind.METRO_STATION,
    "metrou": Place.Kind.METRO_STATION,
    "park": Place.Kind.PARK,
    "parc": Place.Kind.PARK,
    "landmark": Place.Kind.LANDMARK,
    "place": Place.Kind.LANDMARK,
    "loc": Place.Kind.LANDMARK,
    "obiectiv": Place.Kind.LANDMARK,
}


@dataclass
class GazetteerImportReport:
    ok: bool = False
    errors: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    replaced: int = 0

    def as_text(self) -> str:
        if self.ok:
            lines = [
                _("Imported %(count)d place(s); %(replaced)d earlier entries were replaced.")
                % {"count": sum(self.created.values()), "replaced": self.replaced}
            ]
            labels = dict(Place.Kind.choices)
            lines.extend(
                f"- {labels.get(kind, kind)}: {count}"
                for kind, count in sorted(self.created.items())
            )
            return "\n".join(lines)
        lines = [_("Nothing was imported. Fix these problems and try again:")]
        lines.extend(f"- {e}" for e in self.errors)
        return "\n".join(lines)


class GazetteerImportError(Exception):
    def __init__(self, report: GazetteerImportReport) -> None:
        super().__init__("\n".join(report.errors))
        self.report = report


@dataclass
class _Row:
    where: str  # "line 7" / "feature 3", translated
    number: int  # the line or feature number, to sort the report
    name: str
    kind: str
    geom: Any
    aliases: list[str]


class _Problems:
    """Problems found in a file, reported in the order of its lines."""

    def __init__(self) -> None:
        self._items: list[tuple[int, int, str]] = []

    def add(self, where: str, message: str, *, number: int = 0) -> None:
        self._items.append((number, len(self._items), f"{where}: {message}"))

    @property
    def items(self) -> list[str]:
        return [text for _n, _i, text in sorted(self._items)]


def _sector_limit() -> Any | None:
    """The sector, widened by SECTOR_MARGIN_M, in WGS84 (None if not loaded)."""
    import geopandas as gpd  # type: ignore[import-untyped]
    from shapely.geometry import shape

    sector = Area.objects.filter(kind=Area.Kind.SECTOR).first()
    if sector is None:
        return None
    series = gpd.GeoSeries([shape(sector.geometry)], crs="EPSG:4326")
    return series.to_crs("EPSG:3844").buffer(SECTOR_MARGIN_M).to_crs("EPSG:4326").iloc[0]


def _transformer(crs: str) -> Any:
    from pyproj import CRS, Transformer

    return Transformer.from_crs(CRS.from_user_input(crs), "EPSG:4326", always_xy=True)


def _number(raw: str) -> float | None:
    text = (raw or "").strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # Romanian decimal comma
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _kind(raw: str, where: str, problems: _Problems, number: int) -> str | None:
    value = fold(raw or "")
    if not value:
        return Place.Kind.STREET
    kind = KIND_VALUES.get(value) or KIND_VALUES.get(value.replace(" ", "_"))
    if kind is None:
        problems.add(
            where,
            _("unknown kind “%(value)s” (use street, metro_station, park or landmark).")
            % {"value": raw},
            number=number,
        )
    return kind


def _full_name(name: str, street_type: str) -> str:
    name, street_type = name.strip(), (street_type or "").strip()
    if street_type and not fold(name).startswith(fold(street_type)):
        return f"{street_type} {name}"
    return name


def _aliases(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(a).strip() for a in raw if str(a).strip()]
    text = str(raw or "").replace("|", ";")
    return [a.strip() for a in text.split(";") if a.strip()]


def _read_csv(body: str, *, crs: str, problems: _Problems) -> list[_Row]:
    sample = body[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(body), dialect)
    try:
        header = next(reader)
    except StopIteration:
        problems.add(_("line %(n)d") % {"n": 1}, _("the file is empty."))
        return []
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = fold(title)
        for canonical, aliases in COLUMN_ALIASES.items():
            if key in aliases and canonical not in columns:
                columns[canonical] = index
    projected = crs.upper() not in {"EPSG:4326", "WGS84", "CRS84", "OGC:CRS84"}
    need = ["name", "x", "y"] if projected else ["name", "lat", "lon"]
    missing = [c for c in need if c not in columns]
    if missing:
        problems.add(
            _("line %(n)d") % {"n": 1},
            _("missing column(s): %(missing)s. Columns found: %(found)s.")
            % {"missing": ", ".join(missing), "found": ", ".join(header) or "—"},
        )
        return []
    to_wgs84 = _transformer(crs) if projected else None
    from shapely.geometry import Point

    labels = (
        {"x": _("the x coordinate"), "y": _("the y coordinate")}
        if projected
        else {"lat": _("the latitude"), "lon": _("the longitude")}
    )
    rows: list[_Row] = []
    last_line = reader.line_num
    for record in reader:
        number, last_line = last_line + 1, reader.line_num  # a record may span lines
        where = _("line %(n)d") % {"n": number}
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) >= MAX_ROWS:
            problems.add(where, _("more than %(max)d rows.") % {"max": MAX_ROWS}, number=number)
            break

        def cell(column: str, record: list[str] = record) -> str:
            index = columns.get(column)
            return record[index] if index is not None and index < len(record) else ""

        name = _full_name(cell("name"), cell("type"))
        kind = _kind(cell("kind"), where, problems, number)
        if not name:
            problems.add(where, _("the name is empty."), number=number)
        elif len(name) > 200:
            problems.add(where, _("the name is longer than 200 characters."), number=number)
        first, second = ("x", "y") if projected else ("lon", "lat")
        values = {}
        for column in (second, first):
            values[column] = _number(cell(column))
            if values[column] is None:
                problems.add(
                    where,
                    _("%(what)s “%(value)s” is not a number.")
                    % {"what": labels[column], "value": cell(column)},
                    number=number,
                )
        a, b = values[first], values[second]
        if a is None or b is None:
            continue
        if to_wgs84 is not None:
            a, b = to_wgs84.transform(a, b)
        if not (-180 <= a <= 180 and -90 <= b <= 90):
            problems.add(where, _("the coordinates are outside the globe."), number=number)
            continue
        if kind is not None and name:
            rows.append(_Row(where, number, name, kind, Point(a, b), _aliases(cell("alt_names"))))
    return rows


def _geojson_crs(data: dict[str, Any]) -> str | None:
    crs = data.get("crs")
    if not isinstance(crs, dict):
        return None
    name = str((crs.get("properties") or {}).get("name") or "")
    if not name or name.upper().endswith(("CRS84", "EPSG::4326", "EPSG:4326")):
        return None
    return name


def _read_geojson(body: str, *, problems: _Problems) -> list[_Row]:
    from shapely.geometry import shape

    from .streets import reproject

    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        problems.add(
            _("line %(n)d") % {"n": exc.lineno},
            _("this is not valid JSON (%(msg)s).") % {"msg": exc.msg},
        )
        return []
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        problems.add(_("line %(n)d") % {"n": 1}, _("the file is not a GeoJSON FeatureCollection."))
        return []
    features = data.get("features")
    if not isinstance(features, list) or not features:
        problems.add(_("line %(n)d") % {"n": 1}, _("the file holds no features."))
        return []
    if len(features) > MAX_ROWS:
        problems.add(
            _("line %(n)d") % {"n": 1},
            _("the file holds %(count)d features; at most %(max)d are accepted.")
            % {"count": len(features), "max": MAX_ROWS},
        )
        return []
    crs = _geojson_crs(data)
    project = None
    if crs:
        from pyproj.exceptions import CRSError

        try:
            project = reproject(_transformer(crs))
        except CRSError:
            problems.add(
                _("line %(n)d") % {"n": 1},
                _("the coordinate system “%(crs)s” is not known.") % {"crs": crs},
            )
            return []
    allowed = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
    rows: list[_Row] = []
    for number, feature in enumerate(features, start=1):
        where = _("feature %(n)d") % {"n": number}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.add(where, _("this is not a GeoJSON Feature."), number=number)
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        folded = {fold(str(k)): v for k, v in props.items()}

        def prop(column: str, folded: dict[str, Any] = folded) -> Any:
            for alias in COLUMN_ALIASES[column]:
                if alias in folded and folded[alias] not in (None, ""):
                    return folded[alias]
            return ""

        name = _full_name(str(prop("name")), str(prop("type")))
        kind = _kind(str(prop("kind")), where, problems, number)
        if not name:
            problems.add(where, _("the name is empty."), number=number)
        elif len(name) > 200:
            problems.add(where, _("the name is longer than 200 characters."), number=number)
        try:
            geom = shape(feature.get("geometry") or {})
        except Exception:  # shapely raises several types for malformed geometry
            problems.add(where, _("the geometry is missing or malformed."), number=number)
            continue
        if geom.is_empty or geom.geom_type not in allowed:
            problems.add(
                where,
                _("the geometry must be a point, a line or a polygon, not “%(type)s”.")
                % {"type": geom.geom_type},
                number=number,
            )
            continue
        if project is not None:
            geom = project(geom)
        minx, miny, maxx, maxy = geom.bounds
        if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)) or not (
            -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
        ):
            problems.add(where, _("the coordinates are outside the globe."), number=number)
            continue
        if kind is not None and name:
            rows.append(_Row(where, number, name, kind, geom, _aliases(prop("alt_names"))))
    return rows


def _merge_and_check(rows: list[_Row], *, merge: bool, problems: _Problems) -> list[dict[str, Any]]:
    """One entry per (kind, name). CSV rows are one place each, so a repeated
    name is a mistake; GeoJSON features of the same name are the segments of
    one street and are merged."""
    from shapely.ops import unary_union

    limit = _sector_limit()
    if limit is None:
        problems.add(_("line %(n)d") % {"n": 1}, _("load the Sector 6 boundary first."))
        return []
    first_seen: dict[tuple[str, str], _Row] = {}
    grouped: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        if not limit.intersects(row.geom):
            problems.add(
                row.where,
                _("“%(name)s” is outside Sector 6.") % {"name": row.name},
                number=row.number,
            )
            continue
        key = (row.kind, fold(row.name))
        if key in first_seen and not merge:
            problems.add(
                row.where,
                _("“%(name)s” is already on %(where)s.")
                % {"name": row.name, "where": first_seen[key].where},
                number=row.number,
            )
            continue
        first_seen.setdefault(key, row)
        grouped.setdefault(key, []).append(row)
    out = []
    for group in grouped.values():
        geom = group[0].geom if len(group) == 1 else unary_union([r.geom for r in group])
        aliases = [a for r in group for a in r.aliases]
        kind = group[0].kind
        out.append(
            _place_fields(
                name=group[0].name,
                kind=kind,
                geom=geom,
                rank=3 if kind == Place.Kind.STREET else 2,
                aliases=aliases,
            )
        )
    return out


def gazetteer_import(
    *, actor: Any, path: str | Path, crs: str = "EPSG:4326", source: str = ""
) -> GazetteerImportReport:
    """Replace the gazetteer entries of the kinds in the file with the file's
    (a .csv with name + lat/lon, or x/y in `crs`; or a .geojson / .json
    FeatureCollection), or change nothing. Raises GazetteerImportError."""
    require(actor, "geo.import_gazetteer")
    report = GazetteerImportReport()
    problems = _Problems()
    path = Path(path)
    suffix = path.suffix.lower()
    rows: list[_Row] = []
    if suffix not in {".csv", ".geojson", ".json"}:
        report.errors.append(
            _("Unsupported file type “%(suffix)s”: use .csv or .geojson.")
            % {"suffix": suffix or "?"}
        )
        raise GazetteerImportError(report)
    if not path.is_file():
        report.errors.append(_("File not found: %(path)s") % {"path": path.name})
        raise GazetteerImportError(report)
    if path.stat().st_size > MAX_FILE_BYTES:
        report.errors.append(_("The file is larger than 20 MB."))
        raise GazetteerImportError(report)
    try:
        body = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        report.errors.append(
            _("line %(n)d: the file is not UTF-8 text. Save it as CSV UTF-8 and try again.")
            % {"n": line}
        )
        raise GazetteerImportError(report) from exc
    if suffix == ".csv":
        from pyproj.exceptions import CRSError

        try:
            rows = _read_csv(body, crs=crs, problems=problems)
        except CRSError:
            problems.add(
                _("line %(n)d") % {"n": 1},
                _("the coordinate system “%(crs)s” is not known.") % {"crs": crs},
            )
    else:
        rows = _read_geojson(body, problems=problems)
    entries = _merge_and_check(rows, merge=suffix != ".csv", problems=problems) if rows else []
    if not problems.items and not entries:
        problems.add(_("line %(n)d") % {"n": 1}, _("the file holds no places."))
    if problems.items:
        report.errors.extend(problems.items[:MAX_ERRORS_LISTED])
        if len(problems.items) > MAX_ERRORS_LISTED:
            report.errors.append(
                _("… and %(count)d more problems.")
                % {"count": len(problems.items) - MAX_ERRORS_LISTED}
            )
        raise GazetteerImportError(report)
    _write_register(actor=actor, entries=entries, path=path, source=source, report=report)
    report.ok = True
    return report


@transaction.atomic
def _write_register(
    *,
    actor: Any,
    entries: list[dict[str, Any]],
    path: Path,
    source: str,
    report: GazetteerImportReport,
) -> None:
    from ciic.audit import events
    from ciic.audit.services import event_record

    kinds = sorted({e["kind"] for e in entries})
    stale = Place.objects.filter(
        kind__in=kinds, source__in=[Place.Source.OSM, Place.Source.REGISTER]
    )
    before = {k: stale.filter(kind=k).count() for k in kinds}
    report.replaced = stale.delete()[0]
    created = _create(entries, source=Place.Source.REGISTER)
    for place in created:
        report.created[place.kind] = report.created.get(place.kind, 0) + 1
    event_record(
        actor=actor,
        action=events.GEO_GAZETTEER_IMPORTED,
        obj=created[0],
        before={"entries": before},
        after={"entries": report.created, "file": path.name, "source": source[:300]},
    )


@transaction.atomic
def gazetteer_reset(*, actor: Any) -> int:
    """Drop an imported register and go back to the open data and the zones."""
    from ciic.audit import events
    from ciic.audit.services import event_record

    require(actor, "geo.import_gazetteer")

    dropped = Place.objects.filter(source=Place.Source.REGISTER).delete()[0]
    count = gazetteer_osm_load() + gazetteer_zones_sync()
    first = Place.objects.order_by("pk").first()
    if first is not None:
        event_record(
            actor=actor,
            action=events.GEO_GAZETTEER_RESET,
            obj=first,
            before={"register_entries": dropped},
            after={"entries": count},
        )
    return count
