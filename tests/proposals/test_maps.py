"""Proposal maps, GeoJSON download, cache warm-up and zone re-assignment."""

import json
import re
from decimal import Decimal

import geopandas as gpd
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import box, shape

from geo.importers import AreaImportError, areas_import
from geo.models import Area
from geo.services import area_locate_point, located_records_reassign
from proposals.maps import rendering
from proposals.maps import selectors as sel
from proposals.maps.tasks import proposal_maps_rebuild
from proposals.models import Call, Proposal
from tests.factories import UserFactory
from tests.geo.test_maps import assert_offline
from tests.proposals.conftest import call_kwargs

EVIL = '</script><script>alert("x")</script>'
AUTHOR_EMAIL = "ana.private-author@example.org"
POINTS = [
    (44.4220, 26.0300),  # Drumul Taberei
    (44.4370, 25.9990),  # Militari
    (44.4490, 26.0430),  # Crângași
    (44.4570, 26.0330),  # Giulești
]


@pytest.fixture
def data(areas):
    kw = call_kwargs()
    kw.pop("categories")
    call = Call.objects.create(**kw)
    other = Call.objects.create(**{**kw, "slug": "bp-2027", "name": "BP 2027", "year": 2027})
    author = UserFactory(email=AUTHOR_EMAIL, first_name="Ana", last_name="Secretescu")
    specs = [
        ("S6-2026-0001", EVIL, "mediu", "submitted", POINTS[0], call),
        ("S6-2026-0002", "Bibliotecă de cartier", "educatie", "eligible", POINTS[1], call),
        ("S6-2026-0003", "Iluminat în parc", "siguranta", "selected", POINTS[2], call),
        ("S6-2026-0004", "Teren de sport", "infrastructura", "completed", POINTS[3], call),
        ("S6-2026-0005", "Pentru tot sectorul", "social", "ineligible", None, call),
        ("S6-2027-0001", "Altă ediție", "cultura", "selected", POINTS[0], other),
    ]
    made = []
    for i, (ref, title, cat, status, point, c) in enumerate(specs, start=1):
        lat, lon = point if point else (None, None)
        made.append(
            Proposal(
                call=c,
                number=i,
                reference=ref,
                title=title,
                summary="Rezumat",
                category=cat,
                status=status,
                author=author,
                cost_estimate=Decimal(10000 * i),
                latitude=lat,
                longitude=lon,
                whole_sector=point is None,
                zone=area_locate_point(latitude=lat, longitude=lon) if point else None,
                submitted_at=timezone.now(),
            )
        )
    draft = Proposal(
        call=call,
        title="Ciornă secretă",
        summary="x",
        category="mediu",
        status="draft",
        author=author,
        latitude=44.43,
        longitude=26.02,
    )
    Proposal.objects.bulk_create([*made, draft])
    return {"call": call, "other": other, "author": author}


