"""The map builders: offline (no absolute URL at all when no tile server is
set), escaped user text, ANCPI attribution and the approximate-zones note."""

import json
import re

import pytest
from django.test import override_settings

from geo.maps import (
    Legend,
    LegendItem,
    MapPoint,
    areas_map,
    choropleth_classes,
    choropleth_colour,
    choropleth_map,
    choropleth_map_config,
    class_label,
    points_map,
    points_map_config,
    safe_local_url,
)

ABSOLUTE = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
EVIL = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'


def _areas(areas):
    return [areas["sector"], *areas["zones"].values()]


def _points(n=30, title="Bancă în parc"):
    return [
        MapPoint(
            lat=44.42 + i * 0.0005,
            lon=26.03,
            title=title,
            url=f"/proposals/S6-2026-{i:04d}/",
            details=["S6-2026", "Mediu"],
            colour="#009E73",
        )
        for i in range(n)
    ]


def assert_offline(html: str) -> None:
    assert "http://" not in html and "https://" not in html, ABSOLUTE.findall(html)[:5]
    assert not ABSOLUTE.search(html), ABSOLUTE.findall(html)[:5]
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        # Site paths and fragments; a phone number or an email address opens no host.
        assert src.startswith(("/", "#", "tel:", "mailto:")) and not src.startswith("//"), src
    # A CSP nonce is random base64: "cdn" may turn up inside one by chance.
    text = re.sub(r'nonce="[^"]*"', "", html).lower()
    for name in (
        "cdn",
        "jsdelivr",
        "cloudflare",
        "bootstrap",
        "jquery",
        "font-awesome",
        "fontawesome",
    ):
        assert name not in text, name


