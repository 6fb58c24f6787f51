"""Importing official boundaries (sector or planning zones) from a GeoJSON,
GeoPackage or shapefile, all or nothing.

`areas_import` checks the whole file first and writes nothing unless every
feature passes: readable geo file, a coordinate reference system (reprojected
to WGS84), the name column present and filled, unique names, polygons only,
valid geometries, zones inside the sector (a sliver of up to
`OUTSIDE_TOLERANCE` of a zone's area, e.g. from digitising, is clipped off)
and no two zones overlapping by more than `OVERLAP_TOLERANCE_M2`. Then, in one
transaction, the areas of that kind are replaced, every registered located
record is re-assigned to its new zone, an audit event is written and the map
caches are bumped."""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.errors import GEOSException

from ciic.accounts.permissions import require
from ciic.cache import content_changed

from .gazetteer import gazetteer_zones_sync
from .models import Area
from .registry import located_models
from .services import located_records_reassign

# Stereo70, the Romanian national projection: areas in square metres.
METRIC_CRS = "EPSG:3844"
OUTSIDE_TOLERANCE = 0.005  # share of a zone's area allowed outside the sector
OVERLAP_TOLERANCE_M2 = 10.0
MAX_FEATURES = 500
MAX_ERRORS_LISTED = 20
ALLOWED_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip"}


@dataclass
class ImportReport:
    kind: str
    ok: bool = False
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    source_crs: str = ""
    reassigned: dict[str, int] = field(default_factory=dict)

    def as_text(self) -> str:
        lines = []
        if self.ok:
            lines.append(
                _("Imported %(count)d area(s) of kind “%(kind)s”.")
                % {"count": len(self.created), "kind": self.kind}
            )
            for label, count in self.reassigned.items():
                lines.append(
                    _("%(label)s: %(count)d located record(s) re-assigned to the new zones.")
                    % {"label": label, "count": count}
                )
        else:
            lines.append(_("Nothing was imported. Fix these problems and try again:"))
        lines.extend(f"- {e}" for e in self.errors)
        lines.extend(f"! {w}" for w in self.warnings)
        return "\n".join(lines)


class AreaImportError(ValidationError):
    """The file was refused; `.report` says why."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.errors, code="area_import")
        self.report = report


def _read(path: Path, report: ImportReport) -> Any:
    import geopandas as gpd  # type: ignore[import-untyped]
    import pyogrio  # type: ignore[import-untyped]

    if path.suffix.lower() not in ALLOWED_SUFFIXES:
        report.errors.append(
            _("Unsupported file type “%(suffix)s”: use GeoJSON, GeoPackage or a shapefile.")
            % {"suffix": path.suffix or "?"}
        )
        return None
    target = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's; we report our own
            # A geometry GEOS cannot build (an unclosed ring) becomes None here
            # instead of failing the whole file; `_unreadable` says why.
            gdf = gpd.read_file(target, engine="pyogrio", on_invalid="ignore")
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        GEOSException,
        OSError,
        ValueError,
    ):
        report.errors.append(
            _("The file could not be read as geographic data (GeoJSON, GeoPackage or shapefile).")
        )
        return None
    if len(gdf) == 0:
        report.errors.append(_("The file holds no features."))
        return None
    if len(gdf) > MAX_FEATURES:
        report.errors.append(
            _("The file holds %(count)d features; at most %(max)d are accepted.")
            % {"count": len(gdf), "max": MAX_FEATURES}
        )
        return None
    if gdf.crs is None:
        report.errors.append(
            _(
                "The file declares no coordinate reference system (for a shapefile, the .prj "
                "file is missing). Export it again with its CRS."
            )
        )
        return None
    report.source_crs = gdf.crs.to_string()
    gdf.attrs["unreadable"] = _unreadable(target, gdf) if gdf.geometry.isna().any() else {}
    try:
        return gdf.to_crs("EPSG:4326")
    except Exception:  # pyproj errors on exotic or broken CRS definitions
        report.errors.append(
            _("The coordinates could not be converted from %(crs)s to WGS84.")
            % {"crs": report.source_crs}
        )
        return None


def _unreadable(target: str, gdf: Any) -> dict[int, str]:
    """For each feature (numbered from 1) whose geometry is in the file but
    could not be built, the reason, in the resident's language."""
    import pyogrio
    import shapely

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            wkbs = pyogrio.raw.read(target, columns=[])[2]
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError):
            return {}
    reasons: dict[int, str] = {}
    for pos, (geom, wkb) in enumerate(zip(gdf.geometry, wkbs, strict=False), start=1):
        if geom is not None or wkb is None:
            continue
        try:
            shapely.from_wkb(wkb)
        except GEOSException as exc:
            reasons[pos] = _geos_reason(str(exc))
        else:  # pragma: no cover - read_file built what from_wkb builds
            reasons[pos] = _("the geometry cannot be read")
    return reasons


