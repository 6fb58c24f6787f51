"""The offline street layer: built once from the OpenStreetMap extract in
`../shared/geo/osm/` and shipped as two small GeoJSON files in our static
files (`geo/static/geo/osm/`), drawn in the browser by `geo/streetmap.js`.

Reproducible: `manage.py build_street_layer [--source DIR]` writes the same
bytes from the same input (features sorted, coordinates rounded, compact
JSON, no timestamp).

What the build does to the data, and why:
- classes: the OSM `highway` value, with `residential` and `living_street`
  folded into `minor` (the source already folded most of them, see its
  SOURCES.md), so there are five drawing classes;
- segments of the same class and name are merged into one MultiLineString
  with `line_merge`, so a named road is a few long chains that the browser
  can write the name along, and unnamed roads of a class are one feature;
- geometry is simplified by `SIMPLIFY_M` metres (in Stereo70) and written
  with 5 decimals (about 1 m): invisible at street zoom, half the bytes;
- places keep their `name` and `kind` (`metro_station`, `park`).

Licence: the output is a derived database of OpenStreetMap and stays under the
ODbL 1.0; each file carries the attribution and licence as foreign members,
and `geo/data/ATTRIBUTION.md` says where it came from."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).resolve().parent / "static" / "geo" / "osm"
STREETS_FILE = "streets.geojson"
PLACES_FILE = "places.geojson"
# Static paths (for `{% static %}`), relative to the static root.
STREETS_STATIC = "geo/osm/streets.geojson"
PLACES_STATIC = "geo/osm/places.geojson"

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_COPYRIGHT_URL = "https://www.openstreetmap.org/copyright"
OSM_LICENCE = "ODbL-1.0"

# Drawing classes, from the most to the least important.
CLASSES = ("motorway", "primary", "secondary", "tertiary", "minor")
_CLASS_OF = {
    "motorway": "motorway",
    "trunk": "primary",
    "primary": "primary",
    "secondary": "secondary",
    "tertiary": "tertiary",
    "residential": "minor",
    "living_street": "minor",
    "unclassified": "minor",
    "minor": "minor",
}
PLACE_KINDS = ("metro_station", "park")

METRIC_CRS = "EPSG:3844"  # Stereo70: simplification tolerance in metres
SIMPLIFY_M = 1.0
DECIMALS = 5


@dataclass(frozen=True)
class LayerFile:
    name: str
    raw_bytes: int
    gzip_bytes: int
    features: int
    vertices: int


def _round_coords(coords: Any) -> Any:
    if coords and isinstance(coords[0], int | float):
        return [round(float(c), DECIMALS) for c in coords]
    return [_round_coords(c) for c in coords]


def _dedupe(line: list[list[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for pt in line:
        if not out or pt != out[-1]:
            out.append(pt)
    return out


def _count_vertices(geometry: dict[str, Any]) -> int:
    coords = geometry["coordinates"]
    if geometry["type"] == "Point":
        return 1
    if geometry["type"] == "LineString":
        return len(coords)
    return sum(len(part) for part in coords)


def _dump(data: dict[str, Any]) -> bytes:
    return (
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"
    ).encode("utf-8")


def reproject(transformer: Any) -> Any:
    """A function reprojecting a shapely geometry with a pyproj Transformer."""
    import numpy as np
    import shapely

    def apply(geom: Any) -> Any:
        def coords(xy: Any) -> Any:
            x, y = transformer.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geom, coords)

    return apply


def _streets(source: Path) -> dict[str, Any]:
    import shapely
    from pyproj import Transformer
    from shapely.geometry import LineString, MultiLineString, mapping, shape

    to_m = reproject(Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True))
    to_deg = reproject(Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True))

    raw = json.loads((source / "sector6_streets.geojson").read_text(encoding="utf-8"))
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for feature in raw["features"]:
        props = feature.get("properties") or {}
        cls = _CLASS_OF.get(str(props.get("highway") or ""), "minor")
        name = str(props.get("name") or "").strip()
        geom = shape(feature["geometry"])
        parts = [geom] if geom.geom_type == "LineString" else list(getattr(geom, "geoms", []))
        groups[(cls, name)].extend(p for p in parts if p.geom_type == "LineString")

    features = []
    # Least important first, so the browser draws major roads on top.
    order = sorted(groups, key=lambda k: (-CLASSES.index(k[0]), k[1]))
    for cls, name in order:
        merged = shapely.line_merge(MultiLineString(groups[(cls, name)]))
        simplified = to_deg(to_m(merged).simplify(SIMPLIFY_M))
        lines = (
            [simplified]
            if isinstance(simplified, LineString)
            else list(getattr(simplified, "geoms", []))
        )
        coords = []
        for line in lines:
            pts = _dedupe(_round_coords(mapping(line)["coordinates"]))
            if len(pts) >= 2:
                coords.append(pts)
        if not coords:
            continue
        coords.sort(key=lambda part: (part[0], len(part)))
        features.append(
            {
                "type": "Feature",
                "properties": {"class": cls, "name": name or None},
                "geometry": {"type": "MultiLineString", "coordinates": coords},
            }
        )
    return {
        "type": "FeatureCollection",
        "attribution": OSM_ATTRIBUTION,
        "license": OSM_LICENCE,
        "features": features,
    }


def _places(source: Path) -> dict[str, Any]:
    raw = json.loads((source / "sector6_places.geojson").read_text(encoding="utf-8"))
    features: list[dict[str, Any]] = []
    for feature in raw["features"]:
        props = feature.get("properties") or {}
        kind, name = props.get("kind"), str(props.get("name") or "").strip()
        if kind not in PLACE_KINDS or not name:
            continue
        lon, lat = feature["geometry"]["coordinates"][:2]
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": kind, "name": name},
                "geometry": {"type": "Point", "coordinates": _round_coords([lon, lat])},
            }
        )
    features.sort(key=lambda f: (f["properties"]["kind"], f["properties"]["name"]))
    return {
        "type": "FeatureCollection",
        "attribution": OSM_ATTRIBUTION,
        "license": OSM_LICENCE,
        "features": features,
    }


def layer_stats(path: Path) -> LayerFile:
    body = path.read_bytes()
    data = json.loads(body)
    return LayerFile(
        name=path.name,
        raw_bytes=len(body),
        gzip_bytes=len(gzip.compress(body, compresslevel=9, mtime=0)),
        features=len(data["features"]),
        vertices=sum(_count_vertices(f["geometry"]) for f in data["features"]),
    )


def street_layer_build(*, source: Path, target: Path = STATIC_DIR) -> list[LayerFile]:
    """Read the OSM extract in `source` and write the street and place layers
    into `target`. Returns the size of each file written."""
    for needed in ("sector6_streets.geojson", "sector6_places.geojson"):
        if not (source / needed).is_file():
            raise FileNotFoundError(source / needed)
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for filename, data in ((STREETS_FILE, _streets(source)), (PLACES_FILE, _places(source))):
        path = target / filename
        path.write_bytes(_dump(data))
        out.append(layer_stats(path))
    return out


def read_layer(filename: str, directory: Path = STATIC_DIR) -> dict[str, Any]:
    """The shipped layer as a dict (the gazetteer and the reverse lookup read it)."""
    data: dict[str, Any] = json.loads((directory / filename).read_text(encoding="utf-8"))
    return data
