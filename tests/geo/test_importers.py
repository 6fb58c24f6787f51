"""areas_import: all or nothing, with a clear report for every broken file."""

import json
import zipfile

import geopandas as gpd
import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import LineString, Point, Polygon, box, shape
from shapely.ops import split

from ciic.audit.models import Event
from geo.importers import AreaImportError, areas_import
from geo.models import Area
from geo.services import area_locate_point


def _halves(sector: Area) -> list:
    geom = shape(sector.geometry)
    mid = (sector.min_lon + sector.max_lon) / 2
    cut = LineString([(mid, sector.min_lat - 0.01), (mid, sector.max_lat + 0.01)])
    parts = sorted(split(geom, cut).geoms, key=lambda g: g.centroid.x)
    west = parts[0]
    east = parts[1]
    for extra in parts[2:]:  # split may yield slivers: give them to the nearest half
        if extra.centroid.x < mid:
            west = west.union(extra)
        else:
            east = east.union(extra)
    return [west, east]


def _write(tmp_path, name, gdf, driver=None):
    path = tmp_path / name
    gdf.to_file(path, driver=driver) if driver else gdf.to_file(path)
    return path


def _snapshot():
    return sorted(Area.objects.values_list("kind", "slug", "geometry", "updated_at"))


def _refused(tmp_path, path, **kwargs):
    before = _snapshot()
    events = Event.objects.count()
    with pytest.raises(AreaImportError) as exc:
        areas_import(
            actor=None,
            path=path,
            kind=kwargs.pop("kind", "zone"),
            name_field=kwargs.pop("name_field", "name"),
            **kwargs,
        )
    assert _snapshot() == before, "a refused import must change nothing"
    assert Event.objects.count() == events
    assert not exc.value.report.ok
    return " ".join(exc.value.report.errors)


def test_valid_zones_in_stereo70_are_reprojected_and_replace_the_defaults(areas, tmp_path):
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame(
        {"denumire": ["Vest", "Est"], "adulti": [150000, 160000]},
        geometry=[west, east],
        crs="EPSG:4326",
    ).to_crs("EPSG:3844")
    path = _write(tmp_path, "zones.gpkg", gdf)
    report = areas_import(
        actor=None, path=path, kind="zone", name_field="denumire", population_field="adulti"
    )
    assert report.ok and report.created == ["Vest", "Est"]
    assert report.source_crs.endswith("3844")
    zones = {z.slug: z for z in Area.objects.filter(kind="zone")}
    assert set(zones) == {"vest", "est"}
    assert zones["vest"].adult_population == 150000
    assert not zones["vest"].is_approximate
    # reprojected back to lon/lat, matching the original to well under a metre
    assert shape(zones["vest"].geometry).symmetric_difference(west).area < 1e-9
    assert -180 <= zones["est"].min_lon <= 180
    # the point service sees the new zones at once
    assert area_locate_point(latitude=44.43, longitude=sector_mid(areas) - 0.01).slug == "vest"
    event = Event.objects.get(action="geo.areas_imported")
    assert event.after["names"] == ["Vest", "Est"]
    assert "Drumul Taberei" in event.before["names"]


def sector_mid(areas):
    s = areas["sector"]
    return (s.min_lon + s.max_lon) / 2


def test_import_twice_updates_in_place(areas, tmp_path):
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame({"name": ["Vest", "Est"]}, geometry=[west, east], crs="EPSG:4326")
    path = _write(tmp_path, "zones.geojson", gdf)
    areas_import(actor=None, path=path, kind="zone", name_field="name")
    pks = dict(Area.objects.filter(kind="zone").values_list("slug", "pk"))
    areas_import(actor=None, path=path, kind="zone", name_field="name")
    assert dict(Area.objects.filter(kind="zone").values_list("slug", "pk")) == pks


