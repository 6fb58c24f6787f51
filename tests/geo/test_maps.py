"""The map builders: offline (no absolute URL at all when no tile server is
set), escaped user text, ANCPI attribution and the approximate-zones note."""

import re

import pytest
from django.test import override_settings

from geo.maps import (
    Legend,
    LegendItem,
    MapPoint,
    areas_map,
    choropleth_colour,
    choropleth_map,
    class_breaks,
    points_map,
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
        assert src.startswith(("/", "#")) and not src.startswith("//"), src
    for name in (
        "cdn",
        "jsdelivr",
        "cloudflare",
        "bootstrap",
        "jquery",
        "font-awesome",
        "fontawesome",
    ):
        assert name not in html.lower(), name


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
    breaks = class_breaks([0, 10])
    assert breaks == [2, 4, 6, 8, 10]
    assert choropleth_colour(None, breaks) == "#d9dde3"
    assert choropleth_colour(0, breaks) == "#f0f9e8" and choropleth_colour(10, breaks) == "#0868ac"
    assert class_breaks([]) == [] and class_breaks([3, 3]) == [3]


def test_empty_map_still_renders_outlines(areas):
    html = points_map([], areas=_areas(areas))
    assert "L.geoJSON" in html and "zone-label" in html
    assert_offline(html)


def test_map_without_any_area(db):
    html = points_map(_points(1), areas=[])
    assert_offline(html)
    assert "OGL-ROU-1.0" in html
