import json

import pytest
from django.urls import reverse
from shapely.geometry import shape

from ciic.accounts.models import Role
from tests.auth import add_totp, login
from tests.factories import UserFactory, staff_user


def test_areas_geojson_is_a_valid_feature_collection(client, areas):
    response = client.get(reverse("geo:areas_geojson"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert data["approximate_zones"] is True and "OGL-ROU-1.0" in data["attribution"]
    assert len(data["features"]) == 14
    sector = shape(
        next(f for f in data["features"] if f["properties"]["kind"] == "sector")["geometry"]
    )
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        geom = shape(feature["geometry"])
        assert geom.is_valid and geom.geom_type in {"Polygon", "MultiPolygon"}
        lon, lat = geom.representative_point().coords[0]
        assert 25.9 < lon < 26.1 and 44.4 < lat < 44.5  # lon/lat order
        assert sector.buffer(1e-7).covers(geom)
        assert set(feature["properties"]) == {
            "name",
            "slug",
            "kind",
            "approximate",
            "adult_population",
            "attribution",
        }


def _admin_with_totp():

    user = staff_user(Role.ADMINISTRATOR)
    add_totp(user)
    return user


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.FACILITATOR, Role.ASSESSOR])
def test_import_page_is_for_administrators_only(client, areas, role):

    if role is not None:
        user = UserFactory(roles=[role])
        add_totp(user)
        login(client, user)
    response = client.get(reverse("geo:area_import"))
    assert response.status_code in (302, 403)
    if role is not None:
        assert response.status_code == 403


def test_administrator_imports_and_sees_errors(client, areas, tmp_path):
    import geopandas as gpd
    from django.core.files.uploadedfile import SimpleUploadedFile
    from shapely.geometry import box

    login(client, _admin_with_totp())
    page = client.get(reverse("geo:area_import"))
    assert page.status_code == 200 and "Drumul Taberei" in page.content.decode()

    bad = SimpleUploadedFile(
        "zones.geojson", b"not geo at all", content_type="application/geo+json"
    )
    response = client.post(
        reverse("geo:area_import"), {"file": bad, "kind": "zone", "name_field": "name"}
    )
    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode()

    s = areas["sector"]
    mid = (s.min_lon + s.max_lon) / 2
    sector = shape(s.geometry)
    west = sector.intersection(box(s.min_lon - 1, s.min_lat - 1, mid, s.max_lat + 1))
    east = sector.intersection(box(mid, s.min_lat - 1, s.max_lon + 1, s.max_lat + 1))
    path = tmp_path / "z.geojson"
    gpd.GeoDataFrame({"name": ["Vest", "Est"]}, geometry=[west, east], crs="EPSG:4326").to_file(
        path
    )
    upload = SimpleUploadedFile("z.geojson", path.read_bytes(), content_type="application/geo+json")
    response = client.post(
        reverse("geo:area_import"),
        {"file": upload, "kind": "zone", "name_field": "name"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Imported 2 area(s)" in response.content.decode()


@pytest.mark.parametrize(
    "geometry,reason",
    [
        (
            {
                "type": "Polygon",
                "coordinates": [[[26.03, 44.42], [26.04, 44.42], [26.04, 44.43], [26.03, 44.43]]],
            },
            "a ring is not closed",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[26.03, 44.42], [26.04, "NaN"], [26.04, 44.43], [26.03, 44.42]]],
            },
            "not a number",
        ),
    ],
)
def test_broken_geometry_upload_shows_the_feature_and_changes_nothing(
    client, areas, geometry, reason
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ciic.audit.models import Event
    from geo.models import Area

    login(client, _admin_with_totp())
    before = sorted(Area.objects.values_list("slug", "geometry", "updated_at"))
    text = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": "Cartier"}, "geometry": geometry}
            ],
        }
    ).replace('"NaN"', "NaN")
    upload = SimpleUploadedFile("z.geojson", text.encode(), content_type="application/geo+json")
    response = client.post(
        reverse("geo:area_import"), {"file": upload, "kind": "zone", "name_field": "name"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html and "Feature 1 (“Cartier”)" in html and reason in html
    assert sorted(Area.objects.values_list("slug", "geometry", "updated_at")) == before
    assert not Event.objects.filter(action="geo.areas_imported").exists()


# --- the place search API -------------------------------------------------------------


@pytest.fixture
def gazetteer(areas):
    from geo.gazetteer import gazetteer_osm_load, gazetteer_zones_sync

    gazetteer_osm_load()
    gazetteer_zones_sync()


def test_places_api_answers_a_street(client, gazetteer):
    response = client.get(reverse("geo:places"), {"q": "iuliu maniu"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["query"] == "iuliu maniu" and data["count"] == 1
    hit = data["results"][0]
    assert set(hit) == {
        "name",
        "kind",
        "kind_label",
        "lat",
        "lon",
        "bbox",
        "detail",
        "url",
        "inside_sector",
    }
    assert hit["name"] == "Bulevardul Iuliu Maniu" and hit["kind"] == "street"
    assert hit["kind_label"] == "Street"
    assert len(hit["bbox"]) == 4 and 44.4 < hit["lat"] < 44.5 and 25.9 < hit["lon"] < 26.1


def test_places_api_is_translated(client, gazetteer, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ro"
    response = client.get(reverse("geo:places"), {"q": "metrou gorjului"})
    hit = json.loads(response.content)["results"][0]
    assert (hit["name"], hit["kind_label"]) == ("Gorjului", "Stație de metrou")


def test_places_api_is_bounded(client, gazetteer):
    data = json.loads(client.get(reverse("geo:places"), {"q": "strada"}).content)
    assert data["count"] == 8
    data = json.loads(client.get(reverse("geo:places"), {"q": "strada", "limit": "999"}).content)
    assert data["count"] == 20
    data = json.loads(client.get(reverse("geo:places"), {"q": "strada", "limit": "x"}).content)
    assert data["count"] == 8
    data = json.loads(client.get(reverse("geo:places"), {"q": "s" * 1000}).content)
    assert data["count"] == 0 and len(data["query"]) == 100
    assert json.loads(client.get(reverse("geo:places")).content)["results"] == []


def test_places_api_answers_coordinates(client, gazetteer):
    data = json.loads(client.get(reverse("geo:places"), {"q": "44.4345, 26.0213"}).content)
    hit = data["results"][0]
    assert hit["kind"] == "coordinates" and hit["inside_sector"] is True
    assert "Militari-Gorjului" in hit["detail"]
    data = json.loads(client.get(reverse("geo:places"), {"q": "44.4268 26.1025"}).content)
    assert data["results"][0]["inside_sector"] is False


def test_places_api_reads_only(client, gazetteer):
    assert client.post(reverse("geo:places"), {"q": "iuliu"}).status_code == 405
