"""The offline street layer: built reproducibly from the shared OSM extract,
small, every drawing class present, names and landmarks kept, ODbL marked."""

import gzip
import json
from io import StringIO

import pytest
from django.core.management import call_command
from shapely.geometry import shape

from geo.streets import (
    CLASSES,
    OSM_ATTRIBUTION,
    PLACES_FILE,
    STATIC_DIR,
    STREETS_FILE,
    street_layer_build,
)

# What a phone downloads for the layer (gzip, as whitenoise serves it).
MAX_GZIP_BYTES = 80_000
MAX_RAW_BYTES = 400_000


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_dir):
    target = tmp_path_factory.mktemp("layer")
    files = street_layer_build(source=shared_dir / "geo" / "osm", target=target)
    return target, {f.name: f for f in files}


def test_the_build_writes_small_files(built):
    target, files = built
    assert set(files) == {STREETS_FILE, PLACES_FILE}
    for f in files.values():
        assert (target / f.name).is_file()
        assert f.raw_bytes == (target / f.name).stat().st_size
        assert f.gzip_bytes == len(gzip.compress((target / f.name).read_bytes(), 9, mtime=0))
    total_gzip = sum(f.gzip_bytes for f in files.values())
    total_raw = sum(f.raw_bytes for f in files.values())
    assert total_gzip < MAX_GZIP_BYTES, total_gzip
    assert total_raw < MAX_RAW_BYTES, total_raw


def test_streets_keep_every_class_and_the_named_roads(built, shared_dir):
    target, _files = built
    data = json.loads((target / STREETS_FILE).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert data["attribution"] == OSM_ATTRIBUTION and data["license"] == "ODbL-1.0"
    classes = {f["properties"]["class"] for f in data["features"]}
    assert classes == set(CLASSES)
    names = {f["properties"]["name"] for f in data["features"]} - {None}
    source = json.loads((shared_dir / "geo" / "osm" / "sector6_streets.geojson").read_text())
    source_names = {f["properties"]["name"] for f in source["features"]} - {None}
    assert names == source_names  # no name lost
    assert {"Bulevardul Iuliu Maniu", "Drumul Taberei", "Calea Crângași"} <= names
    # drawn bottom-up: minor roads first, motorways last
    order = [CLASSES.index(f["properties"]["class"]) for f in data["features"]]
    assert order == sorted(order, reverse=True)
    # merged: one feature per (class, name); geometry valid, close to the source length
    keys = [(f["properties"]["class"], f["properties"]["name"]) for f in data["features"]]
    assert len(keys) == len(set(keys))
    length = sum(shape(f["geometry"]).length for f in data["features"])
    source_length = sum(shape(f["geometry"]).length for f in source["features"])
    assert abs(length - source_length) / source_length < 0.01
    for f in data["features"]:
        assert f["geometry"]["type"] == "MultiLineString"
        for line in f["geometry"]["coordinates"]:
            assert len(line) >= 2
            for lon, lat in line:
                assert 25.9 < lon < 26.15 and 44.37 < lat < 44.5
                assert round(lon, 5) == lon and round(lat, 5) == lat


def test_places_are_metro_stations_and_parks(built):
    target, _files = built
    data = json.loads((target / PLACES_FILE).read_text(encoding="utf-8"))
    kinds = {}
    for f in data["features"]:
        kinds.setdefault(f["properties"]["kind"], set()).add(f["properties"]["name"])
        assert f["geometry"]["type"] == "Point"
    assert set(kinds) == {"metro_station", "park"}
    assert "Gorjului" in kinds["metro_station"] and "Parcul Drumul Taberei" in kinds["park"]
    assert len(kinds["metro_station"]) == 17 and len(kinds["park"]) == 21


def test_the_shipped_layer_is_what_the_build_makes(built):
    """Reproducible: the committed static files are byte for byte a fresh build."""
    target, _files = built
    for name in (STREETS_FILE, PLACES_FILE):
        assert (STATIC_DIR / name).read_bytes() == (target / name).read_bytes(), name


def test_the_command_reports_sizes(tmp_path, shared_dir):
    out = StringIO()
    call_command(
        "build_street_layer",
        source=str(shared_dir / "geo" / "osm"),
        target=str(tmp_path),
        stdout=out,
    )
    assert "streets.geojson" in out.getvalue() and "gzipped" in out.getvalue()
    assert (tmp_path / STREETS_FILE).is_file()


def test_the_command_refuses_a_folder_without_the_extract(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Missing input file"):
        call_command("build_street_layer", source=str(tmp_path), target=str(tmp_path / "out"))
    assert not (tmp_path / "out" / STREETS_FILE).exists()