@pytest.mark.parametrize("cluster", [True, False])
def test_points_map_is_offline_and_uses_our_static_leaflet(areas, cluster):
    html = points_map(
        _points(),
        areas=_areas(areas),
        legend=Legend("L", [LegendItem("Mediu")]),
        cluster=cluster,
        title="Propuneri",
    )
    assert_offline(html)
    assert '<script src="/static/vendor/leaflet/leaflet.js"></script>' in html
    assert 'href="/static/vendor/leaflet/leaflet.css"' in html
    assert ("/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html) is cluster
    assert ("L.markerClusterGroup" in html) is cluster
    assert "L.tileLayer" not in html  # no tile server in tests: outlines only


def test_every_map_carries_the_ancpi_attribution_and_approximate_note(areas):
    for html in (
        points_map(_points(2), areas=_areas(areas)),
        choropleth_map(_areas(areas), {"ghencea": 3}, title="T", legend="Propuneri"),
        areas_map(_areas(areas)),
    ):
        assert "\\u0026copy; ANCPI" in html or "© ANCPI" in html
        assert "OGL-ROU-1.0" in html
        assert "addAttribution" in html
        assert "Approximate zones" in html
        assert_offline(html)


def test_no_approximate_note_with_official_zones(areas):
    from geo.models import Area

    Area.objects.filter(kind="zone").update(is_approximate=False)
    html = points_map(_points(2), areas=list(Area.objects.all()))
    assert "Approximate zones" not in html
    assert "OGL-ROU-1.0" in html


def test_user_text_is_escaped_everywhere(areas):
    zone = areas["zones"]["ghencea"]
    zone.name = EVIL
    html = points_map(
        _points(3, title=EVIL),
        areas=_areas(areas),
        title=EVIL,
        legend=Legend(EVIL, [LegendItem(EVIL)]),
    )
    html2 = choropleth_map(_areas(areas), {"ghencea": 1}, title=EVIL, legend=EVIL)
    for doc in (html, html2):
        assert "<script>alert" not in doc
        assert "<img src=x" not in doc
        assert "onerror=alert(1)>" not in doc
        # exactly the scripts we emit, no injected ones
        assert doc.count("<script") == doc.count("</script>")
    assert "\\u0026lt;/script\\u0026gt;" in html  # escaped HTML, then JSON-escaped


def test_unsafe_urls_and_colours_are_dropped(areas):
    pts = [
        MapPoint(
            lat=44.43, lon=26.02, title="a", url="javascript:alert(1)", colour="red;x:expression()"
        ),
        MapPoint(lat=44.43, lon=26.02, title="b", url="https://evil.example/"),
        MapPoint(lat=44.43, lon=26.02, title="c", url="//evil.example/"),
    ]
    html = points_map(pts, areas=_areas(areas))
    assert "javascript:" not in html and "evil.example" not in html and "expression" not in html
    assert safe_local_url("/proposals/S6-2026-0001/") == "/proposals/S6-2026-0001/"
    assert safe_local_url("/\\evil") == ""


def test_points_with_bad_coordinates_are_skipped(areas):
    pts = [
        MapPoint(lat=float("nan"), lon=26.0, title="nan"),
        MapPoint(lat=44.43, lon=26.02, title="ok"),
    ]
    html = points_map(pts, areas=_areas(areas))
    assert "nan" not in html.split("var rows")[1][:200] if "var rows" in html else True
    assert '"ok"' in html


@override_settings(MAP_TILES_URL="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
def test_tile_server_is_the_only_absolute_address(areas):
    html = points_map(_points(2), areas=_areas(areas))
    hosts = set(re.findall(r"https?://([a-z0-9.-]+)", html))
    assert hosts <= {"tile.openstreetmap.org", "www.openstreetmap.org"}, hosts
    assert "L.tileLayer" in html


def test_choropleth_classes_and_no_data(areas):
    values = {slug: float(i) for i, slug in enumerate(areas["zones"])}
    values["ghencea"] = None
    html = choropleth_map(_areas(areas), values, title="T", legend="Propuneri", decimals=0)
    assert "no data" in html
    assert choropleth_colour(None, choropleth_classes([0, 10])) == "#d9dde3"
    assert choropleth_classes([]) == []


@pytest.mark.parametrize(
    ("values", "decimals", "labels"),
    [
        # The reported bug: mostly zeros gave "0 – 0, 0 – 0, ..." with equal intervals.
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2], 0, ["0", "1", "2"]),
        ([3, 3, 3], 0, ["3"]),
        ([0, 1, 2, 3, 5, 8, 13, 21, 34, 55], 0, ["0 – 1", "2 – 3", "5 – 8", "13 – 21", "34 – 55"]),
        ([0.0, 0.04, 0.11, 0.12, 0.15, 0.33, 0.07], 2, None),
        ([0.001, 0.002, 0.004], 2, ["0.00"]),
    ],
)
def test_choropleth_classes_are_meaningful(values, decimals, labels):
    classes = choropleth_classes(values, decimals=decimals)
    shown = [class_label(c, decimals) for c in classes]
    if labels is not None:
        assert shown == labels
    assert len(set(shown)) == len(shown), shown  # no two classes read the same
    for c in classes:
        assert c.lower <= c.upper
        # every class holds at least one of the values, as shown
        assert any(c.lower <= round(v, decimals) <= c.upper for v in values)
    for lower, upper in zip(classes, classes[1:], strict=False):
        assert lower.upper < upper.lower  # ordered, not overlapping
    # every value gets the colour of the class that holds it
    for v in values:
        colour = choropleth_colour(v, classes, decimals=decimals)
        holder = next(c for c in classes if c.lower <= round(v, decimals) <= c.upper)
        assert colour == holder.colour
    assert len({c.colour for c in classes}) == len(classes)  # distinct colours


def _controls_html(html: str) -> str:
    """The HTML of the map's controls (legend, title, notes), decoded."""
    return "".join(json.loads(raw) for raw in re.findall(r"div\.innerHTML = (\".*?\");", html))


def test_choropleth_legend_of_counts_has_no_empty_ranges(areas):
    values = {slug: 0.0 for slug in areas["zones"]}
    values["ghencea"], values["drumul-taberei"] = 1.0, 4.0
    html = choropleth_map(_areas(areas), values, title="T", legend="Propuneri", decimals=0)
    legend = _controls_html(html)
    assert re.findall(r"</span>([^<]*)</li>", legend) == ["0", "1", "4"]
    assert "<details" in legend and "<summary>Propuneri</summary>" in legend


def test_empty_map_still_renders_outlines(areas):
    html = points_map([], areas=_areas(areas))
    assert "L.geoJSON" in html and "CiicStreetMap.attach" in html
    assert '"Drumul Taberei"' in html  # zone names go to the label engine
    assert_offline(html)


def test_map_without_any_area(db):
    html = points_map(_points(1), areas=[])
    assert_offline(html)
    assert "OGL-ROU-1.0" in html