def test_invalid_bow_tie_polygon_is_refused(areas, tmp_path):
    s = areas["sector"]
    cx, cy = (s.min_lon + s.max_lon) / 2, (s.min_lat + s.max_lat) / 2
    d = 0.005
    bow_tie = Polygon([(cx - d, cy - d), (cx + d, cy + d), (cx + d, cy - d), (cx - d, cy + d)])
    assert not bow_tie.is_valid
    gdf = gpd.GeoDataFrame({"name": ["Fluture"]}, geometry=[bow_tie], crs="EPSG:4326")
    errors = _refused(tmp_path, _write(tmp_path, "bow.geojson", gdf))
    assert "Feature 1 (“Fluture”)" in errors and "invalid geometry" in errors
    assert "crosses itself, near 26.0" in errors


def test_missing_name_column_is_refused_with_the_columns_listed(areas, tmp_path):
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame({"nume_cartier": ["A", "B"]}, geometry=[west, east], crs="EPSG:4326")
    errors = _refused(tmp_path, _write(tmp_path, "z.geojson", gdf))
    assert "name column “name” is missing" in errors and "nume_cartier" in errors


def test_overlapping_zones_are_refused(areas, tmp_path):
    west, east = _halves(areas["sector"])
    grown = west.buffer(0.003).intersection(shape(areas["sector"].geometry))
    gdf = gpd.GeoDataFrame({"name": ["Vest", "Est"]}, geometry=[grown, east], crs="EPSG:4326")
    errors = _refused(tmp_path, _write(tmp_path, "z.geojson", gdf))
    assert "“Vest” and “Est” overlap" in errors


def test_zone_outside_the_sector_is_refused(areas, tmp_path):
    west, _east = _halves(areas["sector"])
    unirii = box(26.095, 44.420, 26.110, 44.432)  # Sector 3/4
    gdf = gpd.GeoDataFrame({"name": ["Vest", "Unirii"]}, geometry=[west, unirii], crs="EPSG:4326")
    errors = _refused(tmp_path, _write(tmp_path, "z.geojson", gdf))
    assert "“Unirii” lies outside Sector 6" in errors


def test_wrong_crs_declared_is_refused(areas, tmp_path):
    """Lon/lat numbers labelled as Stereo70 metres land near Africa: outside the sector."""
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame({"name": ["Vest", "Est"]}, geometry=[west, east], crs="EPSG:4326")
    gdf = gdf.set_crs("EPSG:3844", allow_override=True)
    errors = _refused(tmp_path, _write(tmp_path, "z.gpkg", gdf))
    assert "outside Sector 6" in errors


def test_shapefile_without_prj_is_refused(areas, tmp_path):
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame({"name": ["Vest", "Est"]}, geometry=[west, east], crs="EPSG:4326")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / "zones.shp")
    (shp_dir / "zones.prj").unlink()
    archive = tmp_path / "zones.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, f.name)
    errors = _refused(tmp_path, archive)
    assert "no coordinate reference system" in errors


def test_zipped_shapefile_with_prj_is_accepted(areas, tmp_path):
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame({"NUME": ["Vest", "Est"]}, geometry=[west, east], crs="EPSG:4326")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf.to_crs("EPSG:3844").to_file(shp_dir / "zones.shp")
    archive = tmp_path / "zones.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, f.name)
    report = areas_import(actor=None, path=archive, kind="zone", name_field="NUME")
    assert report.ok and sorted(report.created) == ["Est", "Vest"]


def test_empty_file_is_refused(areas, tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    errors = _refused(tmp_path, path)
    assert "no features" in errors


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.geojson", "this is not json"),
        ("table.json", '{"a": 1}'),
        ("data.csv", "name,x\nA,1\n"),
    ],
)
def test_non_geo_files_are_refused(areas, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    errors = _refused(tmp_path, path)
    assert (
        "could not be read" in errors
        or "Unsupported file type" in errors
        or "no features" in errors
    )


def test_points_duplicates_and_bad_population_are_all_reported(areas, tmp_path):
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame(
        {"name": ["Vest", "vest", "Punct", ""], "pop": [10, -5, 3, 4]},
        geometry=[west, east, Point(26.02, 44.43), east],
        crs="EPSG:4326",
    )
    errors = _refused(tmp_path, _write(tmp_path, "z.geojson", gdf), population_field="pop")
    assert "appears twice" in errors
    assert "only polygons" in errors
    assert "empty name" in errors
    assert "not a whole number" in errors


def test_sector_file_must_hold_one_feature(areas, tmp_path):
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[west, east], crs="EPSG:4326")
    errors = _refused(tmp_path, _write(tmp_path, "s.geojson", gdf), kind="sector")
    assert "exactly one feature" in errors


