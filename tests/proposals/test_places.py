"""Proposals in geo's place search (through `geo.registry.place_providers`),
and where a proposal is, in words, on the review step and its page."""

import json

import pytest
from django.urls import reverse

from geo.selectors import places_search
from proposals.models import Proposal

from .conftest import INSIDE, make_draft, make_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer(areas):
    from geo.gazetteer import gazetteer_osm_load, gazetteer_zones_sync

    gazetteer_osm_load()
    gazetteer_zones_sync()


@pytest.fixture
def submitted(call, resident, gazetteer):
    return make_submitted(author=resident, call=call)


@pytest.mark.parametrize("query", ["S6-2026-0001", "s6-2026-0001", "s6 2026 1", "S6/2026/1"])
def test_a_proposal_is_found_by_its_reference(submitted, query):
    hits = places_search(query)
    assert len(hits) == 1
    hit = hits[0]
    assert hit.kind == "proposal" and hit.name == f"{submitted.reference} — {submitted.title}"
    assert (hit.lat, hit.lon) == (INSIDE["latitude"], INSIDE["longitude"])
    assert hit.url == f"/proposals/{submitted.reference}/"
    assert hit.detail == "Drumul Taberei"


def test_the_beginning_of_a_reference_lists_the_proposals(call, resident, gazetteer):
    first = make_submitted(author=resident, call=call)
    second = make_submitted(author=resident, call=call, title="Alt proiect")
    names = [h.name for h in places_search("S6-2026")]
    assert names == [f"{second.reference} — Alt proiect", f"{first.reference} — {first.title}"]


def test_drafts_and_proposals_without_a_place_are_not_found(call, resident, gazetteer):
    make_draft(author=resident, call=call)
    whole = make_submitted(
        author=resident, call=call, whole_sector=True, latitude=None, longitude=None
    )
    assert whole.reference and places_search(whole.reference) == []
    assert places_search("S6-2026") == []
    assert Proposal.objects.filter(status=Proposal.Status.DRAFT).exists()


def test_the_api_answers_a_reference(client, submitted):
    data = json.loads(client.get(reverse("geo:places"), {"q": submitted.reference}).content)
    assert data["results"][0]["kind"] == "proposal"
    assert data["results"][0]["url"] == f"/proposals/{submitted.reference}/"


def test_the_review_step_names_the_street_and_zone_not_coordinates(
    client, call, resident, gazetteer
):
    draft = make_draft(author=resident, call=call, latitude=44.4345, longitude=26.0213)
    client.force_login(resident)
    html = client.get(f"/proposals/edit/{draft.pk}/review/").content.decode()
    assert "about 40 m from Bulevardul Iuliu Maniu" in html
    assert "Zone: Militari-Gorjului" in html
    assert "44.4345" not in html and "26.0213" not in html and "44,4345" not in html


def test_the_location_step_has_the_place_search_and_the_street_map(client, call, resident):
    draft = make_draft(author=resident, call=call)
    client.force_login(resident)
    html = client.get(f"/proposals/edit/{draft.pk}/where/").content.decode()
    assert 'role="combobox"' in html and 'aria-controls="location-search-list"' in html
    assert '<label for="location-search-input">' in html
    assert 'data-url="/api/places/"' in html
    assert '<script id="map-config" type="application/json">' in html
    assert "/static/geo/osm/streets.geojson" in html
    assert "/static/geo/streetmap.js" in html and "/static/geo/place_search.js" in html
    assert 'data-back-label="Back to Sector 6"' in html
    assert 'data-refused="1"' not in html


def test_a_refused_point_keeps_the_map_on_the_sector(client, call, resident):
    draft = make_draft(author=resident, call=call)
    client.force_login(resident)
    r = client.post(
        f"/proposals/edit/{draft.pk}/where/", {"latitude": 44.4268, "longitude": 26.1025}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'data-refused="1"' in html and "Back to Sector 6" in html


def test_the_proposal_page_names_the_street(client, submitted):
    html = client.get(f"/proposals/{submitted.reference}/").content.decode()
    assert "Zone: Drumul Taberei" in html and " m from " in html
    assert '<script id="map-config" type="application/json">' in html