def _street_config(html: str) -> dict:
    match = re.search(r"CiicStreetMap\.attach\(map_\w+, (\{.*?\})\);\n", html)
    assert match, "no street layer"
    return json.loads(match.group(1))


def test_maps_draw_the_offline_street_layer_with_its_attribution(areas):
    for html in (
        points_map(_points(3), areas=_areas(areas), cluster=False),
        areas_map(_areas(areas)),
    ):
        assert '<script src="/static/geo/streetmap.js"></script>' in html
        config = _street_config(html)
        assert config["streets"] == "/static/geo/osm/streets.geojson"
        assert config["places"] == "/static/geo/osm/places.geojson"
        assert config["attribution"] == ["© OpenStreetMap contributors"]
        assert sorted(z[2] for z in config["zones"]) == sorted(
            z.name for z in areas["zones"].values()
        )
        assert_offline(html)
    # unclustered markers are obstacles for the labels; clustered ones are not
    assert (
        len(_street_config(points_map(_points(3), areas=_areas(areas), cluster=False))["obstacles"])
        == 3
    )
    assert _street_config(points_map(_points(3), areas=_areas(areas)))["obstacles"] == []


def test_the_choropleth_keeps_streets_but_not_landmarks(areas):
    config = _street_config(choropleth_map(_areas(areas), {"ghencea": 2}, title="T", legend="L"))
    assert config["streets"] and config["places"] is None and config["muted"] is True