PAGES = [
    ("maps:proposals", []),
    ("maps:proposals_embed", []),
    ("maps:results", ["bp-2026"]),
    ("maps:results_embed", ["bp-2026"]),
    ("maps:participation", ["bp-2026"]),
    ("maps:participation_embed", ["bp-2026"]),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_pages_link_to_no_other_host_and_leak_nothing_private(client, data, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert_offline(html)
    for private in (AUTHOR_EMAIL, "Secretescu", "Ciornă secretă"):
        assert private not in html
    assert "<script>alert" not in html


def _geojson_titles(client, **params) -> set[str]:  # type: ignore[no-untyped-def]
    body = client.get(reverse("maps:proposals_geojson"), params).content
    return {f["properties"]["title"] for f in json.loads(body)["features"]}


def _column_titles(client, **params) -> set[str]:  # type: ignore[no-untyped-def]
    data_ = json.loads(client.get(reverse("maps:proposals_points"), params).content)
    return set(data_["properties"]["title"])


def _page_map(page: str) -> dict:  # type: ignore[type-arg]
    """The configuration of the map a page draws itself (no <iframe>)."""
    assert "<iframe" not in page
    assert 'data-ciic-map="map-config"' in page
    match = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def test_proposals_map_loads_its_points_from_their_columns(client, data):
    html = client.get(reverse("maps:proposals_embed")).content.decode()
    # The document carries no proposal: the browser loads and clusters them.
    assert "Bibliotec" not in html and "S6-2026-0002" not in html
    assert "CiicPointLayer.attach" in html and "geo/point_layer.js" in html
    assert re.search(r'"url": ?"/api/proposals.points.json"', html)
    # clustered in the browser on one canvas, without a marker per point
    assert '"cluster":true' in html and "leaflet.markercluster.js" not in html
    assert "/proposals/{value}/" in html  # each popup links to its proposal
    titles = _geojson_titles(client)
    assert "Bibliotecă de cartier" in titles and EVIL in titles
    assert "Pentru tot sectorul" not in titles  # whole-sector proposals have no marker
    page = client.get(reverse("maps:proposals")).content.decode()
    assert "concern the whole sector" in page or "concerns the whole sector" in page
    # The page draws the same map itself: one document, the points loaded
    # (and preloaded) in columns, deferred scripts.
    config = _page_map(page)
    assert config["remote"]["url"] == "/api/proposals.points.json" and config["remote"]["cluster"]
    assert config["points"] is None
    assert "Bibliotec" not in page and "S6-2026-0002" not in page
    assert '<link rel="preload" href="/api/proposals.points.json" as="fetch"' in page
    for script in ("leaflet/leaflet.js", "geo/streetmap.js", "geo/point_layer.js", "geo/map.js"):
        assert re.search(
            rf'<script src="[^"]*{script}" defer fetchpriority="high"></script>', page
        ), script
    assert "leaflet.markercluster" not in page


def test_filters_by_call_category_and_status(client, data):
    html = client.get(reverse("maps:proposals_embed"), {"category": "educatie"}).content.decode()
    assert "/api/proposals.points.json?category=educatie" in html
    assert _geojson_titles(client, category="educatie") == {"Bibliotecă de cartier"}
    html = client.get(
        reverse("maps:proposals_embed"), {"status": "selected", "call": "bp-2026"}
    ).content.decode()
    assert "/api/proposals.points.json?call=bp-2026\\u0026status=selected" in html or (
        "call=bp-2026" in html and "status=selected" in html
    )
    assert _geojson_titles(client, status="selected", call="bp-2026") == {"Iluminat în parc"}
    page = client.get(reverse("maps:proposals"), {"call": "bp-2027"}).content.decode()
    assert _page_map(page)["remote"]["url"] == "/api/proposals.points.json?call=bp-2027"
    assert _column_titles(client, category="educatie") == {"Bibliotecă de cartier"}
    assert _column_titles(client, status="selected", call="bp-2026") == {"Iluminat în parc"}


def test_bad_filters_are_reported_and_ignored(client, data):
    page = client.get(reverse("maps:proposals"), {"category": "<b>x</b>", "call": "nope"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "were not understood" in text and "<b>x</b>" not in text
    titles = _geojson_titles(client, status="draft")
    assert "Ciornă secretă" not in titles and "Bibliotecă de cartier" in titles


def test_results_map_shows_funded_projects_sized_by_cost(client, data):
    html = client.get(reverse("maps:results_embed", args=["bp-2026"])).content.decode()
    assert "Iluminat" in html and "Teren de sport" in html
    assert "Bibliotec" not in html and "Altă ediție" not in html
    assert "L.markerClusterGroup" not in html
    rows = sel.results_rows(data["call"])
    radii = [p.radius for p in rendering.proposal_points(rows, size_by_cost=True)]
    assert radii[0] < radii[1]  # 30,000 RON smaller than 40,000 RON
    page = client.get(reverse("maps:results", args=["bp-2026"])).content.decode()
    assert "70,000" in page or "70.000" in page  # total of the two funded projects
    config = _page_map(page)
    assert config["remote"] is None
    assert sorted(p[8] for p in config["points"]) == ["Iluminat în parc", "Teren de sport"]
    assert [p[2] for p in config["points"]] == radii  # sized by cost, as in the document
    assert client.get(reverse("maps:results", args=["nope"])).status_code == 404


def test_participation_values_and_metrics(client, data, areas):
    Area.objects.filter(slug="drumul-taberei").update(adult_population=20000)
    zones = list(Area.objects.all())
    rows = {r.slug: r for r in sel.zone_participation(data["call"], zones)}
    dt = rows["drumul-taberei"].values
    assert dt["proposals"] == 1 and dt["eligible"] == 0 and dt["per_1000"] == 0.05
    assert (
        rows["militari-lujerului"].values["per_1000"] is None
        or rows["militari-lujerului"].adult_population
    )
    assert sum(r.values["eligible"] for r in rows.values()) == 3
    for metric in sel.METRICS:
        response = client.get(reverse("maps:participation", args=["bp-2026"]), {"metric": metric})
        assert response.status_code == 200
    html = client.get(
        reverse("maps:participation_embed", args=["bp-2026"]), {"metric": "per_1000"}
    ).content.decode()
    assert "no data" in html and "Proposals per 1,000 adults" in html
    page = client.get(
        reverse("maps:participation", args=["bp-2026"]), {"metric": "per_1000"}
    ).content.decode()
    config = _page_map(page)
    assert "no data" in config["legend"] and "Proposals per 1,000 adults" in config["title"]
    assert config["streets"]["muted"] and config["streets"]["places"] is None
    bad = client.get(
        reverse("maps:participation", args=["bp-2026"]), {"metric": "x"}
    ).content.decode()
    assert "Unknown measure" in bad


def test_proposals_geojson_is_valid_and_public_only(client, data, areas):
    response = client.get(reverse("maps:proposals_geojson"))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/geo+json"
    )
    body = response.content.decode()
    for private in (AUTHOR_EMAIL, "Secretescu", "Ana", "Ciornă", "author", "email"):
        assert private not in body
    data_ = json.loads(body)
    assert data_["type"] == "FeatureCollection"
    assert len(data_["features"]) == 5
    sector = shape(areas["sector"].geometry)
    # What the map shows, nothing more; proposals without a point are not on it.
    allowed = {"reference", "title", "category", "status", "cost_ron", "zone_name"}
    for f in data_["features"]:
        assert f["type"] == "Feature" and set(f["properties"]) == allowed
        lon, lat = f["geometry"]["coordinates"]
        assert 25.9 < lon < 26.1 and 44.4 < lat < 44.5
        assert sector.covers(shape(f["geometry"]))
    titles = {f["properties"]["title"] for f in data_["features"]}
    assert EVIL in titles  # JSON data keeps the text as is; it is not HTML
    filtered = json.loads(
        client.get(reverse("maps:proposals_geojson"), {"call": "bp-2027"}).content
    )
    assert [f["properties"]["reference"] for f in filtered["features"]] == ["S6-2027-0001"]


def test_the_maps_points_in_columns_are_the_geojson_points(client, data):
    """What the map pages draw (`/api/proposals.points.json`): the same points,
    properties and filters as the GeoJSON, in columns."""
    geojson = json.loads(client.get(reverse("maps:proposals_geojson")).content)
    response = client.get(reverse("maps:proposals_points"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.content.decode()
    for private in (AUTHOR_EMAIL, "Secretescu", "Ciornă", "author", "email"):
        assert private not in body
    cols = json.loads(body)
    assert cols["type"] == "PointColumns" and cols["count"] == len(geojson["features"]) == 5
    scale = 10 ** cols["decimals"]

    def value(name: str, i: int):  # type: ignore[no-untyped-def]
        col = cols["properties"][name]
        return col["values"][col["codes"][i]] if isinstance(col, dict) else col[i]

    for i, f in enumerate(geojson["features"]):
        lon, lat = f["geometry"]["coordinates"]
        assert abs(cols["lon"][i] / scale - lon) < 1e-5 and abs(cols["lat"][i] / scale - lat) < 1e-5
        assert {k: value(k, i) for k in cols["properties"]} == f["properties"]
    assert EVIL in cols["properties"]["title"]  # data, not HTML
    filtered = json.loads(client.get(reverse("maps:proposals_points"), {"call": "bp-2027"}).content)
    assert filtered["count"] == 1 and filtered["properties"]["reference"] == ["S6-2027-0001"]


def test_maps_are_cached_and_rebuilt_after_a_bump(
    client, data, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    import re

    def without_nonce(content: bytes) -> bytes:  # each response has its own CSP nonce
        return re.sub(rb' nonce="[^"]+"', b"", content)

    url = reverse("maps:results_embed", args=["bp-2026"])
    first = without_nonce(client.get(url).content)
    with django_assert_max_num_queries(3):  # served from the cache (session/auth, the call)
        assert without_nonce(client.get(url).content) == first
    Proposal.objects.filter(reference="S6-2026-0003").update(title="Bibliotecă nouă")
    assert b"Bibliotec\xc4\x83 nou\xc4\x83" not in client.get(url).content  # still cached
    from geo.cache import map_cache_bump

    with django_capture_on_commit_callbacks(execute=True):
        map_cache_bump("proposals")  # enqueues proposal_maps_rebuild (in-process in tests)
    with django_assert_max_num_queries(3):
        assert "Bibliotecă nouă" in client.get(url).content.decode()


def test_rebuild_job_warms_every_language_and_call(data, settings):
    cache.clear()
    count = proposal_maps_rebuild()
    # each map twice: drawn in the page and as an embeddable document
    assert count == len(settings.LANGUAGES) * 2 * (1 + 2 * 2)


def _halves(sector):
    geom = shape(sector.geometry)
    mid = (sector.min_lon + sector.max_lon) / 2
    west = geom.intersection(box(sector.min_lon - 1, sector.min_lat - 1, mid, sector.max_lat + 1))
    east = geom.intersection(box(mid, sector.min_lat - 1, sector.max_lon + 1, sector.max_lat + 1))
    return west, east, mid


def test_importing_zones_reassigns_every_located_proposal(data, areas, tmp_path):
    west, east, mid = _halves(areas["sector"])
    path = tmp_path / "z.geojson"
    gpd.GeoDataFrame({"name": ["Vest", "Est"]}, geometry=[west, east], crs="EPSG:4326").to_file(
        path
    )
    report = areas_import(actor=None, path=path, kind="zone", name_field="name")
    assert report.reassigned["proposals.Proposal"] >= 5
    for p in Proposal.objects.exclude(latitude=None):
        assert p.zone.slug == ("vest" if p.longitude < mid else "est")
    assert Proposal.objects.get(reference="S6-2026-0005").zone is None
    assert set(located_records_reassign().values()) == {0}  # idempotent, every located model


def test_import_refused_when_a_zone_budget_protects_a_removed_zone(data, areas, tmp_path):
    from proposals.models import ZoneBudget

    ZoneBudget.objects.create(
        call=data["call"], zone=areas["zones"]["ghencea"], amount=Decimal("1000")
    )
    before = dict(Proposal.objects.values_list("reference", "zone_id"))
    west, east, _mid = _halves(areas["sector"])
    path = tmp_path / "z.geojson"
    gpd.GeoDataFrame({"name": ["Vest", "Est"]}, geometry=[west, east], crs="EPSG:4326").to_file(
        path
    )
    with pytest.raises(AreaImportError) as exc:
        areas_import(actor=None, path=path, kind="zone", name_field="name")
    assert "cannot be removed" in " ".join(exc.value.report.errors)
    assert Area.objects.filter(kind="zone").count() == 13
    assert dict(Proposal.objects.values_list("reference", "zone_id")) == before


def test_no_absolute_url_in_any_map_page_header(client, data):
    html = client.get(reverse("maps:proposals")).content.decode()
    assert not re.search(r"https?://", html)
