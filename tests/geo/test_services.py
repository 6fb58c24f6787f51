import json

import pytest
from django.core.exceptions import ValidationError
from shapely.geometry import Point, shape

from geo.defaults import load_default_areas
from geo.models import Area
from geo.services import OutsideSectorError, area_locate_point, zones_assign_points


def _shared_boundary_point(a: Area, b: Area) -> Point:
    """A vertex both zones share (exactly on both outlines)."""
    ga, gb = shape(a.geometry), shape(b.geometry)
    from shapely import get_coordinates

    for x, y in get_coordinates(ga):
        pt = Point(x, y)
        if gb.covers(pt) and ga.covers(pt):
            return pt
    raise AssertionError("no shared vertex")


def test_default_areas_match_the_official_sector(areas, shared_dir):
    official = json.loads((shared_dir / "geo" / "sector6_ancpi_2018.geojson").read_text())
    sector = shape(official["features"][0]["geometry"])
    assert shape(areas["sector"].geometry).equals_exact(sector, 1e-9)
    assert len(areas["zones"]) == 13
    union = None
    for z in areas["zones"].values():
        assert z.is_approximate and z.attribution
        geom = shape(z.geometry)
        assert geom.is_valid
        union = geom if union is None else union.union(geom)
    assert union.symmetric_difference(sector).area / sector.area < 1e-6


def test_load_default_areas_is_idempotent(areas):
    load_default_areas()
    assert Area.objects.filter(kind="zone").count() == 13
    assert Area.objects.filter(kind="sector").count() == 1


def test_seed_points_fall_in_their_own_zone(areas, shared_dir):
    import csv

    with (shared_dir / "geo" / "sector6_neighbourhood_seeds.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            zone = area_locate_point(latitude=float(row["lat"]), longitude=float(row["lon"]))
            assert zone is not None and zone.slug == row["slug"]


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (44.4268, 26.1025),  # Piața Unirii (Sector 3/4)
        (44.4780, 26.0850),  # north, Sector 1
        (44.3900, 26.0200),  # south, Sector 5
        (0, 0),
    ],
)
def test_points_outside_the_sector_are_refused(areas, lat, lon):
    with pytest.raises(OutsideSectorError) as exc:
        area_locate_point(latitude=lat, longitude=lon)
    assert "outside Sector 6" in str(exc.value.messages[0])
    assert isinstance(exc.value, ValidationError)


@pytest.mark.parametrize(
    "bad", [("x", 26.0), (None, 26.0), (float("nan"), 26.0), (91, 26.0), (44.4, 181)]
)
def test_invalid_coordinates_are_refused(areas, bad):
    with pytest.raises(ValidationError) as exc:
        area_locate_point(latitude=bad[0], longitude=bad[1])
    assert exc.value.code == "invalid"


def test_point_on_sector_boundary_is_inside(areas):
    boundary = (
        shape(areas["sector"].geometry).exterior
        if hasattr(shape(areas["sector"].geometry), "exterior")
        else shape(areas["sector"].geometry).geoms[0].exterior
    )
    vertex = boundary.coords[10]
    zone = area_locate_point(latitude=vertex[1], longitude=vertex[0])
    assert zone is not None


def test_point_just_outside_sector_vertex_is_refused(areas):
    sector = shape(areas["sector"].geometry)
    outside = (
        sector.buffer(0.0005).exterior
        if sector.geom_type == "Polygon"
        else sector.buffer(0.0005).exterior
    )
    x, y = outside.coords[0]
    with pytest.raises(OutsideSectorError):
        area_locate_point(latitude=y, longitude=x)


def test_point_on_shared_zone_edge_goes_to_the_lower_id_zone_in_both_paths(areas):
    a, b = areas["zones"]["drumul-taberei"], areas["zones"]["ghencea"]
    pt = _shared_boundary_point(a, b)
    covering = [z.pk for z in areas["zones"].values() if shape(z.geometry).covers(pt)]
    assert a.pk in covering and b.pk in covering
    zone = area_locate_point(latitude=pt.y, longitude=pt.x)
    assert zone.pk == min(covering)
    zones = [(z.pk, z.geometry) for z in sorted(areas["zones"].values(), key=lambda z: -z.pk)]
    assert zones_assign_points([pt.x], [pt.y], zones) == [min(covering)]


def test_vectorised_assignment_agrees_with_the_point_service(areas):
    import numpy as np

    rng = np.random.default_rng(6)
    sector = areas["sector"]
    lons = rng.uniform(sector.min_lon, sector.max_lon, 200)
    lats = rng.uniform(sector.min_lat, sector.max_lat, 200)
    zones = [(z.pk, z.geometry) for z in areas["zones"].values()]
    got = zones_assign_points(lons, lats, zones)
    for lon, lat, zone_id in zip(lons, lats, got, strict=True):
        try:
            expected = area_locate_point(latitude=lat, longitude=lon)
        except OutsideSectorError:
            assert zone_id is None
        else:
            assert expected is not None and expected.pk == zone_id


def test_assignment_without_zones_or_points():
    assert zones_assign_points([], [], []) == []
    assert zones_assign_points([26.0], [44.4], []) == [None]


def test_locate_sees_replaced_zones(areas):
    """The prepared-geometry cache follows writes to the areas."""
    pt = areas["zones"]["ghencea"]
    lat, lon = 44.4220, 26.0300
    before = area_locate_point(latitude=lat, longitude=lon)
    assert before is not None
    sector = areas["sector"]
    Area.objects.filter(kind="zone").delete()
    whole = Area.objects.create(
        kind="zone",
        name="All",
        slug="all",
        geometry=sector.geometry,
        min_lon=sector.min_lon,
        min_lat=sector.min_lat,
        max_lon=sector.max_lon,
        max_lat=sector.max_lat,
    )
    assert area_locate_point(latitude=lat, longitude=lon) == whole
    assert pt.pk != whole.pk


def test_no_sector_loaded_refuses(db):
    with pytest.raises(OutsideSectorError):
        area_locate_point(latitude=44.43, longitude=26.02)
