"""Importing the council's street register into the place search: CSV or
GeoJSON, all or nothing, every problem with its line or feature number,
translated, and nothing changed by a refused file."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ciic.audit.models import Event
from geo.gazetteer import GazetteerImportError, gazetteer_import, gazetteer_reset
from geo.models import Place
from geo.selectors import place_describe, places_search

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "\ufeffTip;Denumire;Latitudine;Longitudine;Alte denumiri\n"
    "Strada;Exemplului;44,4301;26,0102;Str. Model\n"
    'Bulevardul;"Registrului";44.4410;26.0350;\n'
    "\n"  # blank lines are skipped
    "Aleea;Țintașului;44.4250;26.0200;\n"
)


def _snapshot():
    return list(
        Place.objects.order_by("pk").values_list(
            "pk", "name", "kind", "source", "latitude", "longitude", "search_key"
        )
    )


@pytest.fixture
def filled(areas):
    from geo.gazetteer import gazetteer_osm_load, gazetteer_zones_sync

    gazetteer_osm_load()
    gazetteer_zones_sync()


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_good_csv_replaces_the_open_streets(filled, tmp_path):
    osm_streets = Place.objects.filter(source="osm", kind="street").count()
    report = gazetteer_import(
        actor=None, path=_write(tmp_path, "registru.csv", GOOD_CSV), source="Registrul străzilor"
    )
    assert report.ok and report.created == {"street": 3} and report.replaced == osm_streets
    assert not Place.objects.filter(source="osm", kind="street").exists()
    assert Place.objects.filter(source="osm", kind="metro_station").count() == 17  # kept
    assert Place.objects.filter(kind="zone").count() == 13  # kept
    streets = {p.name: p for p in Place.objects.filter(kind="street")}
    assert set(streets) == {"Strada Exemplului", "Bulevardul Registrului", "Aleea Țintașului"}
    assert (streets["Strada Exemplului"].latitude, streets["Strada Exemplului"].longitude) == (
        44.4301,
        26.0102,
    )
    # found like the open data: without diacritics, by type abbreviation, by alias
    assert places_search("tintasului")[0].name == "Aleea Țintașului"
    assert places_search("bd registrului")[0].name == "Bulevardul Registrului"
    assert places_search("str model")[0].name == "Strada Exemplului"
    assert places_search("Iuliu Maniu") == []  # the open street is replaced
    # and the review step's words come from the register now
    assert place_describe(latitude=44.4301, longitude=26.0102).text == "Strada Exemplului"
    event = Event.objects.get(action="geo.gazetteer_imported")
    assert event.after["entries"] == {"street": 3} and event.after["file"] == "registru.csv"
    assert event.after["source"] == "Registrul străzilor"
    assert event.before["entries"] == {"street": osm_streets}
    assert "Imported 3 place(s)" in report.as_text()


def test_a_good_geojson_merges_the_segments_of_a_street(filled, tmp_path):
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Strada Lungă"},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[26.010, 44.430], [26.015, 44.430]],
                },
            },
            {
                "type": "Feature",
                "properties": {"denumire": "strada lungă"},  # same street, other case
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[26.015, 44.430], [26.020, 44.431]],
                },
            },
            {
                "type": "Feature",
                "properties": {"name": "Școala Gimnazială nr. 1", "kind": "landmark"},
                "geometry": {"type": "Point", "coordinates": [26.03, 44.42]},
            },
        ],
    }
    path = _write(tmp_path, "registru.geojson", json.dumps(data, ensure_ascii=False))
    report = gazetteer_import(actor=None, path=path)
    assert report.created == {"street": 1, "landmark": 1}
    street = Place.objects.get(kind="street")
    assert street.name == "Strada Lungă"
    assert (street.min_lon, street.max_lon) == (26.01, 26.02)
    assert street.geometry["type"] == "MultiLineString"
    assert places_search("scoala gimnaziala")[0].name == "Școala Gimnazială nr. 1"


def test_a_csv_in_stereo70(filled, tmp_path):
    from pyproj import Transformer

    to_stereo = Transformer.from_crs("EPSG:4326", "EPSG:3844", always_xy=True)
    x, y = to_stereo.transform(26.0300, 44.4220)
    path = _write(tmp_path, "stereo.csv", f"name,x,y\nStrada Stereo,{x:.2f},{y:.2f}\n")
    gazetteer_import(actor=None, path=path, crs="EPSG:3844")
    place = Place.objects.get(name="Strada Stereo")
    assert abs(place.latitude - 44.4220) < 1e-5 and abs(place.longitude - 26.0300) < 1e-5


BAD_CSV = (
    "name,lat,lon,kind\n"  # line 1
    "Strada Bună,44.4301,26.0102,\n"  # line 2
    ",44.43,26.01,\n"  # line 3: no name
    "Strada Trei,44.43,26.01,\n"  # line 4: fine
    "Strada Cinci,patruzeci,26.01,\n"  # line 5: not a number
    "Strada Unirii,44.4268,26.1025,\n"  # line 6: outside Sector 6
    "strada buna,44.4302,26.0103,\n"  # line 7: same as line 2
    "Piața Mare,44.43,26.01,piață\n"  # line 8: unknown kind
    '"Strada\nCu rând nou",44.43,26.01,\n'  # lines 9-10: one record over two lines
    "Strada Zece,44.43,526.01,\n"  # line 11: off the globe
)


def test_a_bad_csv_is_refused_with_line_numbers_and_changes_nothing(filled, tmp_path):
    before = _snapshot()
    with pytest.raises(GazetteerImportError) as exc:
        gazetteer_import(actor=None, path=_write(tmp_path, "bad.csv", BAD_CSV))
    errors = exc.value.report.errors
    assert errors == [
        "line 3: the name is empty.",
        "line 5: the latitude “patruzeci” is not a number.",
        "line 6: “Strada Unirii” is outside Sector 6.",
        "line 7: “strada buna” is already on line 2.",
        "line 8: unknown kind “piață” (use street, metro_station, park or landmark).",
        "line 11: the coordinates are outside the globe.",
    ]
    assert _snapshot() == before
    assert not Event.objects.filter(action="geo.gazetteer_imported").exists()
    assert exc.value.report.as_text().startswith("Nothing was imported.")


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("a.csv", "", "line 1: the file is empty."),
        ("a.csv", "denumire,x\nStrada,1\n", "line 1: missing column(s): lat, lon."),
        ("a.csv", "name,lat,lon\n", "line 1: the file holds no places."),
        (
            "a.geojson",
            '{"type": "FeatureCollection",\n "features": [}',
            "line 2: this is not valid JSON",
        ),
        (
            "a.geojson",
            '{"type": "Feature"}',
            "line 1: the file is not a GeoJSON FeatureCollection.",
        ),
        (
            "a.geojson",
            '{"type": "FeatureCollection", "features": []}',
            "line 1: the file holds no features.",
        ),
        (
            "a.geojson",
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"name": "Bună"},
                            "geometry": {"type": "Point", "coordinates": [26.03, 44.42]},
                        },
                        {"type": "Feature", "properties": {"name": "Fără loc"}, "geometry": None},
                        {
                            "type": "Feature",
                            "properties": {},
                            "geometry": {"type": "Point", "coordinates": [26.03, 44.42]},
                        },
                    ],
                }
            ),
            "feature 2: the geometry is missing or malformed.",
        ),
        ("a.txt", "name,lat,lon\n", "Unsupported file type “.txt”: use .csv or .geojson."),
    ],
)
def test_malformed_files_are_refused(filled, tmp_path, name, body, message):
    before = _snapshot()
    with pytest.raises(GazetteerImportError) as exc:
        gazetteer_import(actor=None, path=_write(tmp_path, name, body))
    assert any(e.startswith(message) for e in exc.value.report.errors), exc.value.report.errors
    assert _snapshot() == before


def test_a_file_that_is_not_utf8_names_the_line(filled, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"name,lat,lon\nStrada A,44.43,26.01\n\xaaoseaua B,44.43,26.01\n")
    with pytest.raises(GazetteerImportError) as exc:
        gazetteer_import(actor=None, path=path)
    assert exc.value.report.errors[0].startswith("line 3: the file is not UTF-8 text.")


def test_the_command_imports_and_refuses_in_romanian(filled, tmp_path):
    good = _write(tmp_path, "good.csv", GOOD_CSV)
    bad = _write(tmp_path, "bad.csv", BAD_CSV)
    with translation.override("ro"):
        from io import StringIO

        out = StringIO()
        call_command("import_gazetteer", str(good), source="Registru", stdout=out)
        assert "3" in out.getvalue()
        snapshot = _snapshot()
        with pytest.raises(CommandError) as exc:
            call_command("import_gazetteer", str(bad))
    text = str(exc.value)
    assert "Nu s-a importat nimic" in text
    assert "linia 3: denumirea lipsește." in text
    assert "linia 7: „strada buna” apare deja pe linia 2." in text
    assert _snapshot() == snapshot


def test_reset_goes_back_to_the_open_data(filled, tmp_path):
    gazetteer_import(actor=None, path=_write(tmp_path, "good.csv", GOOD_CSV))
    gazetteer_reset(actor=None)
    assert not Place.objects.filter(source="register").exists()
    assert places_search("Iuliu Maniu")[0].name == "Bulevardul Iuliu Maniu"
    assert Event.objects.filter(action="geo.gazetteer_reset").exists()


def test_an_unknown_coordinate_system_is_refused(filled, tmp_path):
    before = _snapshot()
    path = _write(tmp_path, "a.csv", "name,x,y\nStrada X,100,200\n")
    with pytest.raises(GazetteerImportError) as exc:
        gazetteer_import(actor=None, path=path, crs="EPSG:999999")
    assert exc.value.report.errors == ["line 1: the coordinate system “EPSG:999999” is not known."]
    data = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}},
        "features": [],
    }
    path = _write(tmp_path, "a.geojson", json.dumps(data))
    with pytest.raises(GazetteerImportError):
        gazetteer_import(actor=None, path=path)
    assert _snapshot() == before


def test_a_geojson_in_stereo70_is_reprojected(filled, tmp_path):
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3844", always_xy=True).transform(26.03, 44.422)
    data = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3844"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Strada Proiectată"},
                "geometry": {"type": "Point", "coordinates": [x, y]},
            }
        ],
    }
    gazetteer_import(actor=None, path=_write(tmp_path, "s.geojson", json.dumps(data)))
    place = Place.objects.get(name="Strada Proiectată")
    assert abs(place.latitude - 44.422) < 1e-5 and abs(place.longitude - 26.03) < 1e-5