def _geos_reason(text: str) -> str:
    """GEOS's explanation of an invalid or unbuildable geometry, translated,
    with the place it points at when there is one ("… near 26.03, 44.42")."""
    lowered = text.lower()
    reason = next((r for key, r in _GEOS_REASONS if key in lowered), None)
    if reason is None:
        return _("the geometry is invalid (%(detail)s)") % {"detail": text.strip()[:200]}
    found = re.search(r"\[\s*([^\s\]]+)\s+([^\s\]]+)", text)
    if found:
        try:
            lon, lat = float(found[1]), float(found[2])
        except ValueError:
            lon = lat = math.nan
        if math.isfinite(lon) and math.isfinite(lat):
            return _("%(reason)s, near %(lon).5f, %(lat).5f") % {
                "reason": reason,
                "lon": lon,
                "lat": lat,
            }
    return str(reason)


# GEOS messages (is_valid_reason, or the error building a ring), most specific first.
_GEOS_REASONS = [
    (
        "do not form a closed linestring",
        gettext_lazy("a ring is not closed (its first and last points differ)"),
    ),
    ("ring is not closed", gettext_lazy("a ring is not closed (its first and last points differ)")),
    (
        "invalid number of points in linearring",
        gettext_lazy("a ring has too few points (at least 4, the last one equal to the first)"),
    ),
    (
        "point array must contain",
        gettext_lazy("a ring has too few points (at least 4, the last one equal to the first)"),
    ),
    (
        "too few points",
        gettext_lazy("a ring has too few points (at least 4, the last one equal to the first)"),
    ),
    ("invalid coordinate", gettext_lazy("a coordinate is not a number (NaN or infinite)")),
    ("ring self-intersection", gettext_lazy("a ring touches itself")),
    ("self-intersection", gettext_lazy("its outline crosses itself")),
    ("hole lies outside shell", gettext_lazy("a hole lies outside its polygon")),
    ("nested holes", gettext_lazy("a hole lies inside another hole")),
    ("interior is disconnected", gettext_lazy("its holes cut the polygon in pieces")),
    ("nested shells", gettext_lazy("one part of the multipolygon lies inside another")),
    ("duplicate rings", gettext_lazy("a ring appears twice")),
]


def _listed(report: ImportReport, messages: list[str]) -> None:
    report.errors.extend(messages[:MAX_ERRORS_LISTED])
    if len(messages) > MAX_ERRORS_LISTED:
        report.errors.append(
            _("… and %(count)d more problems of the same kind.")
            % {"count": len(messages) - MAX_ERRORS_LISTED}
        )


