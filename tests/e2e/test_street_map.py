"""The offline street map in a real browser (Chromium, no network): the
location step's place search moves the map, a click places the point, a
point outside Sector 6 is refused and the map stays on the sector; the
public maps draw the street layer with its attribution; and no map page or
the proposal form is wider than a 360 px phone screen."""

import datetime as dt
import re

import pytest

from .stack import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def resident(db):  # type: ignore[no-untyped-def]
    from allauth.account.models import EmailAddress

    from tests.factories import verified_resident

    user, _verification, _cnp = verified_resident(born=dt.date(1980, 5, 6), serial=78)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def draft(open_call, resident):  # type: ignore[no-untyped-def]
    from proposals.models import Category
    from proposals.services import proposal_draft_create

    return proposal_draft_create(
        actor=resident,
        call=open_call,
        title="Bănci pe Bulevardul Iuliu Maniu",
        summary="Bănci și umbră la stația de autobuz.",
        description="",
        category=Category.MEDIU,
    )


@pytest.fixture
def published(open_call, resident):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from proposals.models import Category
    from proposals.services import proposal_draft_create, proposal_submit, proposal_update

    proposal = proposal_draft_create(
        actor=resident,
        call=open_call,
        title="Fântână în Parcul Drumul Taberei",
        summary="Apă potabilă pentru alergători.",
        description="",
        category=Category.MEDIU,
    )
    proposal_update(
        actor=resident,
        proposal=proposal,
        data={
            "latitude": 44.4203,
            "longitude": 26.0315,
            "whole_sector": False,
            "cost_estimate": Decimal("90000"),
            "consent_publication": True,
            "consent_image_rights": True,
        },
    )
    return proposal_submit(actor=resident, proposal=proposal)


def _map_state(page):  # type: ignore[no-untyped-def]
    return page.evaluate(
        """() => { const m = document.getElementById('location-map').ciicMap;
                   const c = m.getCenter(); return {lat: c.lat, lon: c.lng, zoom: m.getZoom()}; }"""
    )


def _streets_drawn(frame_or_page) -> None:  # type: ignore[no-untyped-def]
    frame_or_page.wait_for_function("() => window.ciicStreetsDrawnAt > 0", timeout=15000)