def test_zones_need_a_sector(db, tmp_path):
    gdf = gpd.GeoDataFrame(
        {"name": ["A"]}, geometry=[box(26.0, 44.42, 26.01, 44.43)], crs="EPSG:4326"
    )
    errors = _refused(tmp_path, _write(tmp_path, "z.geojson", gdf))
    assert "sector boundary before its zones" in errors


def test_sector_import_from_the_official_city_file(db, tmp_path, shared_dir):
    city = gpd.read_file(shared_dir / "geo" / "bucharest_sectors_ancpi_2018.geojson")
    s6 = city[city["natCode"].astype(str) == "179196"]
    path = _write(tmp_path, "s6.geojson", s6)
    report = areas_import(actor=None, path=path, kind="sector", name_field="name")
    assert report.ok
    sector = Area.objects.get(kind="sector")
    assert sector.slug == "sector-6" and sector.name == "BUCURESTI SECTORUL 6"
    assert area_locate_point(latitude=44.4220, longitude=26.0300) is None  # no zones yet


def test_management_command(areas, tmp_path):
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame({"name": ["Vest", "Est"]}, geometry=[west, east], crs="EPSG:4326")
    path = _write(tmp_path, "z.geojson", gdf)
    with pytest.raises(CommandError) as exc:
        call_command("import_areas", str(path), "--kind", "zone", "--name-field", "nume")
    assert "Nothing was imported" in str(exc.value)
    assert Area.objects.filter(kind="zone").count() == 13
    call_command("import_areas", str(path), "--kind", "zone", "--name-field", "name")
    assert Area.objects.filter(kind="zone").count() == 2
    with pytest.raises(CommandError):
        call_command(
            "import_areas",
            str(tmp_path / "missing.geojson"),
            "--kind",
            "zone",
            "--name-field",
            "name",
        )


# --- broken geometries: a clear message with the feature's number, nothing changes ----------

SQUARE = [[26.03, 44.42], [26.035, 44.42], [26.035, 44.425], [26.03, 44.425], [26.03, 44.42]]


def _raw_geojson(tmp_path, geometries, name="broken.geojson"):
    """A GeoJSON file written by hand (so it can hold what no library writes):
    feature 1 is a good square; the broken geometries follow, numbered from 2."""
    features = [{"type": "Polygon", "coordinates": [SQUARE]}, *geometries]
    text = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": f"Zona {i}"}, "geometry": g}
                for i, g in enumerate(features, start=1)
            ],
        }
    )
    path = tmp_path / name
    path.write_text(text.replace('"NaN"', "NaN").replace('"Infinity"', "Infinity"))
    return path