def _check(
    gdf: Any, *, kind: str, name_field: str, population_field: str | None, report: ImportReport
) -> list[dict[str, Any]] | None:
    """Validate every feature; return the rows to write, or None (errors in report)."""
    from shapely import is_valid_reason
    from shapely.geometry import shape
    from shapely.geometry.base import BaseGeometry

    unreadable: dict[int, str] = gdf.attrs.get("unreadable", {})

    columns = [c for c in gdf.columns if c != "geometry"]
    if name_field not in gdf.columns:
        report.errors.append(
            _("The name column “%(field)s” is missing. Columns in the file: %(columns)s.")
            % {"field": name_field, "columns": ", ".join(map(str, columns)) or "—"}
        )
        return None
    if population_field and population_field not in gdf.columns:
        report.errors.append(
            _("The population column “%(field)s” is missing. Columns in the file: %(columns)s.")
            % {"field": population_field, "columns": ", ".join(map(str, columns)) or "—"}
        )
        return None
    if kind == Area.Kind.SECTOR and len(gdf) != 1:
        report.errors.append(
            _("A sector file must hold exactly one feature; this one holds %(count)d.")
            % {"count": len(gdf)}
        )
        return None

    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen_names: dict[str, int] = {}
    for pos, (_idx, rec) in enumerate(gdf.iterrows(), start=1):
        raw_name = rec[name_field]
        name = (
            ""
            if raw_name is None or (isinstance(raw_name, float) and math.isnan(raw_name))
            else str(raw_name).strip()
        )
        label = name or _("feature %(n)d") % {"n": pos}
        if not name:
            problems.append(_("Feature %(n)d has an empty name.") % {"n": pos})
        elif len(name) > 120:
            problems.append(
                _("“%(name)s”: the name is longer than 120 characters.") % {"name": name[:60]}
            )
        elif name.casefold() in seen_names:
            problems.append(
                _("“%(name)s” appears twice (features %(a)d and %(b)d).")
                % {"name": name, "a": seen_names[name.casefold()], "b": pos}
            )
        else:
            seen_names[name.casefold()] = pos
        geom = rec.geometry
        which = {"n": pos, "name": label}
        if pos in unreadable:
            problems.append(
                _("Feature %(n)d (“%(name)s”) has an invalid geometry: %(reason)s.")
                % {**which, "reason": unreadable[pos]}
            )
            continue
        if not isinstance(geom, BaseGeometry) or geom.is_empty:  # None, or NaN in a column
            problems.append(
                _(
                    "Feature %(n)d (“%(name)s”) has no geometry, or its coordinates cannot be "
                    "read (each point must be a pair of numbers: longitude, latitude)."
                )
                % which
            )
            continue
        if geom.geom_type not in {"Polygon", "MultiPolygon"}:
            problems.append(
                _("Feature %(n)d (“%(name)s”) is a %(type)s; only polygons are accepted.")
                % {**which, "type": geom.geom_type}
            )
            continue
        if not geom.is_valid:
            problems.append(
                _("Feature %(n)d (“%(name)s”) has an invalid geometry: %(reason)s.")
                % {**which, "reason": _geos_reason(is_valid_reason(geom))}
            )
            continue
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            problems.append(
                _("Feature %(n)d (“%(name)s”) has coordinates outside the globe.") % which
            )
            continue
        population: int | None = None
        if population_field:
            raw_pop = rec[population_field]
            if raw_pop is not None and not (isinstance(raw_pop, float) and math.isnan(raw_pop)):
                try:
                    pop_value = float(raw_pop)
                except (TypeError, ValueError):
                    pop_value = -1.0
                if pop_value < 0 or not pop_value.is_integer():
                    problems.append(
                        _("“%(name)s”: the population “%(value)s” is not a whole number ≥ 0.")
                        % {"name": label, "value": raw_pop}
                    )
                else:
                    population = int(pop_value)
        rows.append({"name": name, "geometry": geom, "adult_population": population})

    if problems:
        _listed(report, problems)
        return None

    if kind == Area.Kind.ZONE:
        sector = Area.objects.filter(kind=Area.Kind.SECTOR).first()
        if sector is None:
            report.errors.append(_("Import the sector boundary before its zones."))
            return None
        if not _check_zones(rows, shape(sector.geometry), report):
            return None
    return rows


