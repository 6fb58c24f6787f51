"""The gazetteer: filled from the shipped OSM layer and the zones, searched
without regard to case, diacritics or cedillas, on SQLite and PostgreSQL
alike (the same table runs on both), and the point-to-words description."""

import pytest

from geo.gazetteer import gazetteer_fill_if_empty, gazetteer_osm_load, gazetteer_zones_sync
from geo.models import Area, Place
from geo.selectors import SEARCH_MAX_LIMIT, place_describe, places_search
from geo.text import fold, search_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer(areas):
    gazetteer_osm_load()
    gazetteer_zones_sync()
    return Place.objects.count()


def _first(query):
    hits = places_search(query)
    return (hits[0].name, hits[0].kind) if hits else None


@pytest.mark.parametrize(
    ("query", "name", "kind"),
    [
        # what residents type, as the issue lists it
        ("Iuliu Maniu", "Bulevardul Iuliu Maniu", "street"),
        ("Parcul Drumul Taberei", "Parcul Drumul Taberei", "park"),
        ("metrou Gorjului", "Gorjului", "metro_station"),
        # partial words, any case
        ("iuliu man", "Bulevardul Iuliu Maniu", "street"),
        ("IULIU", "Bulevardul Iuliu Maniu", "street"),
        ("bd. iul", "Bulevardul Iuliu Maniu", "street"),
        # without diacritics, with comma-below and with cedilla forms
        ("Crangasi", "Crângași", "zone"),
        ("Crângaşi", "Crângași", "zone"),  # ş with cedilla
        ("calea crangasi", "Calea Crângași", "street"),
        ("Splaiul Independentei", "Splaiul Independenței", "street"),
        ("splaiul independenţei", "Splaiul Independenței", "street"),  # ţ with cedilla
        ("aleea tibles", "Aleea Țibleș", "street"),
        ("ŢIBLEŞ", "Aleea Țibleș", "street"),
        # street-type abbreviations
        ("sos virtutii", "Șoseaua Virtuții", "street"),
        ("str brasov", "Strada Brașov", "street"),
        # zone names
        ("Militari-Pacii", "Militari-Păcii", "zone"),
        ("militari pacii", "Militari-Păcii", "zone"),
        ("zona ghencea", "Ghencea", "zone"),
        ("Valea Cascadelor", "Valea Cascadelor", "zone"),
        # metro stations and parks
        ("statia grozavesti", "Grozăvești", "metro_station"),
        ("metrou parc drumul taberei", "Parc Drumul Taberei", "metro_station"),
        ("parcul crangasi", "Parcul Crângași", "park"),
        ("park Giulesti", "Parcul Giulești", "park"),
    ],
)
def test_search_table(gazetteer, query, name, kind):
    assert _first(query) == (name, kind)


@pytest.mark.parametrize("query", ["", " ", "x", "zzzz qqqq", "Piața Unirii", "%", "_"])
def test_queries_that_find_nothing(gazetteer, query):
    assert places_search(query) == []


def test_exact_names_come_first_then_zones_then_landmarks_then_streets(gazetteer):
    names = [(h.name, h.kind) for h in places_search("Drumul Taberei")]
    assert names[:2] == [("Drumul Taberei", "zone"), ("Drumul Taberei", "street")]
    assert ("Parcul Drumul Taberei", "park") in names
    assert ("Parc Drumul Taberei", "metro_station") in names
    giulesti = [(h.name, h.kind) for h in places_search("giulesti")]
    assert giulesti[0] == ("Giulești", "zone")
    assert giulesti.index(("Parcul Giulești", "park")) < giulesti.index(
        ("Calea Giulești", "street")
    )


def test_answers_are_bounded(gazetteer):
    assert len(places_search("strada")) == 8
    assert len(places_search("strada", limit=500)) == SEARCH_MAX_LIMIT
    assert len(places_search("strada", limit=0)) == 1
    assert places_search("a" * 5000) == []  # cut to 100 characters, then no match


def test_streets_carry_a_point_on_the_street_and_their_extent(gazetteer):
    from shapely.geometry import Point, shape

    hit = places_search("Iuliu Maniu")[0]
    assert hit.bbox is not None
    min_lon, min_lat, max_lon, max_lat = hit.bbox
    assert min_lon < hit.lon < max_lon and min_lat <= hit.lat <= max_lat
    assert max_lon - min_lon > 0.05  # the boulevard crosses the sector
    street = Place.objects.get(name="Bulevardul Iuliu Maniu", kind="street")
    assert shape(street.geometry).distance(Point(hit.lon, hit.lat)) < 1e-6
    metro = places_search("metrou gorjului")[0]
    assert metro.bbox is None  # a point: the map centres on it