@override_settings(MAP_TILES_URL="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
def test_a_tile_server_replaces_the_street_layer_but_not_the_zone_labels(areas):
    html = points_map(_points(2), areas=_areas(areas))
    config = _street_config(html)
    assert config["streets"] is None and config["places"] is None
    assert config["attribution"] == []  # the tile layer brings its own
    assert len(config["zones"]) == 13


def test_legends_and_notes_fold_away_on_phones(areas):
    html = points_map(_points(2), areas=_areas(areas), legend=Legend("L", [LegendItem("Mediu")]))
    controls = _controls_html(html)
    assert controls.count("<details") == 2  # the legend and the approximate-zones note
    assert html.count("getSize().x < 600") >= 2


def test_displayed_outlines_are_simplified_and_keep_shared_edges(areas):
    from shapely import union_all
    from shapely.geometry import Point, shape

    from geo.maps import display_areas

    shown = display_areas(_areas(areas))
    original = sum(len(json.dumps(a.geometry)) for a in _areas(areas))
    simplified = sum(len(json.dumps(g)) for _a, g, _l, _w in shown)
    assert simplified < original * 0.7
    zones = [shape(g) for a, g, _l, _w in shown if a.kind == "zone"]
    for geom in zones:
        assert geom.is_valid
    union = union_all(zones)
    overlaps = sum(a.intersection(b).area for i, a in enumerate(zones) for b in zones[i + 1 :])
    assert overlaps < union.area * 1e-6  # coverage simplification: no overlaps
    for a, _g, (lat, lon), _w in shown:
        assert shape(a.geometry).covers(Point(lon, lat)), a.name  # label inside its area


def test_cache_keys_change_with_the_renderer(areas):
    from geo import maps
    from geo.cache import map_cache_key

    before = map_cache_key("demo", "x")
    maps.render_stamp.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(maps, "RENDER_VERSION", "other")
            assert map_cache_key("demo", "x") != before
    finally:
        maps.render_stamp.cache_clear()
    assert map_cache_key("demo", "x") == before


def test_small_map_config_draws_streets_or_the_tile_server(areas, settings):
    from geo.templatetags.geo_maps import map_config, small_map_config

    config = small_map_config()
    assert config["tiles"] == "" and config["streets"] == "/static/geo/osm/streets.geojson"
    assert config["attribution"] == ["© OpenStreetMap contributors"]
    kinds = sorted(a["kind"] for a in config["areas"])
    assert kinds.count("sector") == 1 and kinds.count("zone") == 13
    html = str(map_config())
    assert '<link rel="preload" href="/static/geo/osm/streets.geojson" as="fetch"' in html
    assert '<script id="map-config" type="application/json">' in html
    settings.MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILES_ATTRIBUTION = "© Tiles"
    config = small_map_config()
    assert config["tiles"] == settings.MAP_TILES_URL and config["tilesAttribution"] == "© Tiles"
    assert config["streets"] is None and config["places"] is None and config["attribution"] == []
    assert "preload" not in str(map_config())


# --- maps drawn in the page ({% geo_map %}, geo/static/geo/map.js) ---------------------


def _page(config: dict, **kwargs) -> str:  # type: ignore[type-arg]
    from geo.templatetags.geo_maps import geo_map, geo_map_assets

    return str(geo_map_assets(config)) + str(geo_map(config, "Harta", **kwargs))


def test_a_page_map_is_the_document_map_as_data(areas):
    legend = Legend("L", [LegendItem("Mediu")])
    config = points_map_config(_points(3), areas=_areas(areas), legend=legend, title="T")
    document = points_map(_points(3), areas=_areas(areas), legend=legend, title="T", cluster=False)
    # the same street layer, labels, markers and controls as the folium document
    assert config["streets"] == _street_config(document)
    assert len(config["points"]) == 3 and config["remote"] is None
    assert "<details" in config["legend"] and "Mediu" in config["legend"]
    assert config["note"] and "Approximate zones" in config["note"]
    assert len(config["areas"]["features"]) == 14
    assert config["attribution"]["short"][0] in document
    assert config["narrowBelow"] == 600  # legend and note fold away on phones
    json.dumps(config, allow_nan=False)  # plain JSON
    html = _page(config)
    assert_offline(html)
    assert "<iframe" not in html
    assert re.findall(r'<script src="([^"]+)" defer fetchpriority="high"></script>', html) == [
        "/static/vendor/leaflet/leaflet.js",
        "/static/geo/streetmap.js",
        "/static/geo/map.js",
    ]
    assert 'href="/static/geo/osm/streets.geojson" as="fetch"' in html
    assert "<noscript>" in html and 'role="region" aria-label="Harta"' in html
    assert "data-ciic-map-lazy" not in html and "data-ciic-map-lazy" in _page(config, lazy=True)


def test_a_page_map_loading_its_points_preloads_them(areas):
    config = points_map_config(
        [], areas=_areas(areas), points_from={"url": "/api/proposals.geojson?call=x&status=y"}
    )
    assert config["points"] is None and config["remote"]["cluster"] is True
    html = _page(config)
    assert "/static/geo/point_layer.js" in html
    assert 'href="/api/proposals.geojson?call=x&amp;status=y" as="fetch"' in html
    unsafe = points_map_config([], areas=_areas(areas), points_from={"url": "//evil.example/x"})
    assert unsafe["remote"]["url"] == "" and "evil" not in _page(unsafe)


def test_user_text_in_a_page_map_stays_text(areas):
    zone = areas["zones"]["ghencea"]
    zone.name = EVIL
    configs = [
        points_map_config(
            _points(3, title=EVIL),
            areas=_areas(areas),
            title=EVIL,
            legend=Legend(EVIL, [LegendItem(EVIL)]),
        ),
        choropleth_map_config(_areas(areas), {"ghencea": 1}, title=EVIL, legend=EVIL),
    ]
    for config in configs:
        html = _page(config)
        assert "<script>alert" not in html and "</script><script>" not in html
        assert html.count("<script") == html.count("</script>")
        # HTML the map writes as HTML (controls, popups) is escaped in Python
        assert "<script>" not in config["title"] and "&lt;/script&gt;" in config["title"]
    assert all("&lt;/script&gt;" in row[9] for row in configs[0]["points"])


@override_settings(MAP_TILES_URL="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
def test_a_tile_server_replaces_the_street_layer_of_a_page_map(areas):
    config = choropleth_map_config(_areas(areas), {"ghencea": 2}, title="T", legend="L")
    assert config["tiles"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert config["streets"]["streets"] is None and config["streets"]["attribution"] == []
    assert "streets.geojson" not in _page(config)


def test_small_map_config_is_rendered_once_until_the_areas_change(
    areas, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from ciic.cache import content_changed
    from geo.models import Area
    from geo.templatetags.geo_maps import map_config

    first = str(map_config())
    with django_assert_num_queries(0):
        assert str(map_config()) == first  # the areas are not read again
    zone = Area.objects.filter(kind=Area.Kind.ZONE).order_by("name").first()
    Area.objects.filter(pk=zone.pk).update(name="Zona Noua")
    with django_capture_on_commit_callbacks(execute=True):
        content_changed("areas", warm=False)  # what the zones' import does
    assert "Zona Noua" in str(map_config())
    # each page's own element id, each language its own entry
    assert '<script id="other" type="application/json">' in str(map_config("other"))