def _check_zones(rows: list[dict[str, Any]], sector_geom: Any, report: ImportReport) -> bool:
    import geopandas as gpd

    zones = gpd.GeoSeries([r["geometry"] for r in rows], crs="EPSG:4326")
    metric = zones.to_crs(METRIC_CRS)
    sector_m = gpd.GeoSeries([sector_geom], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    problems: list[str] = []
    for i, row in enumerate(rows):
        geom_m = metric.iloc[i]
        area = geom_m.area
        outside = geom_m.difference(sector_m).area
        share = outside / area if area else 1.0
        if share > OUTSIDE_TOLERANCE:
            problems.append(
                _("“%(name)s” lies outside Sector 6 (%(share).1f%% of its area).")
                % {"name": row["name"], "share": share * 100}
            )
    tree_pairs = metric.sindex.query(metric, predicate="intersects")
    for a, b in zip(*tree_pairs, strict=True):
        if a >= b:
            continue
        overlap = metric.iloc[a].intersection(metric.iloc[b]).area
        if overlap > OVERLAP_TOLERANCE_M2:
            problems.append(
                _("“%(a)s” and “%(b)s” overlap (%(m2).0f m²).")
                % {"a": rows[a]["name"], "b": rows[b]["name"], "m2": overlap}
            )
    if problems:
        _listed(report, problems)
        return False
    covered = metric.union_all().area / sector_m.area if sector_m.area else 0
    if covered < 0.99:
        report.warnings.append(
            _("The zones cover %(pct).1f%% of the sector; places outside every zone get no zone.")
            % {"pct": covered * 100}
        )
    # Clip digitising slivers to the sector limit.
    for row in rows:
        clipped = row["geometry"].intersection(sector_geom)
        if clipped.geom_type not in {"Polygon", "MultiPolygon"}:
            from shapely.geometry import MultiPolygon

            polys = [g for g in getattr(clipped, "geoms", []) if g.geom_type == "Polygon"]
            clipped = MultiPolygon(polys)
        row["geometry"] = clipped
    return True


def _geometry_failure(exc: GEOSException) -> str:
    return _(
        "The shapes could not be compared with each other or with the sector (%(reason)s). "
        "Check them in a GIS (e.g. QGIS: Vector ‣ Geometry Tools ‣ Check Validity) and "
        "try again."
    ) % {"reason": str(exc).strip()[:200]}


def _unique_slug(name: str, used: set[str]) -> str:
    base = slugify(name)[:110] or "zona"
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug


@transaction.atomic
def _write(
    *,
    actor: Any,
    kind: str,
    rows: list[dict[str, Any]],
    path: Path,
    report: ImportReport,
    source: str,
    attribution: str,
) -> list[Area]:
    """Replace the areas of `kind`: an existing area whose slug matches is
    updated in place (so records pointing at it keep their link), the others
    are created, the ones no longer in the file are deleted."""
    from shapely.geometry import mapping

    existing = {a.slug: a for a in Area.objects.filter(kind=kind)}
    before = sorted(a.name for a in existing.values())
    used: set[str] = set()
    written: list[Area] = []
    for row in rows:
        geom = row["geometry"]
        minx, miny, maxx, maxy = geom.bounds
        slug = "sector-6" if kind == Area.Kind.SECTOR else _unique_slug(row["name"], used)
        area = existing.pop(slug, None) or Area(kind=kind, slug=slug)
        area.name = row["name"]
        area.geometry = mapping(geom)
        area.min_lon, area.min_lat, area.max_lon, area.max_lat = minx, miny, maxx, maxy
        area.adult_population = row["adult_population"]
        area.is_approximate = False
        area.source = (source or f"Import: {path.name}")[:300]
        area.attribution = attribution[:300]
        area.full_clean()
        area.save()
        written.append(area)
    _warn_unlocated(report, [a.pk for a in existing.values()])
    for stale in existing.values():
        stale.delete()  # ProtectedError rolls everything back
    report.reassigned = located_records_reassign(actor=actor)
    if kind == Area.Kind.ZONE:
        gazetteer_zones_sync()
    from ciic.audit import events
    from ciic.audit.services import event_record

    event_record(
        actor=actor,
        action=events.GEO_AREAS_IMPORTED,
        obj=written[0],
        before={"kind": kind, "names": before},
        after={
            "kind": kind,
            "names": [a.name for a in written],
            "file": path.name,
            "source_crs": report.source_crs,
            "reassigned": report.reassigned,
        },
    )
    content_changed("areas")
    return written


def _warn_unlocated(report: ImportReport, removed_ids: list[int]) -> None:
    """Records of a located model whose zone is removed and that have no
    point to be placed again (a zone picked by hand) lose their zone: say how
    many, so staff can set them again."""
    if not removed_ids:
        return
    from django.apps import apps

    for item in located_models:
        model = apps.get_model(item.label)
        count = model._default_manager.filter(
            **{f"{item.zone}__in": removed_ids, f"{item.lat}__isnull": True}
        ).count()
        if count:
            report.warnings.append(
                _(
                    "%(label)s: %(count)d record(s) were in a zone that is not in the file and "
                    "have no location to place them again; their zone is now empty."
                )
                % {"label": model._meta.verbose_name_plural, "count": count}
            )


def areas_import(
    *,
    actor: Any,
    path: str | Path,
    kind: str,
    name_field: str,
    population_field: str | None = None,
    source: str = "",
    attribution: str = "",
) -> ImportReport:
    """Replace all areas of `kind` with those in the file, or change nothing.
    Raises AreaImportError (a ValidationError carrying the report) if refused."""
    require(actor, "geo.import_areas")
    report = ImportReport(kind=str(kind))
    if kind not in Area.Kind.values:
        report.errors.append(
            _("Unknown area kind “%(kind)s”: use sector or zone.") % {"kind": kind}
        )
        raise AreaImportError(report)
    path = Path(path)
    if not path.is_file():
        report.errors.append(_("File not found: %(path)s") % {"path": path.name})
        raise AreaImportError(report)
    gdf = _read(path, report)
    rows = None
    if gdf is not None:
        try:
            rows = _check(
                gdf,
                kind=kind,
                name_field=name_field,
                population_field=population_field,
                report=report,
            )
        except GEOSException as exc:  # valid shapes GEOS still cannot overlay
            report.errors.append(_geometry_failure(exc))
            rows = None
    if rows is None:
        raise AreaImportError(report)

    try:
        created = _write(
            actor=actor,
            kind=kind,
            rows=rows,
            path=path,
            report=report,
            source=source,
            attribution=attribution,
        )
    except ProtectedError as exc:
        names = sorted({str(o) for o in exc.protected_objects})[:MAX_ERRORS_LISTED]
        report.errors.append(
            _(
                "Some current zones cannot be removed because other records depend on them "
                "(%(objects)s). Keep those zone names in the new file, or remove what "
                "depends on them first."
            )
            % {"objects": ", ".join(names)}
        )
        raise AreaImportError(report) from exc
    except GEOSException as exc:
        report.errors.append(_geometry_failure(exc))
        raise AreaImportError(report) from exc
    report.created = [a.name for a in created]
    report.ok = True
    return report