@pytest.mark.parametrize(
    ("query", "lat", "lon", "inside"),
    [
        ("44.4345, 26.0213", 44.4345, 26.0213, True),
        ("44,4345 26,0213", 44.4345, 26.0213, True),  # decimal commas
        ("26.0213, 44.4345", 44.4345, 26.0213, True),  # longitude first
        ("44.4268, 26.1025", 44.4268, 26.1025, False),  # Piața Unirii
    ],
)
def test_typed_coordinates_are_a_place(gazetteer, query, lat, lon, inside):
    hits = places_search(query)
    assert len(hits) == 1
    hit = hits[0]
    assert hit.kind == "coordinates" and hit.inside_sector is inside
    assert (round(hit.lat, 4), round(hit.lon, 4)) == (lat, lon)
    if inside:
        assert "Militari-Gorjului" in hit.detail and "Iuliu Maniu" in hit.detail
    else:
        assert hit.detail == "outside Sector 6"


def test_fold_and_keys():
    assert fold("Ștefan Şerban ŢARA țara") == "stefan serban tara tara"
    assert fold("  Calea   Crângași, nr. 12 ") == "calea crangasi nr 12"
    key = search_key("Bulevardul Iuliu Maniu")
    assert key.startswith(" bulevardul iuliu maniu ") and " bd " in key and key.endswith(" ")


def test_gazetteer_is_filled_after_migrate_and_only_when_empty(areas):
    # The test database was migrated: the post_migrate hook filled it.
    assert Place.objects.filter(source="osm", kind="street").count() >= 80
    Place.objects.filter(name="Strada Brașov").update(name="Strada Brașov (editată)")
    gazetteer_fill_if_empty()
    assert Place.objects.filter(name="Strada Brașov (editată)").exists()  # untouched
    Place.objects.all().delete()
    gazetteer_fill_if_empty()
    assert Place.objects.filter(name="Strada Brașov").exists()
    assert Place.objects.filter(kind="zone").count() == 13


def test_zone_entries_follow_the_zones(gazetteer, areas):
    zone = areas["zones"]["ghencea"]
    Area.objects.filter(pk=zone.pk).update(name="Ghencea Nord")
    gazetteer_zones_sync()
    assert _first("ghencea nord") == ("Ghencea Nord", "zone")
    assert Place.objects.filter(kind="zone").count() == 13
    zone.delete()  # cascades
    assert not Place.objects.filter(name="Ghencea Nord").exists()


def test_osm_reload_keeps_the_kinds_an_imported_register_provides(gazetteer):
    Place.objects.create(
        name="Strada Exemplului",
        kind="street",
        source="register",
        search_key=search_key("Strada Exemplului"),
        latitude=44.43,
        longitude=26.02,
    )
    gazetteer_osm_load()
    assert not Place.objects.filter(source="osm", kind="street").exists()
    assert Place.objects.filter(source="osm", kind="metro_station").count() == 17


@pytest.mark.parametrize(
    ("lat", "lon", "zone"),
    [
        (44.43430, 26.02130, "Militari-Gorjului"),
        (44.43404, 26.00000, "Militari-Păcii"),  # on the boulevard
        (44.4345, 26.0213, "Militari-Gorjului"),  # 40 m north of it
    ],
)
def test_a_point_is_described_by_its_street_and_zone(gazetteer, lat, lon, zone):
    where = place_describe(latitude=lat, longitude=lon)
    assert where.zone == zone
    assert where.near == "Bulevardul Iuliu Maniu" and where.near_kind == "street"
    if where.distance_m <= 25:
        assert where.text == "Bulevardul Iuliu Maniu"
    else:
        assert where.text == f"about {where.distance_m} m from Bulevardul Iuliu Maniu"


def test_a_point_far_from_named_streets_is_described_by_a_landmark_or_only_its_zone(gazetteer):
    where = place_describe(latitude=44.4745, longitude=25.9945)  # far north-west field
    assert where.near == "" and where.text == "" and where.zone == "Giulești-Sârbi"
    outside = place_describe(latitude=44.4268, longitude=26.1025)
    assert outside.zone == ""


def test_descriptions_follow_an_imported_register(gazetteer):
    before = place_describe(latitude=44.4345, longitude=26.0213)
    Place.objects.create(
        name="Strada Nouă",
        kind="street",
        source="register",
        search_key=search_key("Strada Nouă"),
        latitude=44.4345,
        longitude=26.0214,
        geometry={"type": "Point", "coordinates": [26.0214, 44.4345]},
    )
    after = place_describe(latitude=44.4345, longitude=26.0213)
    assert before.near == "Bulevardul Iuliu Maniu" and after.near == "Strada Nouă"
    assert after.distance_m < 25 and after.text == "Strada Nouă"