def test_typing_a_boulevard_moves_the_map_and_a_click_places_the_point(page, draft, resident):
    from proposals.models import Proposal

    log_in(page, resident.email)
    street_requests = []
    page.on(
        "request",
        lambda r: street_requests.append(r.url) if "/static/geo/osm/" in r.url else None,
    )
    page.goto(f"/proposals/edit/{draft.pk}/where/")
    _streets_drawn(page)
    assert any(u.endswith("streets.geojson") for u in street_requests)
    assert "© OpenStreetMap contributors" in page.inner_text(
        "#location-map .leaflet-control-attribution"
    )
    before = _map_state(page)

    # The search box is labelled and driven by the keyboard alone.
    search = page.get_by_label("Find a street, a place or a zone")
    search.fill("Iuliu Maniu")
    option = page.locator("#location-search-list [role=option]").first
    option.wait_for()
    assert "Bulevardul Iuliu Maniu" in option.inner_text()
    assert search.get_attribute("aria-expanded") == "true"
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == "location-search-list-0"
    search.press("Enter")  # moves the map; never submits the proposal form
    assert page.url.endswith("/where/")
    page.wait_for_function("() => document.getElementById('location-map').ciicMap.getZoom() >= 14")
    after = _map_state(page)
    assert after["zoom"] > before["zoom"]
    assert abs(after["lat"] - 44.434) < 0.004  # on the boulevard, not the sector's middle
    assert "Bulevardul Iuliu Maniu" in page.inner_text("#location-status")
    assert page.input_value("input[name=latitude]") == ""  # a street is not a point yet

    # Click the exact place: the point is set next to the boulevard.
    page.locator("#location-map").scroll_into_view_if_needed()  # mouse clicks need it on screen
    box = page.locator("#location-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    lat = float(page.input_value("input[name=latitude]"))
    lon = float(page.input_value("input[name=longitude]"))
    assert abs(lat - after["lat"]) < 0.002 and abs(lon - after["lon"]) < 0.003
    page.wait_for_function(
        "() => document.getElementById('location-status').textContent.includes('Point placed:')"
    )
    assert "Bulevardul Iuliu Maniu" in page.inner_text("#location-status")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.url.endswith("/cost/")
    draft = Proposal.objects.get(pk=draft.pk)
    assert draft.zone is not None
    # The review step says where in words.
    page.goto(f"/proposals/edit/{draft.pk}/review/")
    location = page.locator(".review-list dd").nth(1).inner_text()
    assert "Bulevardul Iuliu Maniu" in location and draft.zone.name in location
    assert not re.search(r"\d+[.,]\d{4}", location)  # no raw coordinates


def test_a_metro_station_by_mouse_and_coordinates_typed_in_the_search(page, draft, resident):
    log_in(page, resident.email)
    page.goto(f"/proposals/edit/{draft.pk}/where/")
    _streets_drawn(page)
    search = page.locator("#location-search-input")
    search.fill("metrou gorjului")
    page.locator("#location-search-list [role=option]", has_text="Gorjului").first.click()
    page.wait_for_function("() => document.getElementById('location-map').ciicMap.getZoom() >= 16")
    state = _map_state(page)
    assert abs(state["lat"] - 44.4342) < 0.001 and abs(state["lon"] - 26.0213) < 0.001
    # Coordinates typed in the search box place the point directly.
    search.fill("44.4220, 26.0300")
    search.press("Enter")
    page.wait_for_function("() => document.getElementById('id_latitude').value !== ''")
    assert page.input_value("#id_latitude") == "44.422000"
    assert page.input_value("#id_longitude") == "26.030000"


def test_a_point_outside_the_sector_is_refused_and_the_map_stays_on_it(page, draft, resident):
    log_in(page, resident.email)
    page.goto(f"/proposals/edit/{draft.pk}/where/")
    _streets_drawn(page)
    sector = page.evaluate(
        """() => { const b = document.getElementById('location-map').ciicSector.getBounds();
                   return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }"""
    )

    def on_sector(state):  # type: ignore[no-untyped-def]
        return sector[0] <= state["lat"] <= sector[2] and sector[1] <= state["lon"] <= sector[3]

    # In the browser: a click outside the sector outline is refused at once.
    page.locator("#location-map").scroll_into_view_if_needed()
    page.locator("#location-map").scroll_into_view_if_needed()  # mouse clicks need it on screen
    box = page.locator("#location-map").bounding_box()
    assert box is not None
    x, y = 12, box["height"] * 0.5  # left edge, half-way down: west of the sector
    outside = page.evaluate(
        """([x, y]) => { const el = document.getElementById('location-map');
            const ll = el.ciicMap.containerPointToLatLng([x, y]);
            const g = el.ciicSector.toGeoJSON().features[0].geometry;
            return !CiicStreetMap.containsPoint(g, ll.lat, ll.lng); }""",
        [x, y],
    )
    assert outside
    page.mouse.click(box["x"] + x, box["y"] + y)
    assert page.input_value("input[name=latitude]") == ""
    assert "outside Sector 6" in page.inner_text("#location-status")
    assert "is-prominent" in (page.locator(".map-back-button").get_attribute("class") or "")

    # On the server: typed coordinates outside are refused, the map stays on the sector.
    page.fill("input[name=latitude]", "44.4268")
    page.fill("input[name=longitude]", "26.1025")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.url.endswith("/where/")
    _streets_drawn(page)
    assert on_sector(_map_state(page))
    assert "outside Sector 6" in page.locator("main .errorlist").first.inner_text()
    assert page.inner_text("#location-status") == ""  # one message, the server's
    assert "is-prominent" in (page.locator(".map-back-button").get_attribute("class") or "")
    # Wander off, then come back with one button.
    page.evaluate(
        "() => { document.getElementById('location-map').ciicMap.setView([44.40, 26.15], 15, {animate: false}); }"
    )
    assert not on_sector(_map_state(page))
    page.get_by_role("button", name="Back to Sector 6").click()
    page.wait_for_timeout(400)
    state = _map_state(page)
    assert on_sector(state) and state["zoom"] < 13


def test_public_maps_draw_streets_with_the_osm_attribution(page, published):
    page.goto("/map/")
    # drawn in the page itself: one document, no <iframe>
    assert page.locator("iframe").count() == 0
    page.locator("[data-ciic-map] .leaflet-control-attribution").wait_for()
    _streets_drawn(page)
    text = page.inner_text("[data-ciic-map] .leaflet-control-attribution")
    assert "© OpenStreetMap contributors" in text and "ANCPI" in text
    # the labels are drawn on their own canvas, above the streets
    assert page.locator("canvas.ciic-map-labels").count() == 1
    assert "© OpenStreetMap contributors (ODbL)" in page.inner_text("main")


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, locale="ro-RO"
    )
    external: list[str] = []
    context.on(
        "request",
        lambda r: (
            external.append(r.url)
            if not r.url.startswith((live_server.url, "data:", "blob:", "about:"))
            else None
        ),
    )
    page = context.new_page()
    yield page
    context.close()
    assert external == []


def _no_horizontal_scroll(page, path):  # type: ignore[no-untyped-def]
    page.goto(path)
    page.wait_for_load_state("networkidle")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width}px wide"