BROKEN = {
    "unclosed ring": (
        {"type": "Polygon", "coordinates": [SQUARE[:-1]]},
        "a ring is not closed",
    ),
    "two points": (
        {"type": "Polygon", "coordinates": [[[26.03, 44.42], [26.04, 44.42]]]},
        "a ring is not closed",
    ),
    "two equal points": (
        {"type": "Polygon", "coordinates": [[[26.03, 44.42], [26.03, 44.42]]]},
        "too few points",
    ),
    "one point": (
        {"type": "Polygon", "coordinates": [[[26.03, 44.42]]]},
        "too few points",
    ),
    "three points": (
        {"type": "Polygon", "coordinates": [[[26.03, 44.42], [26.04, 44.42], [26.03, 44.42]]]},
        "too few points",
    ),
    "NaN coordinate": (
        {"type": "Polygon", "coordinates": [[SQUARE[0], [26.035, "NaN"], *SQUARE[2:]]]},
        "not a number",
    ),
    "infinite coordinate": (
        {"type": "Polygon", "coordinates": [[SQUARE[0], [26.035, "Infinity"], *SQUARE[2:]]]},
        "not a number",
    ),
    "text coordinates": (
        {"type": "Polygon", "coordinates": [[["a", "b"], ["c", "d"], ["e", "f"], ["a", "b"]]]},
        "no geometry",
    ),
    "coordinates not a list": ({"type": "Polygon", "coordinates": "26.03 44.42"}, "no geometry"),
    "one-dimensional positions": (
        {"type": "Polygon", "coordinates": [[[26.03], [26.04], [26.05], [26.03]]]},
        "no geometry",
    ),
    "unknown type": ({"type": "Circle", "coordinates": [26.03, 44.42]}, "no geometry"),
    "self-intersection": (
        {
            "type": "Polygon",
            "coordinates": [
                [[26.03, 44.42], [26.04, 44.43], [26.04, 44.42], [26.03, 44.43], [26.03, 44.42]]
            ],
        },
        "crosses itself",
    ),
    "hole outside": (
        {
            "type": "Polygon",
            "coordinates": [
                SQUARE,
                [[26.05, 44.43], [26.06, 44.43], [26.06, 44.44], [26.05, 44.43]],
            ],
        },
        "hole lies outside",
    ),
    "a line": (
        {"type": "LineString", "coordinates": [[26.03, 44.42], [26.04, 44.43]]},
        "only polygons",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_geometry_is_refused_with_the_feature_number(areas, tmp_path, case):
    geometry, reason = BROKEN[case]
    errors = _refused(tmp_path, _raw_geojson(tmp_path, [geometry]))
    assert "Feature 2" in errors and "Zona 2" in errors, errors
    assert reason in errors, errors
    assert "Feature 1 " not in errors  # the good square is not blamed


def test_every_broken_feature_is_listed(areas, tmp_path):
    geometries = [BROKEN[c][0] for c in ("unclosed ring", "NaN coordinate", "self-intersection")]
    errors = _refused(tmp_path, _raw_geojson(tmp_path, geometries))
    for n, reason in ((2, "not closed"), (3, "not a number"), (4, "crosses itself")):
        assert f"Feature {n} (“Zona {n}”)" in errors and reason in errors, errors


def test_broken_geometry_message_is_translated(areas, tmp_path):
    from django.utils import translation

    path = _raw_geojson(tmp_path, [BROKEN["unclosed ring"][0]])
    with translation.override("ro"), pytest.raises(AreaImportError) as exc:
        areas_import(actor=None, path=path, kind="zone", name_field="name")
    errors = " ".join(exc.value.report.errors)
    assert "Zona 2" in errors and "Feature" not in errors and "closed" not in errors, errors


def test_management_command_reports_a_broken_geometry(areas, tmp_path):
    path = _raw_geojson(tmp_path, [BROKEN["unclosed ring"][0]])
    with pytest.raises(CommandError) as exc:
        call_command("import_areas", str(path), "--kind", "zone", "--name-field", "name")
    assert "Nothing was imported" in str(exc.value)
    assert "Feature 2 (“Zona 2”)" in str(exc.value) and "not closed" in str(exc.value)
    assert Area.objects.filter(kind="zone").count() == 13


@pytest.mark.parametrize("stage", ["_check_zones", "located_records_reassign"])
def test_geometry_engine_failure_is_a_clear_refusal(areas, tmp_path, monkeypatch, stage):
    """GEOS can still fail on valid shapes (a TopologyException while overlaying
    them): that too is a refusal that changes nothing, never a 500."""
    from shapely.errors import GEOSException

    import geo.importers

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise GEOSException("TopologyException: side location conflict at 26.03 44.42")

    monkeypatch.setattr(geo.importers, stage, fail)
    west, east = _halves(areas["sector"])
    gdf = gpd.GeoDataFrame({"name": ["Vest", "Est"]}, geometry=[west, east], crs="EPSG:4326")
    errors = _refused(tmp_path, _write(tmp_path, "z.geojson", gdf))
    assert "could not be compared" in errors and "TopologyException" in errors