def test_no_map_page_or_the_proposal_form_is_wider_than_a_phone(phone, published, draft, resident):
    call = published.call.slug
    for path in (
        "/map/",
        f"/map/participation/{call}/",
        f"/map/results/{call}/",
        published.get_absolute_url(),
    ):
        _no_horizontal_scroll(phone, path)
    # the table under the participation map scrolls inside its own box
    phone.goto(f"/map/participation/{call}/")
    phone.locator("[data-ciic-map]").scroll_into_view_if_needed()
    phone.locator("[data-ciic-map] .map-legend").wait_for()
    box = phone.locator(".table-scroll")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    # the legend starts folded on a phone and never covers most of the map
    assert phone.evaluate("() => document.querySelector('.map-legend').open") is False
    phone.locator(".map-legend summary").click()
    legend = phone.locator(".map-legend").bounding_box()
    mapbox = phone.locator("[data-ciic-map]").bounding_box()
    assert legend and mapbox
    assert legend["height"] * legend["width"] < 0.5 * mapbox["height"] * mapbox["width"]

    log_in(phone, resident.email)
    for step in ("where", "what", "review"):
        _no_horizontal_scroll(phone, f"/proposals/edit/{draft.pk}/{step}/")


LABELS_JS = """() => {
    const canvas = document.querySelector('canvas.ciic-map-labels');
    return canvas ? canvas.placedLabels : null;
}"""


def _overlaps(placed):  # type: ignore[no-untyped-def]
    found = []
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            if a[0] != b[0] and a[1] < b[3] and a[3] > b[1] and a[2] < b[4] and a[4] > b[2]:
                found.append((a[5], b[5]))
    return found


@pytest.mark.parametrize("width", [360, 1280])
def test_labels_never_overlap(browser, live_server, published, width):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 780}, locale="ro-RO"
    )
    page = context.new_page()
    call = published.call.slug
    for path, zooms in (
        (f"/map/participation/{call}/?metric=proposals", [None, 13]),
        ("/map/", [None, 14, 15.5, 17]),
        # the same maps as documents for other sites' <iframe>s
        ("/map/embed/proposals/", [None, 15.5]),
    ):
        page.goto(path)
        _streets_drawn(page)
        close: set[str] = set()
        for zoom in zooms:
            if zoom is not None:
                page.evaluate(
                    """(z) => {
                        const box = document.querySelector('[data-ciic-map]');
                        const maps = box ? [box.ciicMap] : Object.keys(window)
                            .filter(k => k.startsWith('map_') && window[k] && window[k].setView)
                            .map(k => window[k]);
                        maps.forEach(m => m.setView([44.4345, 26.0213], z, {animate: false}));
                    }""",
                    zoom,
                )
                page.wait_for_timeout(300)
            placed = page.evaluate(LABELS_JS)
            assert placed, (path, zoom)
            assert _overlaps(placed) == [], (path, zoom)
            texts = {p[5] for p in placed}
            if zoom is None:
                assert texts & {"Drumul Taberei", "Ghencea", "Crângași"}, texts  # zone names
            elif zoom >= 15:
                close.update(texts)
        # names along the roads, close up (a phone's map box, 318×398 px, may
        # hold a named road at one of the zooms only)
        if any(z is not None and z >= 15 for z in zooms):
            assert any(t.startswith(("Bulevardul", "Strada", "Calea")) for t in close), close
    context.close()


def test_the_proposals_map_loads_its_points_in_columns(page, published):  # type: ignore[no-untyped-def]
    data_requests: list[str] = []
    page.on(
        "request",
        lambda r: data_requests.append(r.url) if "/api/proposals." in r.url else None,
    )
    page.goto("/map/")
    page.wait_for_function("() => window.ciicPointsDrawnAt !== undefined", timeout=20_000)
    assert page.evaluate("() => window.ciicPointsCount") == 1
    assert data_requests and all(u.endswith("/api/proposals.points.json") for u in data_requests)
    # preloaded by the page's head and fetched once: the preload is reused
    assert len(data_requests) == 1, data_requests
    assert published.title not in page.content()  # the page carries no point data


def test_a_click_on_a_point_opens_its_popup_with_a_link(page, published):  # type: ignore[no-untyped-def]
    """The popup of a point is put together from the columns when it is
    clicked: the title, the reference, the category and status, the cost and
    the zone, and a link to the proposal."""
    page.goto("/map/")
    page.wait_for_function("() => window.ciicPointsDrawnAt !== undefined", timeout=20_000)
    page.evaluate("() => document.querySelector('[data-ciic-map]').scrollIntoView()")
    at = page.evaluate(
        """() => {
            const drawn = window.ciicPointLayer.drawn;
            const box = document.querySelector('[data-ciic-map]').getBoundingClientRect();
            return drawn.length === 1 ? [box.left + drawn[0][0], box.top + drawn[0][1]] : null;
        }"""
    )
    assert at, "one point, drawn alone"
    page.mouse.click(at[0], at[1])
    popup = page.locator(".leaflet-popup-content .map-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert published.title in text and published.reference in text
    assert "90.000 lei" in text or "90,000 lei" in text, text
    link = popup.locator("a")
    assert link.get_attribute("href") == f"/proposals/{published.reference}/"
